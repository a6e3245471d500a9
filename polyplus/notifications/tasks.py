"""Celery tasks of the notifications app: thin wrappers, ids not objects, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from polyplus.notifications import outbox, services


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
    """Every few minutes (beat): enqueue events not fanned out and mails left unsent."""
    return services.events_sweep() + outbox.sweep_unsent()


@shared_task(
    name="polyplus.notifications.tasks.fan_out_event",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=10,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def fan_out_event(event_id: int) -> int:
    """Tell everyone an event concerns, once (the list, and mail now or in the digest)."""
    return services.event_fan_out(event_id)


@shared_task(
    name="polyplus.notifications.tasks.send_digests",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=60,
    retry_backoff_max=1800,
    max_retries=8,
)
def send_digests() -> int:
    """Daily (beat): one mail per person with what they chose to read in a digest."""
    return services.digests_send()
