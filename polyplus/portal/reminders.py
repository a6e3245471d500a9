"""The daily RMA return reminder: partners hear about failed units overdue for return.

One mail per partner admin per day, listing that partner's overdue returns not yet marked as
sent back; the outbox key (partner, day, admin) makes a second run of the day queue nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from polyplus.tenancy.context import partner_context, staff_context
from polyplus.tenancy.models import Partner


def overdue_returns_by_partner(*, today: datetime.date) -> dict[int, list]:
    """Overdue returns not marked as sent back, by partner id (from the RMA app)."""
    return {}


def overdue_return_reminders_send(*, partner_id: int, rmas: list, today: datetime.date) -> int:
    return 0


def overdue_return_reminders_send_all(*, today: datetime.date | None = None) -> int:
    today = today or timezone.now().date()
    with staff_context(reason="RMA return reminders: find overdue returns"):
        by_partner = overdue_returns_by_partner(today=today)
        partner_ids = list(Partner.objects.filter(pk__in=by_partner, is_active=True).values_list("pk", flat=True))
    sent = 0
    for partner_id in sorted(partner_ids):
        with partner_context(partner_id=partner_id, reason="RMA return reminders"):
            sent += overdue_return_reminders_send(partner_id=partner_id, rmas=by_partner[partner_id], today=today)
    return sent
