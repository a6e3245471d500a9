"""Every read of notifications: a person's own, never anyone else's."""

from __future__ import annotations

from django.db.models import QuerySet

from polyplus.notifications.kinds import DEFAULT_DELIVERY
from polyplus.notifications.models import Notification, NotificationPreference
from polyplus.notifications.services import kinds_for
from polyplus.tenancy.models import User


def notifications_of(user: User) -> QuerySet[Notification]:
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def preferences_of(user: User) -> list[dict]:
    """Each kind the person can hear of, with their choice (at once unless they chose otherwise)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return [{"kind": kind, "label": label, "delivery": chosen.get(kind, DEFAULT_DELIVERY)}
            for kind, label in kinds_for(user)]
