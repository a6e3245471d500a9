"""Helpers for tests of notifications and queued mail."""

from django.core import mail

from polyplus.notifications import outbox, services
from polyplus.notifications.models import Event, OutboundMail


def fan_out_pending() -> None:
    """Tell everyone of the events recorded so far, as the worker does after commit."""
    for event_id in Event.objects.filter(processed_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        services.event_fan_out(event_id)


def deliver_queued() -> list:
    """Fan out the recorded events and send what the outbox holds, as the worker would (the worker
    path has tests of its own); return django's test outbox."""
    fan_out_pending()
    for mail_id in OutboundMail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        outbox.deliver(mail_id)
    return mail.outbox


def mailed_to() -> list[str]:
    """Who got mail, sorted (one address a message)."""
    return sorted(address for message in deliver_queued() for address in message.to)
