"""Demo data of owners, followers and notifications (seed_demo calls this once per partner)."""

from __future__ import annotations

from polyplus.notifications.models import Event
from polyplus.notifications.services import event_fan_out
from polyplus.tenancy.models import Role, User
from tickets import services
from tickets.models import Case, CaseStatus, SeverityOneFollower


def owners_and_notifications(*, partner, partner_admin: User, engineer: User, staff: dict[str, User]) -> int:
    """Owned and unowned cases, followers, and unread notifications; nothing when already there."""
    if SeverityOneFollower.objects.filter(partner=partner, user=partner_admin).exists():
        return 0
    support = staff[Role.POLY_SUPPORT]
    services.severity_one_follow_set(by=partner_admin, follow=True)
    waiting = Case.objects.filter(partner=partner, status=CaseStatus.WAITING_ON_PARTNER).order_by("pk").first()
    if waiting is not None:
        services.case_assign(by=support, case=waiting, owner=support)
        services.case_assign(by=partner_admin, case=waiting, partner_owner=engineer,
                             note="You set up these phones; please send the capture.")
        services.case_follow(by=partner_admin, case=waiting)
    # The unassigned view keeps the rest (the not-entitled and hardware cases) for Poly to take.
    for event_id in Event.objects.filter(partner=partner, processed_at__isnull=True).values_list("pk", flat=True):
        event_fan_out(event_id)  # the worker would, once it runs: the lists are full at first sign-in
    return 3
