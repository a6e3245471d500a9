"""A real Celery worker in a process of its own, which a test can kill with SIGKILL.

Run as `python -m tests.portal.worker_process`; configured by the environment the test gives it:
TEST_QUEUE (the queue it consumes, with the report and mail tasks routed there), TEST_MAIL_DIR
(mail is written there as files, one message after another), TEST_MARKER_DIR and TEST_CRASH_AT:

    render        make the report's PDF, then hang before storing it (the test kills the worker)
    after-commit  make the report whole (committed), then die before acknowledging the task

The broker's visibility timeout is a few seconds here (an hour in production), so a task whose
worker died is delivered again soon after.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "polyplus.settings")
django.setup()

from django.conf import settings  # noqa: E402

from polyplus.celery import app  # noqa: E402

VISIBILITY_TIMEOUT = 4

settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = os.environ["TEST_MAIL_DIR"]
queue = os.environ["TEST_QUEUE"]
markers = Path(os.environ["TEST_MARKER_DIR"])
crash_at = os.environ.get("TEST_CRASH_AT", "")

app.conf.broker_transport_options = {
    "visibility_timeout": VISIBILITY_TIMEOUT, "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
}
app.conf.task_routes = {name: {"queue": queue} for name in (
    "polyplus.portal.tasks.make_report", "polyplus.notifications.tasks.send_outbound_mail")}


def main() -> None:
    from celery import signals

    from polyplus.portal import reports

    if crash_at == "render":
        render = reports.render_report_pdf

        def render_then_hang(**kwargs):
            render(**kwargs)
            (markers / "in-render").touch()
            time.sleep(600)

        reports.render_report_pdf = render_then_hang
    elif crash_at == "after-commit":
        make = reports.report_make

        def make_then_die(**kwargs):
            report = make(**kwargs)
            (markers / "committed").touch()
            os._exit(1)
            return report

        reports.report_make = make_then_die

    @signals.worker_ready.connect
    def ready(**_):
        (markers / f"ready-{os.getpid()}").touch()

    app.worker_main(["worker", "--pool=solo", "--concurrency=1", "-Q", queue, "--without-heartbeat",
                     "--without-mingle", "--without-gossip", "--loglevel=WARNING", "-n", f"test-{os.getpid()}@%h"])


if __name__ == "__main__":
    main()
