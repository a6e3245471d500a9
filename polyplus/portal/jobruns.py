"""The record of background job runs, written from Celery's signals, and running a failed one again.

Each tracked task's run gets a JobRun row: started, then succeeded, failed (with the error),
retrying (with the error; the retry is a run of its own) or lost (the worker died; the broker
delivers the task again, which starts a new run with the same task id). Rows are written in
transactions of their own, in Poly's staff context, so a run whose work rolls back is still
recorded. Recording never breaks a task: a failure to record is logged and ignored.
"""

from __future__ import annotations

import logging
import traceback
import uuid
from collections.abc import Callable

from celery import current_app, signals
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from polyplus.portal.models import JobOutcome, JobRun, Quote, Report
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import User

logger = logging.getLogger("polyplus.portal.jobruns")


def _describe_report(args, kwargs) -> tuple[str, int | None]:
    report_id = (args or [kwargs.get("report_id")])[0]
    report = Report.objects.select_related("contract").filter(pk=report_id).first()
    if report is None:
        return f"report #{report_id}", None
    return f"Report {report.contract.number} {report.month:%Y-%m}", report.partner_id


def _describe_quote(args, kwargs) -> tuple[str, int | None]:
    quote_id = (args or [kwargs.get("quote_id")])[0]
    quote = Quote.objects.filter(pk=quote_id).first()
    if quote is None:
        return f"quote #{quote_id}", None
    return f"Quote {quote.number} ({quote.get_kind_display()})", quote.partner_id


def _describe_argument(label: str) -> Callable:
    def describe(args, kwargs) -> tuple[str, int | None]:
        given = list(args or []) + [value for value in (kwargs or {}).values()]
        return (f"{label} {given[0]}" if given and given[0] else ""), None

    return describe


# Task name → (name shown, how to describe one run's subject and partner).
TRACKED: dict[str, tuple[str, Callable]] = {
    "polyplus.portal.tasks.make_monthly_reports": ("Monthly CSM reports", _describe_argument("month")),
    "polyplus.portal.tasks.make_report": ("CSM report", _describe_report),
    "polyplus.portal.tasks.make_due_quotes": ("True-up and renewal quotes", _describe_argument("as of")),
    "polyplus.portal.tasks.make_quote": ("Quote", _describe_quote),
    "polyplus.portal.tasks.remind_overdue_returns": ("RMA return reminders", _describe_argument("as of")),
    "polyplus.tenancy.tasks.remind_expiring_certifications": ("Certification reminders",
                                                              _describe_argument("as of")),
}
PERIODIC = ["polyplus.portal.tasks.make_monthly_reports", "polyplus.portal.tasks.make_due_quotes",
            "polyplus.portal.tasks.remind_overdue_returns", "polyplus.tenancy.tasks.remind_expiring_certifications"]


def job_label(task_name: str) -> str:
    return TRACKED.get(task_name, (task_name, None))[0]


def _record(work: Callable[[], None]) -> None:
    try:
        with staff_context(reason="job runs"):
            work()
    except Exception:  # the record is for people; the task itself must go on
        logger.exception("could not record a job run")


def _json_safe(value):
    import json

    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


@signals.task_prerun.connect
def _run_started(sender=None, task_id=None, task=None, args=None, kwargs=None, **extra) -> None:
    name = getattr(task, "name", "")
    if name not in TRACKED:
        return

    def work() -> None:
        now = timezone.now()
        # A run still "running" under this task id lost its worker: the broker redelivered it.
        JobRun.objects.filter(task_id=task_id, outcome=JobOutcome.RUNNING).update(
            outcome=JobOutcome.LOST, finished_at=now, error="The worker stopped during the run; delivered again."
        )
        subject, partner_id = TRACKED[name][1](args, kwargs)
        attempt = getattr(task.request, "retries", 0) or 0
        queued = JobRun.objects.filter(task_id=task_id, outcome=JobOutcome.QUEUED).first()
        if queued is not None:  # a rerun asked for in the portal
            JobRun.objects.filter(pk=queued.pk).update(outcome=JobOutcome.RUNNING, started_at=now,
                                                       subject=subject, partner_id=partner_id)
            return
        JobRun.objects.create(task_name=name, task_id=task_id, args=_json_safe(list(args or [])),
                              kwargs=_json_safe(dict(kwargs or {})), subject=subject, partner_id=partner_id,
                              attempt=attempt, started_at=now)

    _record(work)


def _finish(task_id: str, outcome: str, error: str = "") -> None:
    def work() -> None:
        run = JobRun.objects.filter(task_id=task_id, outcome=JobOutcome.RUNNING).order_by("-started_at").first()
        if run is not None:
            JobRun.objects.filter(pk=run.pk).update(outcome=outcome, finished_at=timezone.now(), error=error[:4000])

    _record(work)


@signals.task_success.connect
def _run_succeeded(sender=None, **extra) -> None:
    if getattr(sender, "name", "") in TRACKED:
        _finish(sender.request.id, JobOutcome.SUCCEEDED)


@signals.task_retry.connect
def _run_retrying(sender=None, request=None, reason=None, **extra) -> None:
    if getattr(sender, "name", "") in TRACKED:
        _finish(request.id, JobOutcome.RETRYING, f"{reason}")


@signals.task_failure.connect
def _run_failed(sender=None, task_id=None, exception=None, einfo=None, **extra) -> None:
    if getattr(sender, "name", "") in TRACKED:
        detail = "".join(traceback.format_exception_only(type(exception), exception)).strip()
        _finish(task_id, JobOutcome.FAILED, detail)


# ---- reading and rerunning (the Poly admin's page) -----------------------------------------

def job_runs_visible_to(user: User) -> QuerySet[JobRun]:
    if not (user.is_authenticated and user.is_poly_admin):
        return JobRun.objects.none()
    return JobRun.objects.all()


def latest_runs_per_job(user: User) -> list[dict]:
    """Each periodic job with its latest run (one query per job: a fixed handful)."""
    runs = job_runs_visible_to(user)
    return [{"task_name": name, "label": job_label(name),
             "latest": runs.filter(task_name=name).order_by("-started_at", "-pk").first()} for name in PERIODIC]


RERUNNABLE = (JobOutcome.FAILED, JobOutcome.LOST)


@transaction.atomic
def job_run_rerun(*, run: JobRun, by: User) -> JobRun:
    """Run a failed job again with its arguments; the new run is recorded as its rerun."""
    if not by.is_poly_admin:
        raise PermissionDenied("Only a Poly admin may run a job again.")
    if run.outcome not in RERUNNABLE:
        raise ValidationError({"run": [f"Only a failed run can be run again; this one is "
                                       f"{run.get_outcome_display().lower()}."]})
    if run.reruns.exists():
        raise ValidationError({"run": ["This run has already been run again."]})
    if run.task_name == "polyplus.portal.tasks.make_report":
        Report.objects.filter(pk=(run.args or [None])[0], status="failed").update(status="queued", error="")
    elif run.task_name == "polyplus.portal.tasks.make_quote":
        Quote.objects.filter(pk=(run.args or [None])[0], status="failed").update(status="queued", error="")
    task_id = str(uuid.uuid4())
    rerun = JobRun.objects.create(
        task_name=run.task_name, task_id=task_id, args=run.args, kwargs=run.kwargs, subject=run.subject,
        partner_id=run.partner_id, outcome=JobOutcome.QUEUED, rerun_of=run, rerun_by=by,
    )
    task = current_app.tasks[run.task_name]
    args, kwargs = list(run.args or []), dict(run.kwargs or {})
    transaction.on_commit(lambda: task.apply_async(args=args, kwargs=kwargs, task_id=task_id), robust=True)
    return rerun
