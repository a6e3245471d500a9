"""The one hook every RMA state change (and the return-sent mark) calls, inside its transaction.

The requester hears from Poly when the RMA is approved (with the ship and delivery days),
rejected (with the reason) and shipped (with the tracking number), as a case event
(tickets.notify): in their list and by mail, at once or in the digest as they chose, recorded
with the change or not at all, told once. Public facts only, never the internal note. The
overdue-return reminders are the background jobs' (rma.selectors.overdue_returns).
"""

from __future__ import annotations

import logging

from polyplus.notifications.kinds import EventKind
from rma.models import Rma, RmaStep, RmaStepKind
from tickets.notify import notify_case_event

logger = logging.getLogger("polyplus.rma")

EVENT_KINDS = {RmaStepKind.APPROVED: EventKind.RMA_APPROVED, RmaStepKind.REJECTED: EventKind.RMA_REJECTED,
               RmaStepKind.SHIPPED: EventKind.RMA_SHIPPED}


def _day(value) -> str:
    return f"{value:%a %-d %b %Y}" if value else "—"


def _message(rma: Rma, kind: str) -> tuple[str, str]:
    unit = f"serial {rma.device.serial} ({rma.product.sku}) at site {rma.site.site_id}"
    if kind == RmaStepKind.APPROVED:
        return (f"RMA {rma.number} approved: ships {_day(rma.ship_date)}",
                f"Poly approved RMA {rma.number} for {unit} (case {rma.case.number}).\n"
                f"The replacement ships {_day(rma.ship_date)} and is promised for {_day(rma.promised_delivery)} "
                f"(days at the site, {rma.site.timezone}).\n"
                "Your engineers install and configure the replacement; send the failed unit back within the "
                "return window after delivery.")
    if kind == RmaStepKind.REJECTED:
        return (f"RMA {rma.number} rejected",
                f"Poly rejected RMA {rma.number} for {unit} (case {rma.case.number}): {rma.rejection_reason}")
    return (f"RMA {rma.number} shipped: {rma.carrier} {rma.tracking_number}",
            f"The replacement for {unit} (RMA {rma.number}, case {rma.case.number}) has shipped with "
            f"{rma.carrier}, tracking number {rma.tracking_number}; delivery is promised for "
            f"{_day(rma.promised_delivery)}.")


def rma_event_recorded(*, rma: Rma, event: RmaStep) -> None:
    """An RMA moved (or was marked as sent back): tell the requester when Poly decided or shipped."""
    logger.info("rma %s: %s (%s → %s)", rma.number, event.kind, event.from_status, event.to_status)
    if event.kind not in EVENT_KINDS or rma.requested_by_id is None:
        return
    headline, details = _message(rma, event.kind)
    notify_case_event(case=rma.case, kind=EVENT_KINDS[event.kind], actor=event.by, data={
        "rma_id": rma.pk, "requested_by": rma.requested_by_id, "headline": headline, "details": details})
