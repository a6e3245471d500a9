"""The mail outbox: queued in the caller's transaction, sent once after commit by a real worker
on the real Redis, retried with backoff when the mail server fails, swept when left unsent."""

import datetime
import smtplib
import time

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from polyplus.notifications import outbox
from polyplus.notifications.models import OutboundMail
from polyplus.notifications.outbox import queue_mail
from polyplus.notifications.tasks import send_outbound_mail, sweep_outbound_mail
from polyplus.tenancy.context import partner_context, staff_context
from tests import factories
from tests.notifications import deliver_queued

SEND = "polyplus.notifications.tasks.send_outbound_mail"


def wait_for_mail(count: int, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)  # and nothing more arrives
    return mail.outbox


def mail_row(key: str) -> OutboundMail:
    with staff_context(reason="test: read the outbox"):
        return OutboundMail.objects.get(key=key)


class FlakyBackend(BaseEmailBackend):
    """Refuses the first two attempts, then delivers to django's test outbox."""

    failures_left = 2

    def send_messages(self, email_messages):
        if FlakyBackend.failures_left > 0:
            FlakyBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("mail server went away")
        mail.outbox.extend(email_messages)
        return len(email_messages)


def test_a_second_call_with_the_same_key_queues_nothing(db):
    first = queue_mail(key="case-reply:1:2", to="eng@nordic.example", subject="Hello", text="Body")
    second = queue_mail(key="case-reply:1:2", to="eng@nordic.example", subject="Hello again", text="Body")

    assert second.pk == first.pk
    assert OutboundMail.objects.count() == 1
    assert [m.subject for m in deliver_queued()] == ["Hello"]


def test_text_html_headers_and_stored_attachments_are_sent(db):
    stored = default_storage.save("test-outbox/log.txt", ContentFile(b"boot loop at 03:12"))
    queue_mail(key="k", to="eng@nordic.example", subject="Case NORD-1", text="plain", html="<p>rich</p>",
               headers={"Message-ID": "<a@polyplus>", "In-Reply-To": "<case@polyplus>"},
               attachments=[("log.txt", stored, "text/plain")])
    [message] = deliver_queued()
    default_storage.delete(stored)

    assert message.body == "plain"
    assert tuple(message.alternatives[0]) == ("<p>rich</p>", "text/html")
    assert tuple(message.attachments[0]) == ("log.txt", "boot loop at 03:12", "text/plain")
    parsed = message.message()
    assert parsed["Message-ID"] == "<a@polyplus>" and parsed["In-Reply-To"] == "<case@polyplus>"


def test_a_partner_sees_its_own_mails_only_and_none_without_a_partner(db, partner_a, partner_b):
    queue_mail(key="a", to="eng@nordic.example", subject="A", text="A", partner_id=partner_a.pk)
    queue_mail(key="b", to="eng@wisla.example", subject="B", text="B", partner_id=partner_b.pk)
    queue_mail(key="poly", to="support@poly.example", subject="P", text="P")

    with partner_context(partner_id=partner_a.pk, reason="test"):
        assert list(OutboundMail.objects.values_list("key", flat=True)) == ["a"]


@pytest.mark.worker
def test_a_committed_mail_is_sent_once_by_the_worker_and_a_redelivery_sends_nothing(route_to_worker):
    route_to_worker(SEND)
    with staff_context(reason="test: queue a mail"):
        queue_mail(key="case-reply:7:9", to="eng@nordic.example", subject="Reply on NORD-7", text="Hi")
        assert mail.outbox == []  # not before the commit

    assert [m.to for m in wait_for_mail(1)] == [["eng@nordic.example"]]
    row = mail_row("case-reply:7:9")
    assert row.sent_at is not None and row.attempts == 1


@pytest.mark.worker
def test_a_redelivered_task_mails_once(worker_queue):
    with staff_context(reason="test: queue a mail"):
        mail_id = OutboundMail.objects.create(key="k1", to="eng@nordic.example", subject="S", text="T").pk

    results = [send_outbound_mail.apply_async(args=[mail_id], queue=worker_queue) for _ in range(3)]

    assert [result.get(timeout=60) for result in results] == [True, False, False]
    assert len(mail.outbox) == 1
    assert mail_row("k1").attempts == 1


@pytest.mark.worker
def test_a_failing_mail_server_is_retried_with_backoff_and_the_mail_sent_once(worker_queue, settings, fast_retries):
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    FlakyBackend.failures_left = 2
    with staff_context(reason="test: queue a mail"):
        mail_id = OutboundMail.objects.create(key="k2", to="eng@nordic.example", subject="S", text="T").pk

    send_outbound_mail.apply_async(args=[mail_id], queue=worker_queue)

    assert [m.to for m in wait_for_mail(1)] == [["eng@nordic.example"]]
    row = mail_row("k2")
    assert (row.attempts, row.last_error) == (3, "")
    assert row.sent_at is not None


@pytest.mark.worker
def test_a_rolled_back_transaction_sends_nothing(route_to_worker):
    route_to_worker(SEND)
    with pytest.raises(RuntimeError), staff_context(reason="test: queue then fail"):
        queue_mail(key="k3", to="eng@nordic.example", subject="S", text="T")
        raise RuntimeError("the request failed after queueing")

    time.sleep(1)
    assert mail.outbox == []
    with staff_context(reason="test: read the outbox"):
        assert not OutboundMail.objects.exists()


@pytest.mark.worker
def test_the_sweeper_sends_a_mail_left_unsent_when_the_broker_was_down(route_to_worker, worker_queue):
    route_to_worker(SEND)
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    with staff_context(reason="test: a mail whose enqueue was lost"):
        partner = factories.PartnerFactory(name="Nordic Collaboration AB", slug="nordic")
        OutboundMail.objects.create(key="lost", to="eng@nordic.example", subject="S", text="T",
                                    partner=partner, created_at=long_ago)
        OutboundMail.objects.create(key="fresh", to="eng@nordic.example", subject="S", text="T",
                                    created_at=timezone.now())  # its own task is still on its way

    assert sweep_outbound_mail.apply_async(queue=worker_queue).get(timeout=60) == 1
    assert [m.to for m in wait_for_mail(1)] == [["eng@nordic.example"]]
    assert sweep_outbound_mail.apply_async(queue=worker_queue).get(timeout=60) == 0


def test_the_task_is_acknowledged_late_and_retried():
    assert send_outbound_mail.acks_late is True
    assert send_outbound_mail.max_retries > 0 and send_outbound_mail.retry_backoff


def test_beat_runs_the_sweeper(db):
    from django.apps import apps as django_apps
    from django_celery_beat.models import PeriodicTask

    migration = __import__("polyplus.notifications.migrations.0002_sweep_schedule", fromlist=["x"])
    migration.schedule_sweep(django_apps, None)
    assert PeriodicTask.objects.filter(task="polyplus.notifications.tasks.sweep_outbound_mail").exists()


def test_a_broker_down_at_commit_fails_nothing_and_the_mail_waits_for_the_sweeper(db, monkeypatch,
                                                                                   django_capture_on_commit_callbacks):
    def broker_down(mail_id):
        raise ConnectionError("broker down")

    monkeypatch.setattr(outbox, "_enqueue", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        queue_mail(key="k4", to="eng@nordic.example", subject="S", text="T")
    assert OutboundMail.objects.filter(key="k4", sent_at__isnull=True).exists()
    assert outbox.unsent_mail_ids(now=timezone.now() + datetime.timedelta(minutes=6)) == [
        OutboundMail.objects.get(key="k4").pk]
