"""Reports and their mail, exactly once, with real Celery workers on the real Redis (never eager).

A worker killed in the middle of a report, or after its commit but before its acknowledgement,
is replaced and the report comes out once with one mail per recipient; the schedule firing twice
makes one report; a failing mail server is retried and the mail still goes once.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core import mail
from django.db import connection

from polyplus.celery import app as celery_app
from polyplus.notifications.models import OutboundMail
from polyplus.portal import reports, tasks
from polyplus.portal.models import JobOutcome, JobRun, Report, ReportStatus
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Role
from tests import factories
from tests.notifications.test_outbox import FlakyBackend
from tests.portal.documents import enterprise_contract, last_month, pdf_text

SEND = "polyplus.notifications.tasks.send_outbound_mail"
MAKE = "polyplus.portal.tasks.make_report"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.worker


def _world():
    """A partner with one admin, an Enterprise customer with its CSM, and its contract (committed)."""
    with staff_context(reason="test: world"):
        partner = factories.PartnerFactory(name="Nordic Collaboration AB", slug="nordic")
        factories.UserFactory(partner=partner, role=Role.PARTNER_ADMIN, email="admin@nordic.example")
        customer = factories.CustomerFactory(partner=partner, name="Volvo Cars Göteborg")
        site = factories.SiteFactory(customer=customer, site_id="SE-GOT-001")
        csm = factories.PolyStaffFactory(role=Role.CSM, email="csm@poly.example")
        return enterprise_contract(site, csm=csm)


def _wait(condition, timeout: float = 120, every: float = 0.25):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError("timed out waiting")


def _report_state(contract):
    with staff_context(reason="test: read"):
        rows = list(Report.objects.filter(contract=contract).values_list("status", flat=True))
        mails = list(OutboundMail.objects.filter(key__startswith="csm-report:").values_list("to", "sent_at"))
    return rows, mails


# ---- a worker in a process of its own, killed ------------------------------------------------

def _test_database_url() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


class WorkerProcesses:
    def __init__(self, tmp_path: Path):
        self.queue = f"test-killed-{uuid.uuid4().hex[:10]}"
        self.mail_dir = tmp_path / "mail"
        self.markers = tmp_path / "markers"
        self.mail_dir.mkdir()
        self.markers.mkdir()
        self.processes: list[subprocess.Popen] = []

    def start(self, crash_at: str = "") -> subprocess.Popen:
        env = {**os.environ, "DATABASE_URL": _test_database_url(), "TEST_QUEUE": self.queue,
               "TEST_MAIL_DIR": str(self.mail_dir), "TEST_MARKER_DIR": str(self.markers),
               "TEST_CRASH_AT": crash_at}
        process = subprocess.Popen([sys.executable, "-m", "tests.portal.worker_process"], cwd=ROOT, env=env)
        self.processes.append(process)
        _wait(lambda: (self.markers / f"ready-{process.pid}").exists() or process.poll() is not None)
        assert process.poll() is None, "the worker did not start"
        return process

    def messages(self) -> list[str]:
        """Every message the workers sent, as text (the file backend writes them one after another)."""
        found = []
        for path in sorted(self.mail_dir.glob("*")):
            found += [part for part in re.split(r"\n-{79}\n", path.read_text()) if part.strip()]
        return found

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


@pytest.fixture
def workers(transactional_db, tmp_path):
    processes = WorkerProcesses(tmp_path)
    amqp, saved = celery_app.amqp, celery_app.conf.task_routes
    celery_app.conf.task_routes = {name: {"queue": processes.queue} for name in (MAKE, SEND)}
    amqp.flush_routes()
    amqp.router = amqp.Router()
    yield processes
    processes.stop()
    celery_app.conf.task_routes = saved
    amqp.flush_routes()
    amqp.router = amqp.Router()


def _request_report(contract) -> int:
    with staff_context(reason="test: ask for the report"):
        return reports.report_request(contract=contract, month=last_month()).pk


def _assert_one_report_and_one_mail_each(workers, contract, report_id) -> None:
    _wait(lambda: len(workers.messages()) >= 2 and _report_state(contract)[0] == [ReportStatus.DONE])
    time.sleep(8)  # past the visibility timeout: a stray redelivery would have shown by now
    statuses, mails = _report_state(contract)
    assert statuses == [ReportStatus.DONE]
    assert sorted(to for to, _ in mails) == ["admin@nordic.example", "csm@poly.example"]
    assert all(sent_at is not None for _, sent_at in mails)
    messages = workers.messages()
    assert sorted(re.search(r"^To: (.*)$", m, re.M).group(1) for m in messages) == \
        ["admin@nordic.example", "csm@poly.example"]
    assert all("application/pdf" in m and "-report-" in m for m in messages)
    with staff_context(reason="test: read"):
        report = Report.objects.get(pk=report_id)
        with report.pdf.open("rb") as stored:
            assert "210.00" in pdf_text(stored.read())


def test_a_worker_killed_in_the_middle_of_a_report_leaves_one_report_and_one_mail_each(workers):
    contract = _world()
    first = workers.start(crash_at="render")
    report_id = _request_report(contract)
    _wait(lambda: (workers.markers / "in-render").exists())
    statuses, mails = _report_state(contract)
    assert statuses == [ReportStatus.RUNNING] and mails == []  # mid-report: nothing stored or queued yet

    first.send_signal(signal.SIGKILL)
    first.wait(timeout=20)
    workers.start()

    _assert_one_report_and_one_mail_each(workers, contract, report_id)
    with staff_context(reason="test: read"):
        outcomes = sorted(JobRun.objects.filter(task_name=MAKE).values_list("outcome", flat=True))
    assert outcomes == [JobOutcome.LOST, JobOutcome.SUCCEEDED]


def test_a_worker_dying_after_the_commit_but_before_the_ack_leaves_one_report_and_one_mail_each(workers):
    contract = _world()
    first = workers.start(crash_at="after-commit")
    report_id = _request_report(contract)
    _wait(lambda: (workers.markers / "committed").exists())
    first.wait(timeout=20)
    workers.start()  # takes the redelivered report task (a no-op now) and the two mails
    _assert_one_report_and_one_mail_each(workers, contract, report_id)


# ---- the schedule twice, and a failing mail server (a worker thread) --------------------------

def _wait_for_mail(count: int, timeout: float = 120) -> list:
    _wait(lambda: len(mail.outbox) >= count, timeout)
    time.sleep(1)
    return mail.outbox


def test_the_schedule_firing_twice_makes_one_report_and_one_mail_each(route_to_worker, worker_queue):
    route_to_worker(MAKE, SEND)
    contract = _world()
    month = last_month().isoformat()
    first = tasks.make_monthly_reports.apply_async(args=[month], queue=worker_queue)
    second = tasks.make_monthly_reports.apply_async(args=[month], queue=worker_queue)
    assert (first.get(timeout=120), second.get(timeout=120)) == (1, 1)

    messages = _wait_for_mail(2)
    assert sorted(m.to[0] for m in messages) == ["admin@nordic.example", "csm@poly.example"]
    statuses, _ = _report_state(contract)
    assert statuses == [ReportStatus.DONE]
    [(filename, content, content_type)] = messages[0].attachments
    assert content_type == "application/pdf" and filename == f"NORDIC-C-0007-report-{last_month():%Y-%m}.pdf"
    assert "210.00" in pdf_text(content)


def test_a_failing_mail_server_is_retried_and_the_report_mailed_once(route_to_worker, worker_queue, settings,
                                                                    fast_retries):
    settings.EMAIL_BACKEND = "tests.notifications.test_outbox.FlakyBackend"
    FlakyBackend.failures_left = 2
    route_to_worker(MAKE, SEND)
    contract = _world()
    _request_report(contract)

    messages = _wait_for_mail(2)
    time.sleep(3)
    assert sorted(m.to[0] for m in messages) == ["admin@nordic.example", "csm@poly.example"]
    with staff_context(reason="test: read"):
        attempts = sorted(OutboundMail.objects.values_list("attempts", flat=True))
    assert sum(attempts) == 4  # two refusals, then each sent once
    assert _report_state(contract)[0] == [ReportStatus.DONE]


def test_a_report_that_keeps_failing_is_marked_failed_and_a_rerun_makes_it(route_to_worker, worker_queue,
                                                                           monkeypatch, fast_retries):
    from polyplus.portal import jobruns

    def broken(**kwargs):
        raise RuntimeError("font cache unreadable")

    monkeypatch.setattr(reports, "render_report_pdf", broken)
    monkeypatch.setattr(tasks.make_report, "max_retries", 1)
    route_to_worker(MAKE, SEND)
    contract = _world()
    with staff_context(reason="test: a Poly admin"):
        poly_admin = factories.PolyStaffFactory(role=Role.POLY_ADMIN, email="admin@poly.example")
    report_id = _request_report(contract)

    def outcomes() -> list[str]:
        with staff_context(reason="test: read"):
            return list(JobRun.objects.filter(task_name=MAKE).order_by("started_at").values_list("outcome", flat=True))

    # The report is marked failed inside the task; its run's outcome is written as the task ends, just after.
    _wait(lambda: _report_state(contract)[0] == [ReportStatus.FAILED] and JobOutcome.RUNNING not in outcomes())
    with staff_context(reason="test: read"):
        runs = list(JobRun.objects.filter(task_name=MAKE).order_by("started_at"))
        assert [run.outcome for run in runs] == [JobOutcome.RETRYING, JobOutcome.FAILED]
        assert "font cache unreadable" in runs[1].error
        assert runs[1].subject == f"Report NORDIC-C-0007 {last_month():%Y-%m}"
        assert Report.objects.get(pk=report_id).error == "RuntimeError: font cache unreadable"

    monkeypatch.undo()
    route_to_worker(MAKE, SEND)
    with staff_context(reason="test: rerun", actor=poly_admin):
        jobruns.job_run_rerun(run=runs[1], by=poly_admin)
    _wait(lambda: _report_state(contract)[0] == [ReportStatus.DONE])
    _wait_for_mail(2)
    with staff_context(reason="test: read"):
        rerun = JobRun.objects.get(rerun_of=runs[1])
        _wait(lambda: JobRun.objects.get(pk=rerun.pk).outcome == JobOutcome.SUCCEEDED, 30)
