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

H = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
ENT, PLUS = Offering.POLY_PLUS_ENTERPRISE, Offering.POLY_PLUS

# DOMAIN.md's first-response defaults (Enterprise / Poly+); the resolution targets are our own default.
DEFAULT_TARGETS: dict[tuple[int, str], tuple[datetime.timedelta, datetime.timedelta]] = {
    (1, ENT): (datetime.timedelta(minutes=30), 4 * H), (1, PLUS): (1 * H, 8 * H),
    (2, ENT): (2 * H, 1 * DAY), (2, PLUS): (4 * H, 2 * DAY),
    (3, ENT): (8 * H, 3 * DAY), (3, PLUS): (12 * H, 5 * DAY),
    (4, ENT): (24 * H, 10 * DAY), (4, PLUS): (48 * H, 15 * DAY),
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
