"""The daily certification reminder: a real Celery worker, a real Redis, the real database.

The worker runs in a thread of this process (celery.contrib.testing), so the test's
settings (the locmem mail backend) and the test database are the ones it uses. Data is
committed first (transactional_db) because the worker reads it on its own connection.
"""

import datetime
import smtplib

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from polyplus.tenancy import reminders
from polyplus.tenancy.context import partner_context, staff_context
from polyplus.tenancy.models import CertificationReminder, Role, ServiceCategory
from polyplus.tenancy.tasks import remind_expiring_certifications
from tests import factories

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def make_partners():
    """Nordic: two admins, video due in 10 days, voice not for 90, headset lapsed yesterday.
    Wisła: one admin, voice due on the window's last day. Mazur: due, but no admin."""
    nordic = factories.PartnerFactory(name="Nordic Collaboration AB", slug="nordic")
    wisla = factories.PartnerFactory(name="Wisła Systemy sp. z o.o.", slug="wisla")
    mazur = factories.PartnerFactory(name="Mazur IT", slug="mazur")
    for email in ("anna@nordic.example", "bjorn@nordic.example"):
        factories.UserFactory(partner=nordic, role=Role.PARTNER_ADMIN, email=email)
    factories.UserFactory(partner=nordic, role=Role.PARTNER_ENGINEER, email="eng@nordic.example")
    factories.UserFactory(partner=nordic, role=Role.PARTNER_ADMIN, email="gone@nordic.example", is_active=False)
    factories.UserFactory(partner=wisla, role=Role.PARTNER_ADMIN, email="admin@wisla.example")
    factories.CertificationFactory(partner=nordic, category=ServiceCategory.VIDEO, expires_on=days(10))
    factories.CertificationFactory(partner=nordic, category=ServiceCategory.VOICE, expires_on=days(90))
    factories.CertificationFactory(partner=nordic, category=ServiceCategory.HEADSET, expires_on=days(-1))
    factories.CertificationFactory(partner=wisla, category=ServiceCategory.VOICE, expires_on=days(30))
    factories.CertificationFactory(partner=mazur, category=ServiceCategory.VIDEO, expires_on=days(5))
    return nordic, wisla, mazur



@pytest.mark.worker
def test_a_real_worker_mails_each_admin_once_however_often_it_runs(worker_queue):
    with staff_context(reason="test data: certification reminders"):
        make_partners()

    first = remind_expiring_certifications.apply_async(queue=worker_queue).get(timeout=60)
    second = remind_expiring_certifications.apply_async(queue=worker_queue).get(timeout=60)

    assert (first, second) == (2, 0)
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "admin@wisla.example", "anna@nordic.example", "bjorn@nordic.example",
    ]
    nordic_mail = next(m for m in mail.outbox if m.to == ["anna@nordic.example"])
    assert "Video" in nordic_mail.subject and str(days(10)) in nordic_mail.subject
    assert "Voice" not in nordic_mail.body and "Headsets" not in nordic_mail.body
    with staff_context(reason="test: read reminders"):
        recorded = {(r.partner.slug, r.category, r.expires_on) for r in CertificationReminder.objects.all()}
    assert recorded == {("nordic", "video", days(10)), ("wisla", "voice", days(30))}


@pytest.mark.worker
def test_a_renewed_certification_is_reminded_again_for_its_new_expiry(worker_queue):
    with staff_context(reason="test data: certification reminders"):
        nordic, _, _ = make_partners()
    remind_expiring_certifications.apply_async(queue=worker_queue).get(timeout=60)
    mail.outbox.clear()
    with staff_context(reason="test data: renew and near the new expiry"):
        nordic.certifications.filter(category=ServiceCategory.VIDEO).update(expires_on=days(20))

    assert remind_expiring_certifications.apply_async(queue=worker_queue).get(timeout=60) == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@nordic.example", "bjorn@nordic.example"]


def test_the_task_is_acknowledged_only_after_it_ran():
    assert remind_expiring_certifications.acks_late is True
    assert remind_expiring_certifications.max_retries > 0


class RefusingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("mail server went away")


def test_a_failed_send_records_nothing_so_the_next_run_sends_it(db, settings):
    make_partners()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        reminders.certification_reminders_send_all()
    assert not CertificationReminder.objects.exists()

    settings.EMAIL_BACKEND = LOCMEM
    assert reminders.certification_reminders_send_all() == 2
    assert len(mail.outbox) == 3


def test_a_partner_without_an_admin_is_reminded_once_it_has_one(db, settings):
    settings.EMAIL_BACKEND = LOCMEM
    _, _, mazur = make_partners()
    with partner_context(partner_id=mazur.pk, reason="test"):
        assert reminders.certification_reminders_send(partner_id=mazur.pk) == []
    factories.UserFactory(partner=mazur, role=Role.PARTNER_ADMIN, email="admin@mazur.example")
    with partner_context(partner_id=mazur.pk, reason="test"):
        sent = reminders.certification_reminders_send(partner_id=mazur.pk)
    assert [r.category for r in sent] == ["video"]
    assert [m.to for m in mail.outbox] == [["admin@mazur.example"]]


def test_the_window_is_a_setting(db, settings):
    settings.EMAIL_BACKEND = LOCMEM
    settings.POLYPLUS_CERT_REMINDER_DAYS = 7
    nordic, wisla, mazur = make_partners()
    with partner_context(partner_id=nordic.pk, reason="test"):
        assert reminders.certifications_due_reminder(partner_id=nordic.pk, today=TODAY) == []
    with partner_context(partner_id=mazur.pk, reason="test"):
        assert len(reminders.certifications_due_reminder(partner_id=mazur.pk, today=TODAY)) == 1


def test_reminders_of_one_partner_are_invisible_to_another(db, settings):
    settings.EMAIL_BACKEND = LOCMEM
    nordic, wisla, _ = make_partners()
    reminders.certification_reminders_send_all()
    with partner_context(partner_id=wisla.pk, reason="test"):
        assert set(CertificationReminder.objects.values_list("partner__slug", flat=True)) == {"wisla"}


def test_beat_runs_it_every_morning(db):
    from django_celery_beat.models import PeriodicTask

    migration = __import__("polyplus.tenancy.migrations.0003_certification_reminder", fromlist=["x"])
    migration.schedule_daily_reminders(django_apps, None)
    migration.schedule_daily_reminders(django_apps, None)

    task = PeriodicTask.objects.get(name=migration.REMINDER_TASK_NAME)
    assert task.task == remind_expiring_certifications.name and task.enabled
    assert (task.crontab.minute, task.crontab.hour, task.crontab.day_of_week) == ("0", "6", "*")
