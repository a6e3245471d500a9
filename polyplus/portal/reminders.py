"""The daily RMA return reminder: partners hear about failed units overdue for return.

One mail per person per day (the partner's admins, and whoever requested an overdue RMA),
listing the partner's overdue returns not yet marked as sent back; the outbox key (partner,
day, person) makes a second run of the same day queue nothing. Marking a unit as sent back
stops its reminders (the RMA app's `overdue_returns(needing_reminder=True)` leaves it out).
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from polyplus.portal.pdf import pdf_brand
from polyplus.tenancy.context import partner_context, staff_context
from polyplus.tenancy.models import Partner, Role, User
from rma.selectors import overdue_returns


def overdue_returns_by_partner(*, today: datetime.date) -> dict[int, list]:
    """Overdue returns not marked as sent back, by partner id (from the RMA app)."""
    by_partner: dict[int, list] = defaultdict(list)
    for rma in overdue_returns(today=today, needing_reminder=True):
        by_partner[rma.partner_id].append(rma.pk)
    return dict(by_partner)


def overdue_return_reminders_send(*, partner_id: int, today: datetime.date) -> int:
    """Queue today's reminder to each of the partner's admins and the requesters of its overdue RMAs."""
    from polyplus.notifications.models import OutboundMail
    from polyplus.notifications.outbox import queue_mail

    rmas = list(overdue_returns(today=today, partner_id=partner_id, needing_reminder=True))
    if not rmas:
        return 0
    partner = Partner.objects.get(pk=partner_id)
    brand = pdf_brand(partner)
    requesters = {rma.requested_by_id for rma in rmas if rma.requested_by_id}
    people = User.objects.filter(partner_id=partner_id, is_active=True).filter(
        role=Role.PARTNER_ADMIN) | User.objects.filter(pk__in=requesters, partner_id=partner_id, is_active=True)
    lines = [
        f"  - {rma.number}: serial {rma.device.serial} at {rma.site.site_id} ({rma.customer.name}), "
        f"due back {rma.return_due} ({(today - rma.return_due).days} day(s) overdue)"
        for rma in rmas
    ]
    queued = 0
    for person in people.distinct().order_by("email"):
        key = f"rma-return-reminder:{partner_id}:{today}:{person.pk}"
        if OutboundMail.objects.filter(key=key).exists():
            continue  # today's reminder to this person is queued already
        subject = (f"{len(rmas)} failed unit{'s are' if len(rmas) != 1 else ' is'} overdue for return to Poly")
        queue_mail(
            key=key,
            to=person.email,
            subject=subject,
            text="\n".join([
                f"Hello {person.full_name or person.email},",
                "",
                "Poly shipped these replacements in advance; the failed units are past their return date:",
                "",
                *lines,
                "",
                "Please send each one back, and mark it as sent back on its RMA page (with the carrier's",
                "tracking number) to stop these reminders.",
                "",
                brand.display_name,
            ]),
            partner_id=partner_id,
        )
        queued += 1
    return queued


def overdue_return_reminders_send_all(*, today: datetime.date | None = None) -> int:
    """The daily job: each partner with overdue returns, in its own context and transaction."""
    today = today or timezone.now().date()
    with staff_context(reason="RMA return reminders: find overdue returns"):
        by_partner = overdue_returns_by_partner(today=today)
        partner_ids = list(Partner.objects.filter(pk__in=by_partner, is_active=True).values_list("pk", flat=True))
    sent = 0
    for partner_id in sorted(partner_ids):
        with partner_context(partner_id=partner_id, reason="RMA return reminders"):
            sent += overdue_return_reminders_send(partner_id=partner_id, today=today)
    return sent
