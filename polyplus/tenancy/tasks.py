"""Celery tasks of the tenancy app: thin wrappers that call a service and can run twice."""

from __future__ import annotations

import datetime

from celery import shared_task

from polyplus.tenancy import invitations, reminders
from polyplus.tenancy.context import partner_context, staff_context


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


@shared_task(
    name="polyplus.tenancy.tasks.send_invitation",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=1800,
    retry_jitter=True,
    max_retries=8,
)
def send_invitation(user_id: int, partner_id: int | None, base_url: str) -> bool:
    """Mail a new person the link to set their password, unless they already have one."""
    if partner_id is None:
        with staff_context(reason="invitation mail"):
            return invitations.invitation_send(user_id=user_id, base_url=base_url)
    with partner_context(partner_id=partner_id, reason="invitation mail"):
        return invitations.invitation_send(user_id=user_id, base_url=base_url)
