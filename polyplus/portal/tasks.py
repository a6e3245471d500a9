"""Celery tasks of the portal: thin wrappers that take ids, open a context and call a service.

All are idempotent (the reports' and quotes' unique keys, the outbox's mail keys), acks_late
(a task whose worker dies is delivered again) and retried with backoff.
"""

from __future__ import annotations

import datetime

from celery import shared_task

from polyplus.portal import quotes, reminders, reports

RETRY = {
    "acks_late": True,
    "autoretry_for": (Exception,),
    "retry_backoff": 30,
    "retry_backoff_max": 1800,  # below the Redis visibility timeout (1 h), so a waiting retry is not redelivered
    "retry_jitter": True,
    "max_retries": 6,
}


def _last_try(task) -> bool:
    return task.request.retries >= task.max_retries


@shared_task(name="polyplus.portal.tasks.make_monthly_reports", **RETRY)
def make_monthly_reports(month: str | None = None) -> int:
    """The schedule (5th of the month by default): last month's report for every Enterprise contract.

    `month` (ISO date of its first day) is for reruns; by default the month before today.
    """
    day = datetime.date.fromisoformat(month) if month else reports.previous_month(datetime.date.today())
    return len(reports.reports_request_month(month=day))


@shared_task(name="polyplus.portal.tasks.make_report", bind=True, **RETRY)
def make_report(self, report_id: int) -> int:
    try:
        return reports.report_make(report_id=report_id).pk
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        if _last_try(self):
            reports.report_mark_failed(report_id=report_id, error=message)
        else:
            reports.report_note_error(report_id=report_id, error=message)
        raise


@shared_task(name="polyplus.portal.tasks.make_due_quotes", **RETRY)
def make_due_quotes(today: str | None = None) -> dict:
    """Daily: a quote for each proposed true-up, and each renewal due within the window."""
    return quotes.quotes_due(today=datetime.date.fromisoformat(today) if today else None)


@shared_task(name="polyplus.portal.tasks.make_quote", bind=True, **RETRY)
def make_quote(self, quote_id: int) -> int:
    try:
        return quotes.quote_make(quote_id=quote_id).pk
    except Exception as exc:
        message = f"{type(exc).__name__}: {exc}"
        if _last_try(self):
            quotes.quote_mark_failed(quote_id=quote_id, error=message)
        else:
            quotes.quote_note_error(quote_id=quote_id, error=message)
        raise


@shared_task(name="polyplus.portal.tasks.remind_overdue_returns", **RETRY)
def remind_overdue_returns(today: str | None = None) -> int:
    """Daily: mail each partner's admins about failed units overdue for return, not marked as sent back."""
    return reminders.overdue_return_reminders_send_all(
        today=datetime.date.fromisoformat(today) if today else None
    )
