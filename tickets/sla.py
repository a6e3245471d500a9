"""SLA targets and clocks on a 24/7 calendar.

Targets come from the SlaTarget table: Poly admins edit it, and after every migrate (and
flush) any missing severity × offering is filled in with the defaults below. A clock is a
due time; while a case waits on the partner it stands still, and when the partner answers
every clock still running moves on by the time spent waiting. Times are UTC instants, so a
daylight-saving change anywhere moves nothing.
"""

from __future__ import annotations

import datetime

from contracts.models import Offering
from tickets.models import OPEN_STATUSES, Case, SlaTarget

ENT, PLUS = Offering.POLY_PLUS_ENTERPRISE, Offering.POLY_PLUS


def _minutes(count: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=count)


def _hours(count: int) -> datetime.timedelta:
    return datetime.timedelta(hours=count)


def _days(count: int) -> datetime.timedelta:
    return datetime.timedelta(days=count)


# DOMAIN.md's first-response defaults (Enterprise / Poly+); the resolution targets are our own default.
DEFAULT_TARGETS: dict[tuple[int, str], tuple[datetime.timedelta, datetime.timedelta]] = {
    (1, ENT): (_minutes(30), _hours(4)), (1, PLUS): (_hours(1), _hours(8)),
    (2, ENT): (_hours(2), _days(1)), (2, PLUS): (_hours(4), _days(2)),
    (3, ENT): (_hours(8), _days(3)), (3, PLUS): (_hours(12), _days(5)),
    (4, ENT): (_hours(24), _days(10)), (4, PLUS): (_hours(48), _days(15)),
}


def ensure_default_targets(**_) -> None:
    """Fill in any missing target with its default; a target Poly has changed stays as it is."""
    for (severity, offering), (first_response, resolution) in DEFAULT_TARGETS.items():
        SlaTarget.objects.get_or_create(severity=severity, offering=offering,
                                        defaults={"first_response": first_response, "resolution": resolution})


def targets_for(severity: int, offering: str) -> tuple[datetime.timedelta, datetime.timedelta]:
    target = SlaTarget.objects.get(severity=severity, offering=offering)
    return target.first_response, target.resolution


def refresh_next_due(case: Case) -> None:
    """The SLA time that comes next, for ordering the queue; none while paused or done."""
    if case.status not in OPEN_STATUSES or case.paused_since is not None:
        case.next_due_at = None
    elif case.first_response_at is None:
        case.next_due_at = min(case.first_response_due, case.resolution_due)
    else:
        case.next_due_at = case.resolution_due


def start_clocks(case: Case) -> None:
    first_response, resolution = targets_for(case.severity, case.offering)
    # In UTC: Python adds to an aware local time on the wall clock, which a DST change would skew.
    opened = case.opened_at.astimezone(datetime.UTC)
    case.first_response_due = opened + first_response
    case.resolution_due = opened + resolution
    refresh_next_due(case)


def pause_clocks(case: Case, now: datetime.datetime) -> None:
    if case.paused_since is None:
        case.paused_since = now
    refresh_next_due(case)


def resume_clocks(case: Case, now: datetime.datetime, since: datetime.datetime | None = None) -> None:
    """Move every running clock on by the time it stood still (since `since` or the pause)."""
    since = since or case.paused_since
    if since is not None:
        waited = max(now - since, datetime.timedelta(0))
        if case.first_response_at is None:
            case.first_response_due += waited
        case.resolution_due += waited
    case.paused_since = None
    refresh_next_due(case)
