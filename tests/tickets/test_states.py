"""The one state machine for pages and API: every illegal move refused with the same words,
the partner's moves, and reopening within the window set by Poly."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from polyplus.tenancy import services as tenancy_services
from tests import factories
from tests.tickets import DAY, MINUTE, UTC, Clock, cover, open_case, set_status
from tickets import services
from tickets.models import CaseStatus, CaseStatusChange

ALL = list(CaseStatus.values)
ILLEGAL = [(a, b) for a in ALL for b in ALL if b not in services.TRANSITIONS[a]]


@pytest.fixture
def case(partner_a_engineer, site_a):
    cover(site_a)
    return open_case(partner_a_engineer, site_a)


def test_the_table_has_every_status_and_fifteen_illegal_moves():
    assert set(services.TRANSITIONS) == set(ALL)
    assert len(ILLEGAL) == 15


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_every_illegal_transition_is_refused_with_the_same_words_by_service_and_api(
        api_for, poly_support, case, from_status, to_status):
    set_status(case, from_status, resolved_at=case.opened_at if from_status in ("resolved", "closed") else None)

    with pytest.raises(ValidationError) as refused:
        services.case_transition(by=poly_support, case=case, to_status=to_status)
    response = api_for(poly_support).post(f"/api/v1/cases/{case.pk}/transition/", {"status": to_status},
                                          format="json")

    assert response.status_code == 400
    assert response.json() == refused.value.message_dict
    assert refused.value.message_dict["status"][0].startswith(
        f"A case that is {CaseStatus(from_status).label.lower()} cannot become")
    case.refresh_from_db()
    assert case.status == from_status
    assert not CaseStatusChange.objects.filter(case=case).exists()


@pytest.mark.parametrize("to_status", [CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_PARTNER])
def test_a_partner_may_not_set_in_progress_or_waiting_from_new(api_for, partner_a_engineer, case, to_status):
    with pytest.raises(PermissionDenied) as refused:
        services.case_transition(by=partner_a_engineer, case=case, to_status=to_status)
    response = api_for(partner_a_engineer).post(f"/api/v1/cases/{case.pk}/transition/", {"status": to_status},
                                                format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": str(refused.value), "code": "permission_denied"}
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_a_partner_walks_its_own_moves_and_each_is_recorded(monkeypatch, partner_a_engineer, poly_support, site_a):
    clock = Clock(monkeypatch, datetime.datetime(2025, 5, 12, 8, 0, tzinfo=UTC))
    cover(site_a)
    case = open_case(partner_a_engineer, site_a)
    services.case_transition(by=poly_support, case=case, to_status=CaseStatus.WAITING_ON_PARTNER)
    moves = [CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED,
             CaseStatus.CLOSED]
    for to_status in moves:
        clock.advance(MINUTE)
        case = services.case_transition(by=partner_a_engineer, case=case, to_status=to_status)
        assert case.status == to_status

    changes = list(CaseStatusChange.objects.filter(case=case).values_list("from_status", "to_status", "by"))
    assert [(a, b) for a, b, _ in changes] == [
        ("new", "waiting_on_partner"), ("waiting_on_partner", "in_progress"), ("in_progress", "resolved"),
        ("resolved", "in_progress"), ("in_progress", "resolved"), ("resolved", "closed")]
    assert {by for _, _, by in changes[1:]} == {partner_a_engineer.pk}


def test_an_unknown_status_is_refused_with_the_same_words_by_service_and_api(api_for, poly_support, case):
    with pytest.raises(ValidationError) as refused:
        services.case_transition(by=poly_support, case=case, to_status="on_hold")
    response = api_for(poly_support).post(f"/api/v1/cases/{case.pk}/transition/", {"status": "on_hold"},
                                          format="json")
    assert response.status_code == 400
    assert response.json() == refused.value.message_dict == {"status": ["“on_hold” is not a case status."]}


@pytest.fixture
def resolved(monkeypatch, partner_a_engineer, poly_support, site_a):
    """A case resolved at a known instant, and the clock to move past it."""
    clock = Clock(monkeypatch, datetime.datetime(2025, 5, 12, 8, 0, 30, tzinfo=UTC))
    cover(site_a)
    case = open_case(partner_a_engineer, site_a)
    clock.advance(2 * MINUTE)
    services.case_transition(by=poly_support, case=case, to_status=CaseStatus.RESOLVED)
    case.refresh_from_db()
    return case, clock


@pytest.mark.parametrize("closed", [False, True], ids=["resolved", "closed"])
def test_a_case_reopens_until_the_last_minute_of_the_window(api_for, partner_a_engineer, resolved, closed):
    case, clock = resolved
    if closed:
        clock.advance(DAY)
        services.case_transition(by=partner_a_engineer, case=case, to_status=CaseStatus.CLOSED)
    clock.set(case.resolved_at + 14 * DAY)  # the default window: 14 days, this minute included

    response = api_for(partner_a_engineer).post(f"/api/v1/cases/{case.pk}/transition/", {"status": "in_progress"},
                                                format="json")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"


@pytest.mark.parametrize("closed", [False, True], ids=["resolved", "closed"])
def test_a_case_cannot_be_reopened_after_the_window(api_for, partner_a_engineer, resolved, closed):
    case, clock = resolved
    if closed:
        services.case_transition(by=partner_a_engineer, case=case, to_status=CaseStatus.CLOSED)
    clock.set(case.resolved_at + 14 * DAY + MINUTE)

    with pytest.raises(ValidationError) as refused:
        services.case_transition(by=partner_a_engineer, case=case, to_status=CaseStatus.IN_PROGRESS)
    response = api_for(partner_a_engineer).post(f"/api/v1/cases/{case.pk}/transition/", {"status": "in_progress"},
                                                format="json")

    expected = {"status": ["A case can be reopened within 14 days of its resolution; open a new case."]}
    assert refused.value.message_dict == expected
    assert (response.status_code, response.json()) == (400, expected)
    case.refresh_from_db()
    assert case.status == (CaseStatus.CLOSED if closed else CaseStatus.RESOLVED)


def test_the_reopen_window_is_a_poly_setting(poly_admin, partner_a_engineer, resolved):
    case, clock = resolved
    tenancy_services.policy_setting_set(by=poly_admin, key="case_reopen_days", value="3")

    clock.set(case.resolved_at + 3 * DAY + MINUTE)
    with pytest.raises(ValidationError) as refused:
        services.case_transition(by=partner_a_engineer, case=case, to_status=CaseStatus.IN_PROGRESS)
    assert refused.value.message_dict["status"] == [
        "A case can be reopened within 3 days of its resolution; open a new case."]

    clock.set(case.resolved_at + 3 * DAY)
    assert services.case_transition(by=partner_a_engineer, case=case,
                                    to_status=CaseStatus.IN_PROGRESS).status == CaseStatus.IN_PROGRESS


@pytest.mark.parametrize("persona", ["customer_viewer", "csm"])
def test_a_reader_may_not_move_a_case(request, api_for, case, persona):
    reader = request.getfixturevalue(persona)
    if persona == "csm":
        factories.CsmAssignmentFactory(customer=case.customer, csm=reader)
    response = api_for(reader).post(f"/api/v1/cases/{case.pk}/transition/", {"status": "resolved"}, format="json")
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.case_transition(by=reader, case=case, to_status=CaseStatus.RESOLVED)
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW
