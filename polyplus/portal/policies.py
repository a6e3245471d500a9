from polyplus.tenancy.policy import Policy, parse_positive_int, register_policy

RENEWAL_QUOTE_DAYS = register_policy(Policy(
    key="renewal_quote_days",
    label="Days before a term ends that its renewal is quoted",
    default=60,
    parse=parse_positive_int,
    help_text="The renewal quote is made from the CSM's renewal proposal; without one, the CSM and "
              "Poly admins are alerted instead.",
))
