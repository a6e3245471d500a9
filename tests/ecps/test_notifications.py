"""ECPS notifications as case events: the partner's people hear Poly's and the provider's news, Poly's
escalation managers hear the partner's requests, nobody hears of their own action, internal updates
are never sent, each event reaches each person once, in their list and by mail as they chose."""

import pytest

from ecps import services
from polyplus.notifications import services as notification_services
from polyplus.notifications.kinds import Delivery, EventKind
from polyplus.notifications.models import Notification, OutboundMail
from polyplus.tenancy.models import Role
from tests import factories
from tests.ecps import escalate, ready_customer, webex
from tests.notifications import fan_out_pending


@pytest.fixture
def manager(db):
    return factories.PolyStaffFactory(role=Role.ESCALATION_MANAGER, email="em@poly.example")


def mails() -> list[tuple[str, str]]:
    """The mails the events recorded so far make, as the worker makes them after commit."""
    fan_out_pending()
    return list(OutboundMail.objects.order_by("pk").values_list("to", "subject"))


def test_a_partners_request_mails_the_escalation_managers_not_the_partner(partner_a_engineer, manager, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    [(to, subject)] = mails()
    assert to == "em@poly.example"
    assert subject.endswith(f"{escalation.reference}: case {escalation.case.number} escalated to Webex")
    assert subject.startswith(f"[{escalation.case.number}]")  # threaded with the case's other mail


def test_the_incident_number_is_mailed_to_the_partner_engineer_on_the_case(partner_a_engineer, poly_support, manager,
                                                                           site_a):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    mails()
    OutboundMail.objects.all().delete()
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="WX-INC-5")
    mails()
    mail = OutboundMail.objects.get()
    assert mail.to == partner_a_engineer.email and mail.partner_id == site_a.partner_id
    assert "WX-INC-5" in mail.subject and "WX-INC-5" in mail.text


def test_internal_updates_are_never_mailed_and_public_ones_once_per_person(partner_a_engineer, poly_support, manager,
                                                                           site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    mails()
    OutboundMail.objects.all().delete()
    services.escalation_add_update(by=poly_support, escalation=escalation, body="PX secret", internal=True)
    assert mails() == []
    services.escalation_add_update(by=poly_support, escalation=escalation, body="Provider is on it.")
    assert sorted(to for to, _ in mails()) == sorted([partner_a_engineer.email, manager.email])
    assert not OutboundMail.objects.filter(text__contains="PX secret").exists()


def test_nobody_is_mailed_about_their_own_action(partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_cancel(by=partner_a_engineer, escalation=escalation)
    assert partner_a_engineer.email not in [to for to, _ in mails()]


def test_ecps_news_is_in_the_partners_list_and_follows_their_preference(partner_a_engineer, poly_support, manager,
                                                                         site_a):
    notification_services.preference_set(user=partner_a_engineer, kind=EventKind.ECPS_NEWS,
                                         delivery=Delivery.DIGEST)
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="WX-INC-7")
    mails()
    assert not OutboundMail.objects.filter(to=partner_a_engineer.email).exists()  # kept for the daily digest
    [news] = Notification.objects.filter(recipient=partner_a_engineer)
    assert news.kind == EventKind.ECPS_NEWS and "WX-INC-7" in news.title and news.case_id == escalation.case_id
    assert EventKind.ECPS_REQUEST not in dict(notification_services.kinds_for(partner_a_engineer))
