"""Who hears of what happens on a case, and what they read (README: "Who is notified of what").

A service records an event with the change (`notify_case_event`, in its transaction); after
commit a worker, as Poly, works out the audience here and tells each person once, in their
list and by mail now or in the digest, as they chose. Everyone told must still be allowed to
see the case (a follower who lost access hears nothing), an internal note reaches Poly staff
only, and a mail names nothing but this case and its own partner.

To notify of a new kind of case event (an RMA approved, an ECPS incident opened): add the kind to
polyplus/notifications/kinds.py, give it an audience in AUDIENCES (and a headline in HEADLINES),
and call `notify_case_event(case=..., kind=..., actor=..., data=...)` from the service that makes
the change.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from polyplus.notifications.kinds import EventKind
from polyplus.notifications.models import Event
from polyplus.notifications.services import Message, event_record, register_fan_out, tell
from polyplus.tenancy import languages
from polyplus.tenancy.models import CsmAssignment, Role, User
from polyplus.tenancy.scoping import ALL_PARTNERS_ROLES
from tickets.models import (
    Case,
    CaseComment,
    CaseEscalation,
    CaseFollower,
    CaseStatus,
    EscalationLevel,
    SeverityOneFollower,
)

# Groups of people an event can reach.
PARTNER_SIDE = "partner_side"  # the partner's owner; else who opened it; else the partner's engineers
FOLLOWERS = "followers"
CUSTOMERS = "customers"  # the customer's own contacts (customer viewers): public events only
POLY_OWNER = "poly_owner"
POLY_OWNER_OR_SUPPORT = "poly_owner_or_support"  # Poly support as a whole while nobody owns it
ESCALATION_MANAGERS = "escalation_managers"
NEW_OWNER = "new_owner"
REQUESTER = "requester"  # who asked for the RMA (the event's data names them)
ECPS_PARTNER = "ecps_partner"  # the partner's people on an ECPS escalation; else the partner's admins

Audience = Callable[[Event], set[str]]


def _reply_audience(event: Event) -> set[str]:
    by_poly = event.actor is None or event.actor.is_poly_staff
    return {PARTNER_SIDE if by_poly else POLY_OWNER_OR_SUPPORT, FOLLOWERS, CUSTOMERS}


def _status_audience(event: Event) -> set[str]:
    by_poly = event.actor is None or event.actor.is_poly_staff
    return {PARTNER_SIDE, FOLLOWERS, CUSTOMERS} | (set() if by_poly else {POLY_OWNER})


AUDIENCES: dict[str, Audience] = {
    EventKind.CASE_REPLY: _reply_audience,
    EventKind.CASE_INTERNAL_NOTE: lambda event: {POLY_OWNER, FOLLOWERS},
    EventKind.CASE_STATUS: _status_audience,
    EventKind.CASE_INFO_REQUESTED: lambda event: {PARTNER_SIDE, FOLLOWERS, CUSTOMERS},
    EventKind.CASE_REOPENED: lambda event: {POLY_OWNER_OR_SUPPORT, PARTNER_SIDE, FOLLOWERS, CUSTOMERS},
    EventKind.CASE_ESCALATED: lambda event: {ESCALATION_MANAGERS, PARTNER_SIDE, FOLLOWERS},
    EventKind.CASE_SLA_WARNING: lambda event: {POLY_OWNER_OR_SUPPORT, PARTNER_SIDE, FOLLOWERS},
    EventKind.CASE_ASSIGNED: lambda event: {NEW_OWNER},
    EventKind.RMA_APPROVED: lambda event: {REQUESTER},
    EventKind.RMA_REJECTED: lambda event: {REQUESTER},
    EventKind.RMA_SHIPPED: lambda event: {REQUESTER},
    EventKind.ECPS_NEWS: lambda event: {ECPS_PARTNER},
    EventKind.ECPS_REQUEST: lambda event: {ESCALATION_MANAGERS},
}
POLY_ONLY = frozenset({EventKind.CASE_INTERNAL_NOTE, EventKind.ECPS_REQUEST})
# Kinds whose words the app wrote with the change (public facts only): `headline` and `details` in the data.
WORDED_BY_THE_APP = frozenset({EventKind.RMA_APPROVED, EventKind.RMA_REJECTED, EventKind.RMA_SHIPPED,
                               EventKind.ECPS_NEWS, EventKind.ECPS_REQUEST})


def notify_case_event(*, case: Case, kind: str, actor: User | None = None, data: dict | None = None) -> Event:
    """Record that something happened on a case; the people concerned are told after commit.
    The owners are those of this moment, whoever owns the case when the worker gets to it."""
    data = {"owner": case.owner_id, "partner_owner": case.partner_owner_id, **(data or {})}
    return event_record(kind=kind, partner_id=case.partner_id, case_id=case.pk, actor=actor, data=data)


# ---- who ------------------------------------------------------------------------------------


def may_hear_of(user: User, case: Case, *, poly_only: bool) -> bool:
    """Whether the person may see the case (the rule of its selectors), and the event at all."""
    if not user.is_active:
        return False
    if poly_only:
        return user.is_poly_staff
    if user.role in ALL_PARTNERS_ROLES:
        return True
    if user.role == Role.CSM:
        return CsmAssignment.objects.filter(customer_id=case.customer_id, csm=user).exists()
    if user.role in {Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER}:
        return user.partner_id == case.partner_id
    if user.role == Role.CUSTOMER_VIEWER:
        return user.partner_id == case.partner_id and user.customer_id == case.customer_id
    return False


def _owner(event: Event, case: Case, side: str) -> User | None:
    owner_id = event.data.get(side, getattr(case, f"{side}_id"))
    return User.objects.filter(pk=owner_id).first() if owner_id else None


def _partner_side(case: Case, event: Event) -> list[User]:
    partner_owner = _owner(event, case, "partner_owner")
    if partner_owner is not None:
        return [partner_owner]
    if case.opened_by is not None and case.opened_by.is_partner_member and case.opened_by.is_active:
        return [case.opened_by]
    return list(User.objects.filter(partner_id=case.partner_id, is_active=True,
                                    role__in=[Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER]))


def _group(name: str, case: Case, event: Event) -> list[User]:
    if name == PARTNER_SIDE:
        return _partner_side(case, event)
    if name == FOLLOWERS:
        followers = list(User.objects.filter(pk__in=CaseFollower.objects.filter(case=case).values("user_id")))
        if case.severity == 1:
            followers += list(User.objects.filter(
                pk__in=SeverityOneFollower.objects.filter(partner_id=case.partner_id).values("user_id")))
        return followers
    if name == CUSTOMERS:
        return list(User.objects.filter(role=Role.CUSTOMER_VIEWER, customer_id=case.customer_id,
                                        partner_id=case.partner_id, is_active=True))
    if name in (POLY_OWNER, POLY_OWNER_OR_SUPPORT):
        owner = _owner(event, case, "owner")
        if owner is not None or name == POLY_OWNER:
            return [owner] if owner is not None else []
        return list(User.objects.filter(role=Role.POLY_SUPPORT, is_active=True))
    if name == ESCALATION_MANAGERS:
        return list(User.objects.filter(role=Role.ESCALATION_MANAGER, is_active=True))
    if name == NEW_OWNER:
        to_user = event.data.get("to_user")
        return list(User.objects.filter(pk=to_user)) if to_user else []
    if name == REQUESTER:
        requester = event.data.get("requested_by")
        return list(User.objects.filter(pk=requester)) if requester else []
    if name == ECPS_PARTNER:
        return _ecps_partner_people(case, event)
    raise ValueError(f"unknown audience {name!r}")


def _ecps_partner_people(case: Case, event: Event) -> list[User]:
    """Whoever asked for the escalation and whoever opened the case (the partner's people), else its admins."""
    people = User.objects.filter(is_active=True, partner_id=case.partner_id,
                                 role__in=[Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER])
    involved = {event.data.get("requested_by"), case.opened_by_id} - {None}
    return list(people.filter(pk__in=involved)) or list(people.filter(role=Role.PARTNER_ADMIN))


def recipients_of(event: Event, case: Case) -> list[User]:
    """Everyone the event reaches, once each, never its own author, each allowed to see the case."""
    poly_only = event.kind in POLY_ONLY
    found: dict[int, User] = {}
    for name in sorted(AUDIENCES[event.kind](event)):
        for user in _group(name, case, event):
            if user.pk != event.actor_id and user.pk not in found and may_hear_of(user, case, poly_only=poly_only):
                found[user.pk] = user
    return sorted(found.values(), key=lambda user: user.pk)


# ---- what they read -------------------------------------------------------------------------


def _support_name(case: Case, reader: User) -> str:
    """Poly's people as the reader may know them: named to Poly staff, "Poly support" to a partner,
    the partner's brand to its customer."""
    if reader.is_customer_viewer:
        return _("%(brand)s support") % {"brand": _brand(case) or case.partner.name}
    return "Poly support"


def _brand(case: Case) -> str:
    try:
        return case.partner.brand.display_name
    except Exception:  # no brand set up: the partner's own name
        return ""


def _sender(case: Case, reader: User) -> str:
    """Poly's name to Poly staff; the partner's brand to the partner's and its customers' people."""
    if reader.is_poly_staff:
        return "Poly+ support"
    return _brand(case) or case.partner.name


def _who(user: User | None, case: Case, reader: User) -> str:
    if user is None:
        return _("Automatic")
    if user.is_poly_staff and not reader.is_poly_staff:
        return _support_name(case, reader)
    return user.full_name or user.email


def _headline_and_details(event: Event, case: Case, reader: User) -> tuple[str, str]:
    data, kind = event.data, event.kind
    if kind in WORDED_BY_THE_APP:
        return data["headline"], data.get("details", "")
    who = _who(event.actor, case, reader)
    if kind in (EventKind.CASE_REPLY, EventKind.CASE_INTERNAL_NOTE):
        comment = CaseComment.objects.filter(pk=data.get("comment_id"), case=case).first()
        body = comment.body if comment is not None and (not comment.internal or reader.is_poly_staff) else ""
        if kind == EventKind.CASE_INTERNAL_NOTE:
            return f"{who} added an internal note", body
        return _("%(who)s replied") % {"who": who}, body
    if kind == EventKind.CASE_STATUS:
        return _("Now %(status)s (%(who)s)") % {"status": str(CaseStatus(data["to_status"]).label).lower(),
                                                "who": who}, ""
    if kind == EventKind.CASE_INFO_REQUESTED:
        return _("Waiting on you: information is needed"), _(
            "%(who)s needs information from the partner; the SLA clock is paused until the partner replies."
        ) % {"who": who}
    if kind == EventKind.CASE_REOPENED:
        return _("Reopened by %(who)s") % {"who": who}, ""
    if kind == EventKind.CASE_ESCALATED:
        escalation = CaseEscalation.objects.filter(pk=data.get("escalation_id"), case=case).first()
        level = EscalationLevel(escalation.to_level).label if escalation else ""
        if escalation is not None and escalation.breach:
            return f"Escalated to {level}: {escalation.get_breach_display().lower()} target missed", escalation.reason
        return f"Escalated to {level} by {who}", escalation.reason if escalation else ""
    if kind == EventKind.CASE_SLA_WARNING:
        due = datetime.datetime.fromisoformat(data["due_at"])
        return (f"{data['target']} due soon", f"The {data['target'].lower()} target is due at "
                f"{due:%Y-%m-%d %H:%M} UTC; {data['percent']}% of it has passed.")
    if kind == EventKind.CASE_ASSIGNED:
        return f"{who} handed the case to you", data.get("note", "")
    return EventKind(kind).label, ""


def case_url(case: Case) -> str:
    return settings.POLYPLUS_PORTAL_URL + reverse("tickets:case_detail", args=[case.pk])


def _mail_domain() -> str:
    host = settings.POLYPLUS_PORTAL_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return host or "polyplus.example"


def thread_id(case: Case) -> str:
    """One Message-ID for the case's thread: every mail about the case replies to it."""
    return f"<case-{case.pk}@{_mail_domain()}>"


def reader_language(case: Case, reader: User) -> str:
    """A customer reads in their chosen language, else their partner's default; everyone else in
    English, as their pages are."""
    if not reader.is_customer_viewer:
        return languages.DEFAULT
    return languages.mail_language(reader, getattr(case.partner, "brand", None))


def message_for(event: Event, case: Case, reader: User) -> Message:
    with translation.override(reader_language(case, reader)):
        return _message(event, case, reader)


def _message(event: Event, case: Case, reader: User) -> Message:
    headline, details = _headline_and_details(event, case, reader)
    sender = _sender(case, reader)
    context = {
        "case": case, "reader": reader, "headline": headline, "details": details, "url": case_url(case),
        "sender": sender, "site_id": case.site.site_id, "brand_color": _brand_color(case, reader),
    }
    subject = f"[{case.number}] S{case.severity} · {case.site.site_id} · {case.subject}: {headline}"
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    headers = {
        "Message-ID": f"<case-{case.pk}-{event.kind}-{event.pk}-{reader.pk}@{_mail_domain()}>",
        "In-Reply-To": thread_id(case),
        "References": thread_id(case),
        "From": formataddr((sender, address or "noreply@polyplus.example")),
    }
    return Message(
        title=f"{case.number}: {headline}", body=details, url=reverse("tickets:case_detail", args=[case.pk]),
        subject=subject, text=render_to_string("tickets/mail/case_event.txt", context),
        html=render_to_string("tickets/mail/case_event.html", context), headers=headers,
    )


def _brand_color(case: Case, reader: User) -> str:
    if reader.is_poly_staff:
        return "#0b3d91"
    try:
        return case.partner.brand.primary_color
    except Exception:
        return "#0b3d91"


def fan_out_case_event(event: Event) -> int:
    """The worker's part (a staff context): tell each person the event reaches."""
    case = (Case.objects.select_related("site", "partner", "owner", "partner_owner", "opened_by", "customer")
            .filter(pk=event.case_id).first())
    if case is None:
        return 0
    return tell(event=event, users=recipients_of(event, case), message_for=lambda user: message_for(event, case, user))


def register() -> None:
    register_fan_out(AUDIENCES.keys(), fan_out_case_event)


def sla_warning_due(case: Case, *, now: datetime.datetime, percent: int, target: datetime.timedelta) -> bool:
    """Whether `percent` of the target before the case's next due time has passed."""
    if case.next_due_at is None or now >= case.next_due_at:
        return False
    return case.next_due_at - now <= target * (100 - percent) / 100


def now_iso(moment: datetime.datetime | None = None) -> str:
    return (moment or timezone.now()).isoformat()
