"""Queue a mail in the caller's transaction; a worker sends it once after commit.

This is the one way the portal sends product mail:

- `queue_mail(...)` writes an OutboundMail row in the caller's transaction and enqueues
  `send_outbound_mail(mail_id)` when that transaction commits. Rolled back, nothing is sent.
- `key` is unique: the same (event, recipient) key queues nothing the second time.
- The task locks the row, sends, and records `sent_at` in the same transaction; a redelivered
  or retried task finds it sent and does nothing. A failing mail server is retried with backoff
  and every failure is recorded on the row.
- A sweeper (beat, every few minutes) re-enqueues mails left unsent, e.g. when the broker was
  down at commit.

The one window no mail system closes: the mail server accepted the message and the worker
died before its COMMIT. That mail is sent again on the next attempt (once more, at most per
crash), which beats losing it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.files.storage import default_storage
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from polyplus.notifications.models import OutboundMail
from polyplus.tenancy.context import staff_context

logger = logging.getLogger("polyplus.notifications")

SWEEP_AFTER = datetime.timedelta(minutes=5)
SWEEP_RETRY_EVERY = datetime.timedelta(minutes=30)
SWEEP_GIVES_UP_AFTER_ATTEMPTS = 30


def queue_mail(*, key: str, to: str, subject: str, text: str, html: str = "",
               partner_id: int | None = None, headers: dict | None = None,
               attachments: Sequence[tuple[str, str, str]] = ()) -> OutboundMail:
    """Queue one message to one address, sent once after the caller's transaction commits.

    A second call with the same `key` queues nothing and returns the first mail (or, when the
    first is not visible in the caller's tenant context, an unsaved copy of this one).
    A mail without `partner_id` can only be written in a staff context (row-level security).
    """
    key = key[:200]
    existing = OutboundMail.objects.filter(key=key).first()
    if existing is not None:
        return existing
    mail = OutboundMail(key=key, partner_id=partner_id, to=to, subject=" ".join(subject.split())[:300],
                        text=text, html=html, headers=dict(headers or {}),
                        attachments=[list(item) for item in attachments])
    try:
        with transaction.atomic():
            mail.save()
    except IntegrityError:
        # Queued a moment ago by a concurrent transaction (now committed).
        return OutboundMail.objects.filter(key=key).first() or mail
    mail_id = mail.pk
    transaction.on_commit(lambda: _enqueue(mail_id), robust=True)
    return mail


def _enqueue(mail_id: int) -> None:
    from polyplus.notifications.tasks import send_outbound_mail

    send_outbound_mail.delay(mail_id)


def _message(mail: OutboundMail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject=mail.subject, body=mail.text, from_email=settings.DEFAULT_FROM_EMAIL,
                                     to=[mail.to], headers=dict(mail.headers))
    if mail.html:
        message.attach_alternative(mail.html, "text/html")
    for filename, storage_name, content_type in mail.attachments:
        with default_storage.open(storage_name, "rb") as stored:
            message.attach(filename, stored.read(), content_type)
    return message


def deliver(mail_id: int) -> bool:
    """Send one queued mail unless it is sent already; True when this call sent it.

    The row stays locked while the mail server is talked to, so a second worker holding the
    same id waits, then finds it sent. A failure is recorded (committed) and raised again,
    for the task to retry.
    """
    failure: Exception | None = None
    with staff_context(reason="outbound mail"):
        mail = OutboundMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.sent_at is not None:
            return False
        mail.attempts += 1
        mail.last_attempt_at = timezone.now()
        try:
            _message(mail).send()
        except Exception as exc:  # recorded on the row, then retried by the task
            failure = exc
            mail.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            logger.warning("mail %s to %s failed (attempt %s): %s", mail.pk, mail.to, mail.attempts, exc)
        else:
            mail.sent_at = timezone.now()
            mail.last_error = ""
        mail.save(update_fields=["attempts", "last_attempt_at", "last_error", "sent_at"])
    if failure is not None:
        raise failure
    return True


def unsent_mail_ids(*, now: datetime.datetime | None = None) -> list[int]:
    """Mails that should have gone by now: queued a while ago, not tried lately, not given up on."""
    now = now or timezone.now()
    with staff_context(reason="outbound mail sweep"):
        stale = (OutboundMail.objects.filter(sent_at__isnull=True, created_at__lt=now - SWEEP_AFTER,
                                             attempts__lt=SWEEP_GIVES_UP_AFTER_ATTEMPTS)
                 .exclude(last_attempt_at__gte=now - SWEEP_RETRY_EVERY))
        return list(stale.order_by("created_at").values_list("pk", flat=True)[:1000])


def sweep_unsent(*, now: datetime.datetime | None = None) -> int:
    """Enqueue every mail left unsent (the broker was down at commit, a worker died, retries ran out)."""
    ids = unsent_mail_ids(now=now)
    for mail_id in ids:
        _enqueue(mail_id)
    return len(ids)
