"""Onsite dispatch: only under the onsite option, after remote diagnostics with the partner's engineer,
never to install software updates or configure."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.tickets import DAY, cover, open_case, set_status
from tickets import services
from tickets.models import CaseStatus, OnsiteDispatch


def visit(**overrides) -> dict:
    return {"purpose": "hardware_repair", "remote_diagnostics_summary": "Swapped cables and PSU with the engineer; "
            "the camera module fails self-test.", "partner_engineer_name": "Anna Lind",
            "scheduled_for": (timezone.now() + DAY).isoformat(), "technician": "Poly field services", **overrides}


def request_visit(by, case, **overrides):
    data = visit(**overrides)
    data["scheduled_for"] = datetime.datetime.fromisoformat(data["scheduled_for"])
    return services.onsite_dispatch_request(by=by, case=case, **data)


@pytest.fixture
def case(partner_a_engineer, site_a):
    cover(site_a, onsite=True)
    return open_case(partner_a_engineer, site_a)


def test_a_visit_after_remote_diagnostics_under_the_onsite_option_is_scheduled(api_for, partner_a_engineer, case):
    client = api_for(partner_a_engineer)

    response = client.post(f"/api/v1/cases/{case.pk}/onsite-dispatches/", visit(), format="json")

    assert response.status_code == 201, response.content
    dispatch = OnsiteDispatch.objects.get()
    assert (dispatch.case, dispatch.partner_engineer_name, dispatch.status, dispatch.requested_by) == (
        case, "Anna Lind", "scheduled", partner_a_engineer)
    listed = client.get(f"/api/v1/cases/{case.pk}/onsite-dispatches/").json()
    assert [row["id"] for row in listed["results"]] == [dispatch.pk]
    assert listed["results"][0]["remote_diagnostics_summary"].startswith("Swapped cables")


def test_a_visit_is_refused_without_the_onsite_option(api_for, partner_a_engineer, partner_b_engineer, site_b):
    cover(site_b, onsite=False)
    case = open_case(partner_b_engineer, site_b)

    with pytest.raises(ValidationError) as refused:
        request_visit(partner_b_engineer, case)
    response = api_for(partner_b_engineer).post(f"/api/v1/cases/{case.pk}/onsite-dispatches/", visit(),
                                                format="json")

    assert refused.value.message_dict == {"case": ["The customer's contract has no onsite support extension."]}
    assert (response.status_code, response.json()) == (400, refused.value.message_dict)
    assert not OnsiteDispatch.objects.exists()


def test_a_visit_is_refused_for_a_case_without_a_contract(partner_a_engineer, site_a):
    case = open_case(partner_a_engineer, site_a)
    with pytest.raises(ValidationError) as refused:
        request_visit(partner_a_engineer, case)
    assert refused.value.message_dict == {"case": ["The customer's contract has no onsite support extension."]}


def test_a_visit_is_refused_for_a_case_the_contract_does_not_cover(partner_a_engineer, site_a):
    cover(site_a, onsite=True, categories=("video",))
    voice_case = open_case(partner_a_engineer, site_a, category="voice")

    with pytest.raises(ValidationError) as refused:
        request_visit(partner_a_engineer, voice_case)

    message = refused.value.message_dict["case"][0]
    assert message.startswith("A visit needs a covered case, and this one is not:")
    assert "does not cover voice" in message


@pytest.mark.parametrize(("purpose", "reason"), [
    ("software_update", "Onsite work never includes installing software updates or patches; the partner deploys "
                        "them (e.g. with Poly Lens)."),
    ("configuration", "Onsite work never includes configuration; the partner configures the product."),
])
def test_a_visit_to_install_updates_or_configure_is_refused_with_the_reason(api_for, partner_a_engineer, case,
                                                                            purpose, reason):
    with pytest.raises(ValidationError) as refused:
        request_visit(partner_a_engineer, case, purpose=purpose)
    response = api_for(partner_a_engineer).post(f"/api/v1/cases/{case.pk}/onsite-dispatches/",
                                                visit(purpose=purpose), format="json")

    assert refused.value.message_dict == {"purpose": [reason]}
    assert (response.status_code, response.json()) == (400, {"purpose": [reason]})
    assert not OnsiteDispatch.objects.exists()


def test_an_update_poly_needs_to_bring_the_product_back_is_allowed(partner_a_engineer, case):
    dispatch = request_visit(partner_a_engineer, case, purpose="restore_with_update")
    assert dispatch.purpose == "restore_with_update"


def test_remote_diagnostics_and_the_partners_engineer_are_required(api_for, partner_a_engineer, case):
    with pytest.raises(ValidationError) as refused:
        request_visit(partner_a_engineer, case, remote_diagnostics_summary="  ", partner_engineer_name="")
    response = api_for(partner_a_engineer).post(
        f"/api/v1/cases/{case.pk}/onsite-dispatches/",
        visit(remote_diagnostics_summary="  ", partner_engineer_name=""), format="json")

    expected = {
        "remote_diagnostics_summary": ["Poly works with the partner's engineer remotely first: record what was tried."],
        "partner_engineer_name": ["Name the partner's engineer who ran the remote diagnostics."],
    }
    assert refused.value.message_dict == expected
    assert (response.status_code, response.json()) == (400, expected)
    assert not OnsiteDispatch.objects.exists()


def test_a_visit_in_the_past_or_on_a_closed_case_is_refused(partner_a_engineer, case):
    with pytest.raises(ValidationError) as past:
        request_visit(partner_a_engineer, case, scheduled_for=(timezone.now() - DAY).isoformat())
    assert past.value.message_dict == {"scheduled_for": ["Schedule the visit in the future."]}

    set_status(case, CaseStatus.CLOSED)
    with pytest.raises(ValidationError) as closed:
        request_visit(partner_a_engineer, case)
    assert closed.value.message_dict == {"case": ["Visits are scheduled for open cases only."]}


def test_a_customer_viewer_reads_visits_but_may_not_request_one(api_for, customer_viewer, partner_a_engineer, case):
    request_visit(partner_a_engineer, case)
    client = api_for(customer_viewer)

    assert client.get(f"/api/v1/cases/{case.pk}/onsite-dispatches/").json()["count"] == 1
    response = client.post(f"/api/v1/cases/{case.pk}/onsite-dispatches/", visit(), format="json")
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        request_visit(customer_viewer, case)
    assert OnsiteDispatch.objects.count() == 1
