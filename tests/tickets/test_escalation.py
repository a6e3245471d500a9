"""Escalation management: Poly support escalates with a reason; a breached target escalates
automatically once per breach, tells the escalation managers and the partner's admins (never
an internal note), and every escalation is on the case and in the audit log."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import Offering
from polyplus.tenancy.models import Role
from polyplus.tenancy.selectors import audit_events_visible_to
from tests import factories
from tests.notifications import deliver_queued
from tests.tickets import MINUTE, UTC, Clock, H, cover, open_case, set_status
from tickets import services
from tickets.models import CaseEscalation, CaseStatus, EscalationLevel

SECRET = "customer's CFO is furious, offer a credit"


@pytest.fixture
def case(partner_a_engineer, site_a):
    cover(site_a)
    return open_case(partner_a_engineer, site_a)


def test_poly_support_escalates_with_a_reason_and_it_shows_on_the_case(api_for, poly_support, partner_a_engineer,
                                                                        case):
    response = api_for(poly_support).post(f"/api/v1/cases/{case.pk}/escalate/",
                                          {"reason": "Reboot loop survives a factory reset."}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["escalation_level"] == EscalationLevel.TIER_2
    escalation = CaseEscalation.objects.get(case=case)
    assert (escalation.from_level, escalation.to_level, escalation.by) == (1, 2, poly_support)
    seen_by_partner = api_for(partner_a_engineer).get(f"/api/v1/cases/{case.pk}/").json()
    assert [(e["from_level"], e["to_level"], e["reason"], e["automatic"]) for e in seen_by_partner["escalations"]] == [
        (1, 2, "Reboot loop survives a factory reset.", False)]


def test_an_escalation_may_skip_to_a_named_level(poly_support, case):
    services.case_escalate(by=poly_support, case=case, reason="Firmware defect suspected", to_level=4)
    case.refresh_from_db()
    assert case.escalation_level == EscalationLevel.ENGINEERING


@pytest.mark.parametrize("reason", ["", "   "])
def test_an_escalation_without_a_reason_is_refused(api_for, poly_support, case, reason):
    with pytest.raises(ValidationError) as refused:
        services.case_escalate(by=poly_support, case=case, reason=reason)
    response = api_for(poly_support).post(f"/api/v1/cases/{case.pk}/escalate/", {"reason": reason}, format="json")
    missing = api_for(poly_support).post(f"/api/v1/cases/{case.pk}/escalate/", {}, format="json")

    assert refused.value.message_dict == {"reason": ["Say why the case needs a higher level."]}
    assert response.json() == missing.json() == refused.value.message_dict
    assert not CaseEscalation.objects.exists()


@pytest.mark.parametrize("persona", ["partner_a_engineer", "partner_a_admin"])
def test_a_partner_may_not_escalate(request, api_for, case, persona):
    partner_user = request.getfixturevalue(persona)
    response = api_for(partner_user).post(f"/api/v1/cases/{case.pk}/escalate/", {"reason": "Urgent!", "to_level": 9},
                                          format="json")
    assert response.status_code == 403
    assert response.json() == {"detail": "Only Poly support may do this.", "code": "permission_denied"}
    with pytest.raises(PermissionDenied):
        services.case_escalate(by=partner_user, case=case, reason="Urgent!")
    case.refresh_from_db()
    assert case.escalation_level == EscalationLevel.TIER_1
    assert not CaseEscalation.objects.exists()


@pytest.mark.parametrize("to_level", [1, 2])
def test_an_escalation_to_the_same_or_a_lower_level_is_refused(api_for, poly_support, case, to_level):
    services.case_escalate(by=poly_support, case=case, reason="Needs tier 2")

    with pytest.raises(ValidationError) as refused:
        services.case_escalate(by=poly_support, case=case, reason="Again", to_level=to_level)
    response = api_for(poly_support).post(f"/api/v1/cases/{case.pk}/escalate/",
                                          {"reason": "Again", "to_level": to_level}, format="json")

    assert refused.value.message_dict == {"to_level": ["Choose a level above the current one."]}
    assert (response.status_code, response.json()) == (400, refused.value.message_dict)
    assert CaseEscalation.objects.count() == 1


def test_a_case_at_engineering_cannot_go_higher(api_for, poly_support, case):
    services.case_escalate(by=poly_support, case=case, reason="Defect", to_level=EscalationLevel.ENGINEERING)

    response = api_for(poly_support).post(f"/api/v1/cases/{case.pk}/escalate/", {"reason": "More"}, format="json")

    assert (response.status_code, response.json()) == (
        400, {"to_level": ["The case is already with engineering, the highest level."]})


def test_a_closed_case_is_not_escalated(poly_support, case):
    set_status(case, CaseStatus.CLOSED)
    with pytest.raises(ValidationError) as refused:
        services.case_escalate(by=poly_support, case=case, reason="Late")
    assert refused.value.message_dict == {"status": ["Only an open case can be escalated."]}


@pytest.fixture
def breaching(monkeypatch, partner_a_engineer, poly_support, site_a, partner_a_admin, partner_b_admin,
              escalation_manager):
    """A Poly+ severity 1 case (1 h / 8 h) with an internal note, and who should hear of a breach."""
    clock = Clock(monkeypatch, datetime.datetime(2025, 5, 12, 8, 0, tzinfo=UTC))
    cover(site_a, offering=Offering.POLY_PLUS)
    case = open_case(partner_a_engineer, site_a, severity=1, subject="All rooms down in Göteborg")
    services.case_comment_add(by=poly_support, case=case, body=SECRET, internal=True)
    factories.PolyStaffFactory(role=Role.ESCALATION_MANAGER, email="former@poly.example", is_active=False)
    return case, clock


def test_a_breach_escalates_once_however_often_the_monitor_runs(breaching, escalation_manager, partner_a_admin):
    case, clock = breaching
    clock.advance(59 * MINUTE)
    assert services.cases_escalate_breached() == 0

    clock.advance(2 * MINUTE)
    runs = [services.cases_escalate_breached() for _ in range(4)]
    deliver_queued()

    assert runs == [1, 0, 0, 0]
    escalation = CaseEscalation.objects.get(case=case)
    assert (escalation.breach, escalation.breach_due_at, escalation.by) == ("first_response", case.first_response_due,
                                                                           None)
    assert escalation.reason == "First response target missed (due 2025-05-12 09:00 UTC)."
    case.refresh_from_db()
    assert case.escalation_level == EscalationLevel.TIER_2
    # One message each (never partner B's admins, nor a former manager); nobody sees the other's address.
    assert sorted(m.to for m in mail.outbox) == sorted([[escalation_manager.email], [partner_a_admin.email]])
    for message in mail.outbox:
        assert message.subject == f"Case {case.number} breached its first response target"
        assert "All rooms down in Göteborg" in message.body
        assert SECRET not in message.subject + message.body


def test_a_second_target_missed_is_a_second_escalation(breaching):
    case, clock = breaching
    clock.advance(2 * H)
    services.cases_escalate_breached()
    clock.advance(7 * H)
    assert services.cases_escalate_breached() == 1
    assert services.cases_escalate_breached() == 0
    deliver_queued()

    assert list(CaseEscalation.objects.filter(case=case).values_list("breach", "to_level")) == [
        ("first_response", 2), ("resolution", 3)]
    assert len(mail.outbox) == 4  # two breaches, each to the manager and the partner's admin
    assert all(SECRET not in m.subject + m.body for m in mail.outbox)


def test_a_case_waiting_on_the_partner_or_answered_in_time_is_not_escalated(breaching, poly_support,
                                                                             partner_a_engineer, site_a):
    waiting, clock = breaching
    services.case_transition(by=poly_support, case=waiting, to_status=CaseStatus.WAITING_ON_PARTNER)
    answered = open_case(partner_a_engineer, site_a, severity=1)
    clock.advance(30 * MINUTE)
    services.case_comment_add(by=poly_support, case=answered, body="On it.")

    clock.advance(2 * H)
    assert services.cases_escalate_breached() == 0
    assert not CaseEscalation.objects.exists()


def test_every_escalation_is_in_the_audit_log(breaching, poly_admin, poly_support, partner_a_admin):
    case, clock = breaching
    services.case_escalate(by=poly_support, case=case, reason="Customer-wide outage")
    clock.advance(2 * H)
    services.cases_escalate_breached()

    events = audit_events_visible_to(poly_admin).filter(pgh_obj_model="tickets.CaseEscalation",
                                                        pgh_label="insert")
    assert sorted((e.pgh_data["to_level"], e.pgh_data["reason"][:20]) for e in events) == [
        (2, "Customer-wide outage"), (3, "First response targe")]
    manual = next(e for e in events if e.pgh_data["by_id"])
    assert manual.pgh_context["user"] == poly_support.pk or manual.pgh_data["by_id"] == poly_support.pk
    case_events = audit_events_visible_to(partner_a_admin).filter(pgh_obj_model="tickets.CaseEscalation")
    assert case_events.count() == 2
