from polyplus.tenancy.policy import Policy, parse_positive_int, register_policy

CASE_REOPEN_DAYS = register_policy(Policy(
    key="case_reopen_days",
    label="Days a resolved case may be reopened",
    default=14,
    parse=parse_positive_int,
    help_text="Counted from the moment the case was resolved.",
))

ATTACHMENT_MAX_MB = register_policy(Policy(
    key="case_attachment_max_mb",
    label="Largest case attachment (MB)",
    default=10,
    parse=parse_positive_int,
    help_text="Logs and photos above this size are refused.",
))
