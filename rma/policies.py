import datetime

from polyplus.tenancy.policy import Policy, parse_positive_int, parse_time, register_policy

SHIP_CUTOFF = register_policy(Policy(
    key="rma_ship_cutoff",
    label="RMA same-day shipping cut-off (local time at the site)",
    default=datetime.time(14, 0),
    parse=parse_time,
    help_text="An RMA approved on a business day before this time ships that day; later, the next business day.",
))

RETURN_DAYS = register_policy(Policy(
    key="rma_return_days",
    label="Days to return a failed unit after the replacement is delivered",
    default=10,
    parse=parse_positive_int,
    help_text="Calendar days counted from the delivery day; an RMA past it is an overdue return.",
))
