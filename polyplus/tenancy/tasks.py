"""Celery tasks of the tenancy app: thin wrappers that call a service and can run twice."""

from __future__ import annotations

import datetime

from celery import shared_task

from polyplus.tenancy import reminders


@shared_task(
    name="polyplus.tenancy.tasks.remind_expiring_certifications",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=60,
    retry_backoff_max=1800,  # below the Redis visibility timeout (1 h), so a waiting retry is not redelivered
    retry_jitter=True,
    max_retries=8,
)
def remind_expiring_certifications(today: str | None = None) -> int:
    """Daily (beat, see tenancy migration 0003): mail partners' admins about expiring certifications.

    `today` (ISO date) is for reruns of a missed day; by default it is the current date.
    Returns the number of reminders sent.
    """
    day = datetime.date.fromisoformat(today) if today else None
    return reminders.certification_reminders_send_all(today=day)
