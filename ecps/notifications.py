"""ECPS notifications, as case events (tickets.notify): who hears of which event, in public words only.

The partner's people on the escalation (whoever requested it and whoever opened the case, else the
partner's admins) hear what Poly and the provider did (`ecps_news`); Poly's escalation managers hear
what the partner asks for (`ecps_request`). Each hears in their list and by mail, at once or in the
digest as they chose; nobody hears of their own action, customers are not told (their partner's brand
speaks to them), and internal updates are never sent at all.
"""

from __future__ import annotations

from ecps.models import Escalation
from polyplus.notifications.kinds import EventKind
from polyplus.tenancy.models import User
from tickets.notify import notify_case_event

# event → (who hears, subject). "partner" events are Poly's or the provider's news for the partner;
# "poly" events are the partner's requests for Poly.
EVENTS: dict[str, tuple[str, str]] = {
    "requested": ("poly", "{ref}: case {case} escalated to {provider}"),
    "awaiting_authorisation": ("poly", "{ref}: case {case} escalated to {provider}, awaiting authorisation"),
    "authorisation_received": ("poly", "{ref}: signed authorisation received for {provider}"),
    "opened_with_provider": ("partner", "{ref}: {provider} incident {number} opened for case {case}"),
    "update": ("both", "{ref}: update from {provider} on case {case}"),
    "referred_to_provider": ("partner", "{ref}: case {case} referred to {provider}, with Poly's findings"),
    "resolved": ("both", "{ref}: {provider} incident {number} resolved"),
    "cancelled": ("both", "{ref}: escalation to {provider} cancelled"),
    "joint_call_requested": ("poly", "{ref}: joint call with {provider} requested"),
    "joint_call_scheduled": ("partner", "{ref}: joint call with {provider} scheduled"),
}


def notify_ecps_event(event: str, escalation: Escalation, *, by: User | None, text: str = "") -> int:
    """Record one ECPS event as case events (tickets.notify), in the caller's transaction: the news for
    the partner's people, the request for Poly's escalation managers, or both; returns how many."""
    audience, subject = EVENTS[event]
    words = {"ref": escalation.reference, "case": escalation.case.number, "provider": escalation.provider.name,
             "number": escalation.provider_incident_number or "(no number)"}
    lines = [f"ECPS escalation {escalation.reference}, case {escalation.case.number}, {escalation.customer.name}.",
             f"Cloud provider: {escalation.provider.name}. Status: {escalation.get_status_display()}."]
    if escalation.provider_incident_number:
        lines.append(f"Provider's incident tracking number: {escalation.provider_incident_number}.")
    if text:
        lines += ["", text]
    data = {"escalation_id": escalation.pk, "ecps_event": event, "requested_by": escalation.requested_by_id,
            "headline": subject.format(**words), "details": "\n".join(lines)}
    kinds = {"partner": [EventKind.ECPS_NEWS], "poly": [EventKind.ECPS_REQUEST],
             "both": [EventKind.ECPS_NEWS, EventKind.ECPS_REQUEST]}[audience]
    for kind in kinds:
        notify_case_event(case=escalation.case, kind=kind, actor=by, data=data)
    return len(kinds)
