"""End to end on the real worker and the real Redis: a reply is fanned out after commit and each
person is mailed once, however often the tasks run again."""

import time

import pytest
from django.core import mail

from polyplus.notifications.models import Event, Notification
from polyplus.notifications.tasks import fan_out_event, send_digests
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Role
from tests import factories
from tests.tickets import cover, open_case
from tickets import services
from tickets.tasks import monitor_sla


def wait_for_mail(count: int, timeout: float = 60) -> list:
    deadline = time.monotonic() + timeout
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)
    return mail.outbox


@pytest.mark.worker
def test_a_reply_reaches_the_partner_by_the_worker_once(route_to_worker, worker_queue):
    route_to_worker("polyplus.notifications.tasks.fan_out_event", "polyplus.notifications.tasks.send_outbound_mail")
    with staff_context(reason="test data"):
        partner = factories.PartnerFactory(name="Nordic Collaboration AB", slug="nordic")
        site = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner), site_id="SE-GOT-001")
        engineer = factories.UserFactory(partner=partner, role=Role.PARTNER_ENGINEER, email="eng@nordic.example")
        support = factories.PolyStaffFactory(role=Role.POLY_SUPPORT, email="support@poly.example")
        cover(site)
        case = open_case(engineer, site)
    with staff_context(reason="test: Poly replies", actor=support):
        services.case_comment_add(by=support, case=case, body="Please send the logs.")
        assert mail.outbox == []  # nothing before the commit

    assert [m.to for m in wait_for_mail(1)] == [["eng@nordic.example"]]
    with staff_context(reason="test: read"):
        event = Event.objects.get(kind="case_reply")
    # The broker hands the fan-out out again: nobody is told twice.
    assert fan_out_event.apply_async(args=[event.pk], queue=worker_queue).get(timeout=60) == 0
    time.sleep(1)
    assert len(mail.outbox) == 1
    with staff_context(reason="test: read"):
        assert Notification.objects.filter(recipient=engineer).count() == 1


@pytest.mark.worker
def test_the_monitor_and_the_digest_run_on_the_worker_and_twice_safely(worker_queue):
    assert monitor_sla.apply_async(queue=worker_queue).get(timeout=60) == {"warned": 0, "escalated": 0}
    assert send_digests.apply_async(queue=worker_queue).get(timeout=60) == 0


def test_beat_runs_the_monitor_every_minute_and_the_digest_daily(db):
    from django.apps import apps as django_apps
    from django_celery_beat.models import PeriodicTask

    __import__("tickets.migrations.0005_sla_monitor_schedule", fromlist=["x"]).schedule_monitor(django_apps, None)
    __import__("polyplus.notifications.migrations.0004_digest_schedule",
               fromlist=["x"]).schedule_digest(django_apps, None)
    tasks = {task.task: task for task in PeriodicTask.objects.all()}
    assert tasks["tickets.tasks.monitor_sla"].interval.every == 1
    assert tasks["polyplus.notifications.tasks.send_digests"].crontab.hour == "7"
