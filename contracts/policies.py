from polyplus.tenancy.policy import Policy, parse_positive_int, register_policy

ENTERPRISE_MIN_DEVICES = register_policy(Policy(
    key="enterprise_min_devices",
    label="Poly+ Enterprise eligibility threshold",
    default=100,
    parse=parse_positive_int,
    help_text="At least one picked category must have this many installed devices.",
))
