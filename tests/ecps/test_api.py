"""The ecps/ API: the flow from request to the provider's incident number and on to resolution,
refused moves as 400s naming the missing thing with nothing changed, bad input never a 500,
internal updates hidden from partners and customers, and the lists' query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ecps import services
from ecps.models import CloudAgreement, CloudAuthorisation, Escalation, EscalationUpdate
from tests import factories
from tests.ecps import DAY, EXE, PDF, agreement, escalate, ready_customer, teams, today_at, webex
from tests.tickets import open_case


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def state(escalation) -> tuple:
    row = Escalation.objects.get(pk=escalation.pk)
    return (row.status, row.provider_incident_number, row.findings, row.closed_at,
            EscalationUpdate.objects.filter(escalation=row).count())


def test_a_partner_escalates_a_case_and_poly_records_the_providers_incident_number(
        api_for, partner_a_engineer, poly_support, site_a):
    ready_customer(partner_a_engineer, site_a, teams())
    case = open_case(partner_a_engineer, site_a)
    partner = api_for(partner_a_engineer)
    created = partner.post("/api/v1/ecps/", {"case": case.pk, "cloud_provider": teams().pk,
                                            "problem": "Teams calls drop after an hour."}, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "requested" and body["agreement_on_file"] and not body["authorisation_needed"]
    pk = body["id"]

    poly = api_for(poly_support)
    opened = poly.post(f"/api/v1/ecps/{pk}/open-incident/", {"provider_incident_number": "TEAMS-INC-77"},
                       format="json")
    assert opened.status_code == 200, opened.content
    assert opened.json()["status"] == "opened_with_provider"
    poly.post(f"/api/v1/ecps/{pk}/add-update/", {"body": "Provider engineer name: Jo.", "internal": True},
              format="json")
    poly.post(f"/api/v1/ecps/{pk}/add-update/", {"body": "Provider confirms a fix on Friday."}, format="json")
    assert poly.post(f"/api/v1/ecps/{pk}/request-joint-call/", {"note": "Mornings"},
                     format="json").status_code == 201

    seen = partner.get(f"/api/v1/ecps/{pk}/").json()
    assert seen["provider_incident_number"] == "TEAMS-INC-77"
    assert [u["body"] for u in seen["updates"]] == ["Provider confirms a fix on Friday."]
    assert seen["updates"][0]["author"] == "Poly support"
    assert len(seen["joint_calls"]) == 1
    assert len(poly.get(f"/api/v1/ecps/{pk}/").json()["updates"]) == 2

    resolved = partner.post(f"/api/v1/ecps/{pk}/resolve/", {"resolution": "Fixed."}, format="json")
    assert resolved.json()["status"] == "resolved"


def test_a_customer_viewer_reads_the_incident_number_and_public_updates_only(api_for, partner_a_engineer,
                                                                             poly_support, customer_viewer, site_a):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="WX-42")
    services.escalation_add_update(by=poly_support, escalation=escalation, body="Secret PX-1", internal=True)
    services.escalation_add_update(by=poly_support, escalation=escalation, body="Provider is on it.")
    viewer = api_for(customer_viewer)
    listed = viewer.get("/api/v1/ecps/").json()["results"]
    assert [row["provider_incident_number"] for row in listed] == ["WX-42"]
    detail = viewer.get(f"/api/v1/ecps/{escalation.pk}/")
    assert "Secret PX-1" not in detail.content.decode()
    assert [u["body"] for u in detail.json()["updates"]] == ["Provider is on it."]
    assert viewer.post(f"/api/v1/ecps/{escalation.pk}/add-update/", {"body": "x"}, format="json").status_code == 403
    assert viewer.get("/api/v1/cloud-agreements/").json()["count"] == 0


# (action, body, the field the 400 names)
REFUSALS = [
    ("open-incident", {}, "provider_incident_number"),
    ("open-incident", {"provider_incident_number": "   "}, "provider_incident_number"),
    ("open-incident", {"provider_incident_number": "X" * 101}, "provider_incident_number"),
    ("open-incident", {"provider_incident_number": ["a"]}, "provider_incident_number"),
    ("refer", {}, "findings"),
    ("refer", {"findings": " "}, "findings"),
    ("resolve", {}, "status"),
    ("add-update", {"body": ""}, "body"),
    ("add-update", {"body": "x", "internal": "maybe"}, "internal"),
    ("request-joint-call", {"note": "n" * 501}, "note"),
    ("schedule-joint-call", {"joint_call": 987654, "scheduled_for": "2030-01-01T10:00:00Z"}, "joint_call"),
    ("schedule-joint-call", {"joint_call": 1, "scheduled_for": "2030-02-30T10:00:00Z"}, "scheduled_for"),
    ("schedule-joint-call", {"joint_call": "x", "scheduled_for": "soon"}, "joint_call"),
]


@pytest.mark.parametrize(("action", "body", "field"), REFUSALS, ids=[f"{a}-{f}-{i}" for i, (a, _, f)
                                                                      in enumerate(REFUSALS)])
def test_a_refused_move_is_a_400_naming_the_missing_thing_and_changes_nothing(api_for, partner_a_engineer,
                                                                              poly_support, site_a, action, body,
                                                                              field):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    before = state(escalation)
    response = api_for(poly_support).post(f"/api/v1/ecps/{escalation.pk}/{action}/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert state(escalation) == before


def test_opening_without_an_agreement_or_authorisation_names_it(api_for, partner_a_engineer, site_a):
    client = api_for(partner_a_engineer)
    waiting = escalate(partner_a_engineer, site_a, teams())
    response = client.post(f"/api/v1/ecps/{waiting.pk}/open-incident/", {"provider_incident_number": "T-1"},
                           format="json")
    assert response.status_code == 400 and "authorisation" in response.json()
    no_agreement = escalate(partner_a_engineer, site_a, webex())
    detail = client.get(f"/api/v1/ecps/{no_agreement.pk}/").json()
    assert detail["agreement_on_file"] is False
    response = client.post(f"/api/v1/ecps/{no_agreement.pk}/open-incident/", {"provider_incident_number": "W-1"},
                           format="json")
    assert response.status_code == 400 and "agreement" in response.json()


def test_a_partner_may_not_refer_or_write_internal_updates(api_for, partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    client = api_for(partner_a_engineer)
    assert client.post(f"/api/v1/ecps/{escalation.pk}/refer/", {"findings": "x"}, format="json").status_code == 403
    assert client.post(f"/api/v1/ecps/{escalation.pk}/add-update/", {"body": "x", "internal": True},
                       format="json").status_code == 403
    assert state(escalation)[0] == "requested"


CREATE_INPUTS = [
    ({}, "case"),
    ({"case": "abc", "cloud_provider": 1, "problem": "x"}, "case"),
    ({"case": 987654, "cloud_provider": 1, "problem": "x"}, "case"),
    ({"case": "{case}", "cloud_provider": 987654, "problem": "x"}, "cloud_provider"),
    ({"case": "{case}", "cloud_provider": "{provider}", "problem": ""}, "problem"),
    ({"case": "{case}", "cloud_provider": "{provider}", "problem": "bad\x00"}, "problem"),
    ({"case": 10**30, "cloud_provider": "{provider}", "problem": "x"}, "case"),
]


@pytest.mark.parametrize(("body", "field"), CREATE_INPUTS, ids=[f"{f}-{i}" for i, (_, f) in enumerate(CREATE_INPUTS)])
def test_bad_input_to_create_is_a_400_naming_the_field(api_for, partner_a_engineer, site_a, body, field):
    case = open_case(partner_a_engineer, site_a)
    ids = {"case": case.pk, "provider": webex().pk}
    body = {k: (int(v.format(**ids)) if isinstance(v, str) and v.startswith("{") else v) for k, v in body.items()}
    response = api_for(partner_a_engineer).post("/api/v1/ecps/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Escalation.objects.exists()


def test_another_partners_case_cannot_be_escalated_and_is_not_named(api_for, partner_b_engineer, partner_a_engineer,
                                                                     site_a):
    case = open_case(partner_a_engineer, site_a)
    response = api_for(partner_b_engineer).post("/api/v1/ecps/", {"case": case.pk, "cloud_provider": webex().pk,
                                                                 "problem": "x"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"case": [f"No case has id {case.pk}."]}
    assert case.number not in response.content.decode()


def test_an_authorisation_is_uploaded_by_api_and_moves_a_waiting_escalation_on(api_for, partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, teams())
    client = api_for(partner_a_engineer)
    today = today_at(site_a)
    bad = client.post("/api/v1/cloud-authorisations/", {
        "customer": site_a.customer_id, "cloud_provider": teams().pk, "signed_on": today.isoformat(),
        "valid_until": (today + 30 * DAY).isoformat(),
        "file": SimpleUploadedFile("signed.pdf", EXE, content_type="application/pdf")}, format="multipart")
    assert bad.status_code == 400 and "file" in bad.json()
    assert not CloudAuthorisation.objects.exists()
    good = client.post("/api/v1/cloud-authorisations/", {
        "customer": site_a.customer_id, "cloud_provider": teams().pk, "signed_on": today.isoformat(),
        "valid_until": (today + 30 * DAY).isoformat(),
        "file": SimpleUploadedFile("signed.pdf", PDF, content_type="application/pdf")}, format="multipart")
    assert good.status_code == 201, good.content
    assert state(escalation)[0] == "requested"
    downloaded = client.get(good.json()["download_url"])
    assert downloaded.status_code == 200 and b"".join(downloaded.streaming_content).startswith(b"%PDF")


def test_an_agreement_is_recorded_by_api(api_for, partner_a_engineer, site_a):
    client = api_for(partner_a_engineer)
    response = client.post("/api/v1/cloud-agreements/", {"customer": site_a.customer_id, "cloud_provider": webex().pk,
                                                         "reference": "WX-EA-9", "valid_until": "2030-12-31"},
                           format="json")
    assert response.status_code == 201, response.content
    bad = client.post("/api/v1/cloud-agreements/", {"customer": site_a.customer_id, "cloud_provider": webex().pk,
                                                    "reference": " ", "valid_until": "2130-12-31"}, format="json")
    assert bad.status_code == 400 and {"valid_until"} <= set(bad.json())
    assert CloudAgreement.objects.count() == 1


def test_only_a_poly_admin_changes_the_provider_list(api_for, poly_admin, poly_support, partner_a_admin):
    before = len(api_for(partner_a_admin).get("/api/v1/cloud-providers/").json()["results"])
    body = {"name": "Amazon Chime", "requires_authorisation": False, "direct_engagement": False}
    assert api_for(partner_a_admin).post("/api/v1/cloud-providers/", body, format="json").status_code == 403
    assert api_for(poly_support).post("/api/v1/cloud-providers/", body, format="json").status_code == 403
    created = api_for(poly_admin).post("/api/v1/cloud-providers/", body, format="json")
    assert created.status_code == 201, created.content
    again = api_for(poly_admin).post("/api/v1/cloud-providers/", {**body, "name": "amazon chime"}, format="json")
    assert again.status_code == 400 and "name" in again.json()
    assert len(api_for(partner_a_admin).get("/api/v1/cloud-providers/").json()["results"]) == before + 1


# ---- query counts ------------------------------------------------------------------------------

def add_escalations(n, *, engineer, poly_support, site):
    for i in range(n):
        escalation = escalate(engineer, site, webex() if i % 2 else teams())
        services.escalation_add_update(by=poly_support, escalation=escalation, body=f"Note {i}", internal=i % 3 == 0)
        if i % 4 == 0:
            services.escalation_cancel(by=engineer, escalation=escalation)


@pytest.mark.parametrize(("persona", "path", "pinned"), [
    ("partner_a_engineer", "ecps/", 9),
    ("poly_support", "ecps/?open=true&search=Volvo", 9),
    ("customer_viewer", "ecps/", 9),
])
def test_the_ecps_list_costs_the_same_queries_for_3_rows_as_for_30(request, api_for, partner_a_engineer, poly_support,
                                                                  site_a, persona, path, pinned):
    agreement(site_a.customer, webex(), valid_until=today_at(site_a) + DAY)
    client = api_for(request.getfixturevalue(persona))
    counts = []
    for n in (3, 27):
        add_escalations(n, engineer=partner_a_engineer, poly_support=poly_support, site=site_a)
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/" + path, {"page_size": 100})
        assert response.status_code == 200
        counts.append((len(captured.captured_queries), response.json()["count"]))
    assert counts[1][1] > counts[0][1]
    assert counts[0][0] == counts[1][0] == pinned, counts


def test_an_escalation_detail_costs_the_same_queries_whatever_its_updates(api_for, partner_a_engineer, poly_support,
                                                                          site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    client = api_for(partner_a_engineer)
    counts = []
    for n in (3, 30):
        for i in range(n):
            services.escalation_add_update(by=poly_support, escalation=escalation, body=f"U{i}")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v1/ecps/{escalation.pk}/").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_a_csm_sees_the_escalations_of_assigned_customers_only(api_for, partner_a_engineer, site_a, csm):
    escalate(partner_a_engineer, site_a, webex())
    assert api_for(csm).get("/api/v1/ecps/").json()["count"] == 0
    factories.CsmAssignmentFactory(customer=site_a.customer, csm=csm)
    assert api_for(csm).get("/api/v1/ecps/").json()["count"] == 1
