"""Celery tasks of the contracts app: thin, idempotent wrappers around services."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.utils import timezone

from contracts import services
from polyplus.tenancy.context import staff_context


@shared_task(name="contracts.tasks.expire_ended_contracts", acks_late=True, autoretry_for=(Exception,),
             retry_backoff=60, retry_backoff_max=1800, max_retries=8)
def expire_ended_contracts(today: str | None = None) -> int:
    """Daily: active contracts whose last covered day has passed become expired. A rerun changes nothing."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    with staff_context(reason="daily job: expire ended contracts"):
        return services.contracts_expire_ended(today=day)
