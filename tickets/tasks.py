"""Celery tasks of the tickets app: thin wrappers that call a service and can run twice."""

from __future__ import annotations

from celery import shared_task

from polyplus.tenancy.context import staff_context
from tickets import services


@shared_task(
    name="tickets.tasks.monitor_sla",
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=50,  # the next minute's run does the same work
    max_retries=3,
)
def monitor_sla() -> dict[str, int]:
    """Every minute (beat, tickets migration 0005): warn of SLA times coming up, escalate breached cases."""
    with staff_context(reason="SLA monitor"):
        return services.sla_monitor_run()
