"""Helpers for tests of queued mail."""

from django.core import mail

from polyplus.notifications import outbox
from polyplus.notifications.models import OutboundMail


def deliver_queued() -> list:
    """Send what the outbox holds, as the worker would (the worker path has tests of its own),
    and return django's test outbox."""
    for mail_id in OutboundMail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        outbox.deliver(mail_id)
    return mail.outbox
