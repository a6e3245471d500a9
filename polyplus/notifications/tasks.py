"""Celery tasks of the notifications app: thin wrappers, ids not objects, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from polyplus.notifications import outbox


@shared_task(
    name="polyplus.notifications.tasks.send_outbound_mail",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=1800,  # below the Redis visibility timeout (1 h), so a waiting retry is not redelivered
    retry_jitter=True,
    max_retries=8,
)
def send_outbound_mail(mail_id: int) -> bool:
    """Send one queued mail once; a mail already sent is left alone."""
    return outbox.deliver(mail_id)


@shared_task(name="polyplus.notifications.tasks.sweep_outbound_mail", acks_late=True)
def sweep_outbound_mail() -> int:
    """Every few minutes (beat): enqueue mails left unsent."""
    return outbox.sweep_unsent()
