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


def parse_percent(text: str) -> int:
    from django.core.exceptions import ValidationError

    value = parse_positive_int(text)
    if not 1 <= value <= 99:
        raise ValidationError("Enter a share from 1 to 99 (per cent).")
    return value


SLA_WARNING_PERCENT = register_policy(Policy(
    key="sla_warning_percent",
    label="Warn when this share of an SLA target has passed (%)",
    default=75,
    parse=parse_percent,
    help_text="The case's partner engineers, followers and Poly owner are told before the target is missed.",
))
