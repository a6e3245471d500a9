"""Every write of notifications: events recorded with the change, fanned out once after commit,
the in-portal list, preferences and the daily digest. Mail goes through the outbox."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from polyplus.notifications.kinds import DEFAULT_DELIVERY, POLY_ONLY_KINDS, Delivery, EventKind
from polyplus.notifications.models import Event, Notification, NotificationPreference
from polyplus.notifications.outbox import queue_mail
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import User

logger = logging.getLogger("polyplus.notifications")

EVENT_SWEEP_AFTER = datetime.timedelta(minutes=2)

# kind -> the function (of the app the event is about) that works out who is told what.
FAN_OUT: dict[str, Callable[[Event], int]] = {}


def register_fan_out(kinds: Iterable[str], handler: Callable[[Event], int]) -> None:
    """A higher app (tickets, rma, ecps) says who hears of its kinds of event."""
    for kind in kinds:
        FAN_OUT[str(kind)] = handler


@dataclass(frozen=True)
class Message:
    """What one person is told: the list entry, and the mail when they want one."""

    title: str
    body: str
    url: str
    subject: str
    text: str
    html: str = ""
    headers: dict = field(default_factory=dict)


def event_record(*, kind: str, partner_id: int | None, case_id: int | None = None, actor: User | None = None,
                 data: dict | None = None) -> Event:
    """Record an event in the caller's transaction; it is fanned out after commit."""
    if kind not in EventKind.values:
        raise ValueError(f"{kind!r} is not a notification event kind (polyplus/notifications/kinds.py)")
    event = Event.objects.create(kind=kind, partner_id=partner_id, case_id=case_id,
                                 actor_id=getattr(actor, "pk", None), data=data or {})
    event_id = event.pk
    transaction.on_commit(lambda: _enqueue_fan_out(event_id), robust=True)
    return event


def _enqueue_fan_out(event_id: int) -> None:
    from polyplus.notifications.tasks import fan_out_event

    fan_out_event.delay(event_id)


def event_fan_out(event_id: int) -> int:
    """Tell everyone an event concerns, once: the worker's job, as Poly. Returns how many were told."""
    with staff_context(reason="notification fan-out"):
        event = Event.objects.select_for_update().filter(pk=event_id).first()
        if event is None or event.processed_at is not None:
            return 0
        handler = FAN_OUT.get(event.kind)
        told = handler(event) if handler is not None else 0
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])
        return told


def events_unprocessed(*, now: datetime.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    with staff_context(reason="notification event sweep"):
        return list(Event.objects.filter(processed_at__isnull=True, created_at__lt=now - EVENT_SWEEP_AFTER)
                    .order_by("created_at").values_list("pk", flat=True)[:1000])


def events_sweep(*, now: datetime.datetime | None = None) -> int:
    ids = events_unprocessed(now=now)
    for event_id in ids:
        _enqueue_fan_out(event_id)
    return len(ids)


def deliveries_for(users: Iterable[User], kind: str) -> dict[int, str]:
    """Each person's choice for this kind of event (one query)."""
    ids = [user.pk for user in users]
    chosen = dict(NotificationPreference.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", "delivery"))
    return {user_id: chosen.get(user_id, DEFAULT_DELIVERY) for user_id in ids}


def tell(*, event: Event, users: Iterable[User], message_for: Callable[[User], Message]) -> int:
    """Put the event in each person's list and mail it now or keep it for the digest, as each chose.
    Keyed by (event, person): a second run tells nobody twice."""
    users = [user for user in users if user.is_active and user.email]
    deliveries = deliveries_for(users, event.kind)
    told = 0
    for user in users:
        delivery = deliveries[user.pk]
        if delivery == Delivery.OFF:
            continue
        key = f"{event.kind}:{event.pk}:{user.pk}"
        if Notification.objects.filter(key=key).exists():
            continue
        message = message_for(user)
        Notification.objects.create(
            key=key, partner_id=event.partner_id, recipient=user, event=event, kind=event.kind,
            case_id=event.case_id, title=message.title[:300], body=message.body, url=message.url[:500],
            delivery=delivery, created_at=event.created_at,
        )
        if delivery == Delivery.IMMEDIATE:
            queue_mail(key=key, to=user.email, subject=message.subject, text=message.text, html=message.html,
                       partner_id=event.partner_id, headers=message.headers)
        told += 1
    return told


# ---- the person's own list ---------------------------------------------------------------------


@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's own notifications read (all unread ones when no ids are given)."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def kinds_for(user: User) -> list[tuple[str, str]]:
    """The kinds of event a person can hear of: Poly-only kinds for Poly staff alone."""
    return [(value, label) for value, label in EventKind.choices
            if user.is_poly_staff or value not in POLY_ONLY_KINDS]


@transaction.atomic
def preference_set(*, user: User, kind: str, delivery: str) -> NotificationPreference:
    """How the person hears of one kind of event: at once, in the daily digest, or not at all."""
    errors = {}
    if kind not in dict(kinds_for(user)):
        errors["kind"] = [f"“{kind}” is not a kind of notification."]
    if delivery not in Delivery.values:
        errors["delivery"] = ["Choose immediate, digest or off."]
    if errors:
        raise ValidationError(errors)
    preference, _ = NotificationPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"delivery": delivery, "partner_id": user.partner_id})
    return preference


# ---- the daily digest --------------------------------------------------------------------------


def digests_send(*, now: datetime.datetime | None = None, brand_for: Callable[[User], str] | None = None) -> int:
    """One mail per person with what they chose to read in the digest since the last one.
    Safe to run twice: what a digest holds is marked, and its key names its newest entry."""
    now = now or timezone.now()
    sent = 0
    with staff_context(reason="daily notification digest"):
        recipients = (Notification.objects.filter(delivery=Delivery.DIGEST, digested_at__isnull=True,
                                                  created_at__lte=now)
                      .values_list("recipient_id", flat=True).distinct())
        for user in User.objects.filter(pk__in=list(recipients)).order_by("pk"):
            with transaction.atomic():
                due = list(Notification.objects.select_for_update(skip_locked=True)
                           .filter(recipient=user, delivery=Delivery.DIGEST, digested_at__isnull=True,
                                   created_at__lte=now).order_by("created_at", "pk"))
                if not due:
                    continue
                if user.is_active and user.email:
                    sender = _sender_name(user)
                    context = {"user": user, "items": due, "sender": sender,
                               "base_url": getattr(settings, "POLYPLUS_PORTAL_URL", "")}
                    queue_mail(
                        key=f"digest:{user.pk}:{due[-1].pk}", to=user.email,
                        subject=f"{sender}: {len(due)} update{'s' if len(due) != 1 else ''} on your cases",
                        text=render_to_string("notifications/mail/digest.txt", context),
                        html=render_to_string("notifications/mail/digest.html", context),
                        partner_id=user.partner_id,
                    )
                    sent += 1
                Notification.objects.filter(pk__in=[item.pk for item in due]).update(digested_at=now)
    return sent


def _sender_name(user: User) -> str:
    """Poly's name to Poly staff and partners' people alike, unless the partner has a brand of its own
    and the reader is the partner's or its customer's: then the brand."""
    if user.partner_id is None:
        return "Poly+ support"
    brand = getattr(user.partner, "brand", None) if hasattr(user.partner, "brand") else None
    return brand.display_name if brand is not None else "Poly+ support"
