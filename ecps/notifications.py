"""ECPS mail, through the outbox (polyplus/notifications): who hears of which event, in public words only.

The partner's people on the escalation (whoever requested it and whoever opened the case, else the
partner's admins) hear what Poly and the provider did; Poly's escalation managers hear what the
partner asks for. Nobody is mailed about their own action, customers are not mailed (their partner's
brand speaks to them), and internal updates are never mailed at all.
"""

from __future__ import annotations

from ecps.models import Escalation
from polyplus.notifications.outbox import queue_mail
from polyplus.tenancy.models import Role, User

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


def _partner_people(escalation: Escalation) -> list[tuple[int, str]]:
    involved = {escalation.requested_by_id, escalation.case.opened_by_id} - {None}
    people = User.objects.filter(is_active=True, partner_id=escalation.partner_id,
                                 role__in=[Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER])
    found = list(people.filter(pk__in=involved).values_list("pk", "email"))
    return found or list(people.filter(role=Role.PARTNER_ADMIN).values_list("pk", "email"))


def _poly_people() -> list[tuple[int, str]]:
    return list(User.objects.filter(is_active=True, role=Role.ESCALATION_MANAGER).values_list("pk", "email"))


def mail_ecps_event(event: str, escalation: Escalation, *, by: User | None, ref: str = "", text: str = "") -> int:
    """Queue the mails for one ECPS event in the caller's transaction; returns how many were queued.
    `ref` tells apart repeats of an event on one escalation (an update's id, a call's id)."""
    audience, subject = EVENTS[event]
    recipients: list[tuple[int, str]] = []
    if audience in ("partner", "both"):
        recipients += _partner_people(escalation)
    if audience in ("poly", "both"):
        recipients += _poly_people()
    words = {"ref": escalation.reference, "case": escalation.case.number, "provider": escalation.provider.name,
             "number": escalation.provider_incident_number or "(no number)"}
    lines = [f"ECPS escalation {escalation.reference}, case {escalation.case.number}, {escalation.customer.name}.",
             f"Cloud provider: {escalation.provider.name}. Status: {escalation.get_status_display()}."]
    if escalation.provider_incident_number:
        lines.append(f"Provider's incident tracking number: {escalation.provider_incident_number}.")
    if text:
        lines += ["", text]
    body = "\n".join(lines)
    queued = 0
    for user_id, address in dict(recipients).items():
        if by is not None and user_id == by.pk:
            continue
        queue_mail(key=f"ecps:{escalation.pk}:{event}:{ref}:{user_id}", to=address,
                   subject=subject.format(**words), text=body, partner_id=escalation.partner_id)
        queued += 1
    return queued
