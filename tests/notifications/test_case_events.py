"""Who hears of what on a case: each event reaches exactly its people, once, as each chose;
never another partner's people, never a customer for an internal note, never a follower who
lost access. (README: "Who is notified of what".)"""

import datetime

import pytest
from django.core import mail

from contracts.models import Offering
from polyplus.notifications import services as notification_services
from polyplus.notifications.kinds import Delivery, EventKind
from polyplus.notifications.models import Event, Notification, OutboundMail
from polyplus.tenancy.models import Role
from tests import factories
from tests.notifications import deliver_queued, fan_out_pending, mailed_to
from tests.tickets import MINUTE, UTC, Clock, cover, open_case, set_status
from tickets import services
from tickets.models import CaseFollower, CaseOwnerChange, CaseStatus

SECRET = "customer's CFO is furious, offer a credit"


@pytest.fixture
def world(partner_a, partner_b, customer_a, site_a, partner_a_admin, partner_a_engineer, partner_b_admin,
          partner_b_engineer, poly_support, poly_admin, escalation_manager, csm, customer_viewer):
    """Partner A's case opened by its engineer; everyone else who must NOT hear of it unless a rule says so."""
    cover(site_a)
    other_customer = factories.CustomerFactory(partner=partner_a, name="Saab Linköping")
    factories.CustomerViewerFactory(customer=other_customer, email="it@saab.example")
    factories.UserFactory(partner=partner_a, role=Role.PARTNER_ENGINEER, email="eng2@nordic.example")
    factories.UserFactory(partner=partner_a, role=Role.PARTNER_ENGINEER, email="gone@nordic.example",
                          is_active=False)
    factories.PolyStaffFactory(role=Role.POLY_SUPPORT, email="support2@poly.example")
    factories.CustomerViewerFactory(customer=factories.CustomerFactory(partner=partner_b), email="it@orlen.example")
    case = open_case(partner_a_engineer, site_a, subject="Codec reboots every hour")
    fan_out_pending()
    mail.outbox.clear()
    return case


def test_a_public_reply_from_poly_reaches_the_partner_side_and_the_customer(world, poly_support):
    services.case_comment_add(by=poly_support, case=world, body="Please send the codec logs.")

    assert mailed_to() == ["eng@nordic.example", "it@volvo.example"]
    to_customer = next(m for m in mail.outbox if m.to == ["it@volvo.example"])
    assert "Please send the codec logs." in to_customer.body
    assert "support@poly.example" not in to_customer.body + to_customer.subject  # Poly's people are not named


def test_an_internal_note_reaches_poly_only(world, poly_support, partner_a_admin, partner_a_engineer):
    owner = factories.PolyStaffFactory(role=Role.POLY_SUPPORT, email="owner@poly.example")
    services.case_assign(by=poly_support, case=world, owner=owner)
    services.case_follow(by=partner_a_admin, case=world)
    deliver_queued()
    mail.outbox.clear()

    services.case_comment_add(by=poly_support, case=world, body=SECRET, internal=True)

    assert mailed_to() == ["owner@poly.example"]
    with_secret = [n.recipient.email for n in Notification.objects.filter(body__contains=SECRET)]
    assert with_secret == ["owner@poly.example"]


def test_a_partner_reply_reaches_poly_support_while_nobody_owns_the_case(world, partner_a_engineer):
    services.case_comment_add(by=partner_a_engineer, case=world, body="Logs attached.")

    # Every Poly support engineer (not the admin, the escalation manager or the CSM), and the customer.
    assert mailed_to() == ["it@volvo.example", "support2@poly.example", "support@poly.example"]


def test_a_partner_reply_reaches_only_the_owner_once_someone_owns_the_case(world, partner_a_engineer, poly_support):
    services.case_assign(by=poly_support, case=world, owner=poly_support)
    services.case_comment_add(by=partner_a_engineer, case=world, body="Logs attached.")

    assert mailed_to() == ["it@volvo.example", "support@poly.example"]


def test_asking_for_information_reaches_the_partner_owner_and_the_customer(world, poly_support, partner_a_admin):
    eng2 = factories.UserFactory(partner=world.partner, role=Role.PARTNER_ENGINEER, email="eng3@nordic.example")
    services.case_assign(by=partner_a_admin, case=world, partner_owner=eng2, note="Yours, you know the site.")
    assert mailed_to() == ["eng3@nordic.example"]  # told it was handed to them
    mail.outbox.clear()

    services.case_transition(by=poly_support, case=world, to_status=CaseStatus.WAITING_ON_PARTNER)

    assert mailed_to() == ["eng3@nordic.example", "it@volvo.example"]
    assert Event.objects.filter(kind=EventKind.CASE_INFO_REQUESTED).count() == 1


def test_a_reopened_case_reaches_the_poly_owner(world, poly_support, partner_a_engineer):
    services.case_assign(by=poly_support, case=world, owner=poly_support)
    set_status(world, CaseStatus.RESOLVED, resolved_at=world.opened_at)
    deliver_queued()
    mail.outbox.clear()

    services.case_transition(by=partner_a_engineer, case=world, to_status=CaseStatus.IN_PROGRESS)

    assert mailed_to() == ["it@volvo.example", "support@poly.example"]


def test_an_escalation_makes_the_manager_owner_and_the_previous_owner_a_follower(world, poly_support,
                                                                               escalation_manager):
    services.case_assign(by=poly_support, case=world, owner=poly_support)
    services.case_escalate(by=poly_support, case=world, reason="Reboot loop survives a factory reset.")
    world.refresh_from_db()

    assert world.owner == escalation_manager
    assert CaseFollower.objects.filter(case=world, user=poly_support).exists()
    assert list(CaseOwnerChange.objects.filter(case=world).values_list("to_user__email", flat=True)) == [
        "support@poly.example", "escalations@poly.example"]
    # The managers and the partner's side; the customer learns of it on its status page, not by mail.
    assert mailed_to() == ["eng@nordic.example", "escalations@poly.example"]


def test_the_previous_owner_keeps_hearing_of_the_case(world, poly_support, escalation_manager, partner_a_engineer):
    services.case_assign(by=poly_support, case=world, owner=poly_support)
    services.case_escalate(by=poly_support, case=world, reason="Needs a specialist.")
    deliver_queued()
    mail.outbox.clear()

    services.case_comment_add(by=partner_a_engineer, case=world, body="Still rebooting.")

    assert mailed_to() == ["escalations@poly.example", "it@volvo.example", "support@poly.example"]


def test_a_follower_who_lost_access_hears_nothing(world, poly_support, csm, customer_a):
    assignment = factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    services.case_follow(by=csm, case=world)
    gone = factories.UserFactory(partner=world.partner, role=Role.PARTNER_ENGINEER, email="left@nordic.example")
    services.case_follow(by=gone, case=world)
    services.case_comment_add(by=poly_support, case=world, body="First answer.")
    assert "csm@poly.example" in mailed_to() and "left@nordic.example" in mailed_to()
    mail.outbox.clear()

    assignment.delete()
    gone.is_active = False
    gone.save()
    services.case_comment_add(by=poly_support, case=world, body="Second answer.")

    assert mailed_to() == ["eng@nordic.example", "it@volvo.example"]


def test_a_partner_admin_can_follow_every_severity_one_case(partner_a_admin, partner_a_engineer, poly_support,
                                                            site_a, world):
    services.severity_one_follow_set(by=partner_a_admin, follow=True)
    severe = open_case(partner_a_engineer, site_a, severity=1, subject="All rooms down")

    services.case_comment_add(by=poly_support, case=world, body="On the severity 2 one.")
    services.case_comment_add(by=poly_support, case=severe, body="On the severity 1 one.")

    to_admin = [m for m in deliver_queued() if m.to == ["admin@nordic.example"]]
    assert [m.subject.split(":")[-1].strip() for m in to_admin] == ["Poly support replied"]
    assert "[" + severe.number + "]" in to_admin[0].subject


def test_preferences_digest_and_off(world, poly_support, partner_a_engineer, customer_viewer):
    notification_services.preference_set(user=partner_a_engineer, kind=EventKind.CASE_REPLY,
                                         delivery=Delivery.DIGEST)
    notification_services.preference_set(user=customer_viewer, kind=EventKind.CASE_REPLY, delivery=Delivery.OFF)

    services.case_comment_add(by=poly_support, case=world, body="One.")
    services.case_comment_add(by=poly_support, case=world, body="Two.")

    assert mailed_to() == []  # not at once
    assert Notification.objects.filter(recipient=partner_a_engineer).count() == 2
    assert not Notification.objects.filter(recipient=customer_viewer).exists()

    assert notification_services.digests_send() == 1
    assert notification_services.digests_send() == 0  # safe to run twice
    [digest] = deliver_queued()
    assert digest.to == ["eng@nordic.example"]
    assert "2 updates" in digest.subject and digest.body.count("Poly support replied") == 2
    assert f"http://127.0.0.1:8000/cases/{world.pk}/" in digest.body


def test_an_event_fanned_out_twice_tells_each_person_once(world, poly_support):
    services.case_comment_add(by=poly_support, case=world, body="Once.")
    event = Event.objects.get(kind=EventKind.CASE_REPLY)
    fan_out_pending()
    Event.objects.filter(pk=event.pk).update(processed_at=None)  # as if the worker died before recording it

    fan_out_pending()

    assert Notification.objects.filter(event=event).count() == 2
    assert OutboundMail.objects.count() == 2


def test_mail_threads_per_case_with_text_html_and_the_partner_brand(world, poly_support, partner_a):
    partner_a.brand.__class__.objects.filter(partner=partner_a).update(display_name="Nordic Care",
                                                                       primary_color="#123456")
    services.case_comment_add(by=poly_support, case=world, body="Please send the logs.")
    services.case_transition(by=poly_support, case=world, to_status=CaseStatus.WAITING_ON_PARTNER)

    messages = [m for m in deliver_queued() if m.to == ["eng@nordic.example"]]
    assert len(messages) == 2
    headers = [m.message() for m in messages]
    assert {h["In-Reply-To"] for h in headers} == {f"<case-{world.pk}@127.0.0.1>"}
    assert {h["References"] for h in headers} == {f"<case-{world.pk}@127.0.0.1>"}
    assert len({h["Message-ID"] for h in headers}) == 2
    assert all(h["From"].startswith("Nordic Care <") for h in headers)
    first = messages[0]
    assert first.subject == f"[{world.number}] S2 · SE-GOT-001 · Codec reboots every hour: Poly support replied"
    assert f"http://127.0.0.1:8000/cases/{world.pk}/" in first.body
    html, mimetype = first.alternatives[0]
    assert mimetype == "text/html" and "#123456" in html and "Please send the logs." in html


def test_mail_to_poly_staff_is_not_under_the_partner_brand(world, partner_a, partner_a_engineer):
    partner_a.brand.__class__.objects.filter(partner=partner_a).update(display_name="Nordic Care")
    services.case_comment_add(by=partner_a_engineer, case=world, body="Logs attached.")
    to_poly = next(m for m in deliver_queued() if m.to == ["support@poly.example"])
    assert to_poly.message()["From"].startswith("Poly+ support <")


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, datetime.datetime(2025, 5, 12, 8, 0, tzinfo=UTC))


def test_the_sla_monitor_warns_once_at_the_set_share_of_the_target(clock, partner_a_engineer, site_a, poly_support,
                                                                   customer_viewer):
    cover(site_a, offering=Offering.POLY_PLUS)
    case = open_case(partner_a_engineer, site_a, severity=1)  # first response within 1 h
    fan_out_pending()
    clock.advance(44 * MINUTE)
    assert services.sla_monitor_run() == {"warned": 0, "escalated": 0}

    clock.advance(1 * MINUTE)  # 75% of the hour
    runs = [services.sla_monitor_run() for _ in range(3)]

    assert [run["warned"] for run in runs] == [1, 0, 0]
    assert mailed_to() == ["eng@nordic.example", "support@poly.example"]  # nobody owns it: Poly support
    assert "First response due soon" in mail.outbox[0].subject
    assert case.number in mail.outbox[0].subject


def test_the_warning_share_is_a_setting(clock, partner_a_engineer, site_a, poly_admin):
    from polyplus.tenancy.models import PolicySetting

    PolicySetting.objects.create(key="sla_warning_percent", value="50")
    cover(site_a, offering=Offering.POLY_PLUS)
    open_case(partner_a_engineer, site_a, severity=1)
    clock.advance(31 * MINUTE)
    assert services.sla_monitor_run()["warned"] == 1


def test_a_breach_by_the_monitor_makes_an_escalation_manager_owner(clock, partner_a_engineer, site_a,
                                                                   escalation_manager):
    cover(site_a, offering=Offering.POLY_PLUS)
    case = open_case(partner_a_engineer, site_a, severity=1)
    clock.advance(61 * MINUTE)
    assert services.sla_monitor_run()["escalated"] == 1
    case.refresh_from_db()
    assert case.owner == escalation_manager
