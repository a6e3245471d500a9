"""Celery tasks of the installbase app: thin wrappers around services, ids not objects."""

from __future__ import annotations

from celery import shared_task

from installbase.inventory import inventory_upload_process


@shared_task(name="installbase.tasks.process_inventory_upload", acks_late=True, autoretry_for=(Exception,),
             retry_backoff=30, retry_backoff_max=1800, retry_jitter=True, max_retries=5)
def process_inventory_upload(upload_id: int) -> str:
    """Import a Poly Lens inventory upload (all or nothing); a rerun of a finished one does nothing."""
    upload = inventory_upload_process(upload_id=upload_id)
    return upload.status if upload is not None else "refused"
