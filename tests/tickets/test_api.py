"""cases/ by API: opening, the fields of API.md, the queue's filters, search and order, comments and
the secrecy of internal notes, for each persona."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from contracts.models import Offering
from polyplus.tenancy import services as tenancy_services
from tests import factories
from tests.tickets import DAY, LOG, MINUTE, PNG, UTC, Clock, H, cover, open_case
from tickets import services
from tickets.models import Case, CaseSource, CaseStatus

API_MD_FIELDS = {"id", "number", "site_id", "severity", "category", "subject", "status", "entitled",
                 "entitlement_reason", "entitlement_explanation", "first_response_due", "first_response_at",
                 "resolution_due", "time_left_seconds", "breached", "paused", "escalation_level", "offering",
                 "priority", "flags", "opened_at"}
SECRET = "Known firmware defect PX-4411, do not tell the partner yet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def new_case(**overrides) -> dict:
    return {"site_id": "SE-GOT-001", "category": "video", "severity": 2, "subject": "Camera freezes",
            "description": "The Studio X50 camera freezes after 10 minutes in a call.", **overrides}


def test_a_partner_engineer_opens_a_case_by_api_with_the_fields_of_api_md(monkeypatch, api_for, partner_a_engineer,
                                                                          site_a):
    clock = Clock(monkeypatch, datetime.datetime(2025, 6, 1, 21, 59, tzinfo=UTC))
    cover(site_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    client = api_for(partner_a_engineer)

    response = client.post("/api/v1/cases/", new_case(site_id="se-got-001"), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) >= API_MD_FIELDS
    case = Case.objects.get()
    assert body["id"] == case.pk and body["number"] == "NORDIC-000001"
    assert (body["site_id"], body["severity"], body["category"], body["status"], body["source"]) == (
        "SE-GOT-001", 2, "video", "new", "api")
    assert (body["entitled"], body["entitlement_reason"], body["offering"], body["priority"]) == (
        True, "covered", "poly_plus_enterprise", 0)
    assert body["opened_at"] == "2025-06-01T21:59:00Z"
    assert body["first_response_due"] == "2025-06-01T23:59:00Z"
    assert body["resolution_due"] == "2025-06-02T21:59:00Z"
    assert (body["time_left_seconds"], body["breached"], body["paused"]) == (7200, False, False)
    assert (body["escalation_level"], body["first_response_at"], body["flags"]) == (1, None, [])
    assert body["description"].startswith("The Studio X50 camera")
    assert case.source == CaseSource.API and case.opened_by == partner_a_engineer

    clock.advance(2 * H + MINUTE)
    later = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert (later["time_left_seconds"], later["breached"], later["first_response_breached"]) == (-60, True, True)


def test_a_case_for_a_product_takes_its_category(api_for, partner_a_engineer, site_a):
    factories.ProductFactory(sku="SX-50", category="video")
    response = api_for(partner_a_engineer).post("/api/v1/cases/", new_case(category=None, product="sx-50"),
                                                format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["category"], response.json()["product"]) == ("video", "SX-50")


def test_hardware_replacement_by_api_names_the_unit(api_for, partner_a_engineer, site_a):
    cover(site_a, offering=Offering.POLY_PLUS)
    device = factories.DeviceFactory(site=site_a, product=factories.ProductFactory(sku="SX-50"), serial="SEGOT0001")
    response = api_for(partner_a_engineer).post(
        "/api/v1/cases/", new_case(hardware_replacement=True, serial="SEGOT0001"), format="json")

    assert response.status_code == 201, response.content
    assert (response.json()["serial"], response.json()["entitlement_reason"]) == ("SEGOT0001", "not_on_contract")
    assert Case.objects.get().device == device


def test_a_not_entitled_case_is_created_and_listed_with_its_reason(api_for, partner_a_engineer, site_a):
    client = api_for(partner_a_engineer)
    created = client.post("/api/v1/cases/", new_case(), format="json")

    assert created.status_code == 201
    assert (created.json()["entitled"], created.json()["entitlement_reason"]) == (False, "no_contract")
    assert "has no Poly+ contract" in created.json()["entitlement_explanation"]
    listed = client.get("/api/v1/cases/", {"entitled": "false"}).json()["results"]
    assert [row["id"] for row in listed] == [created.json()["id"]]


@pytest.fixture
def queue(monkeypatch, partner_a_engineer, partner_b_engineer, poly_support, site_a, site_b):
    """Cases of two partners in several states, at a fixed time."""
    clock = Clock(monkeypatch, datetime.datetime(2025, 5, 12, 8, 0, tzinfo=UTC))
    cover(site_a, offering=Offering.POLY_PLUS_ENTERPRISE, categories=("video", "voice"))
    cover(site_b, offering=Offering.POLY_PLUS)
    cases = {
        "a_down": open_case(partner_a_engineer, site_a, severity=1, subject="All rooms down"),
        "a_voice": open_case(partner_a_engineer, site_a, severity=3, category="voice", subject="Echo on calls"),
        "b_question": open_case(partner_b_engineer, site_b, severity=4, subject="How to pair a headset?"),
    }
    clock.advance(10 * MINUTE)
    cases["a_late_answer"] = open_case(partner_a_engineer, site_a, severity=1, subject="Late answer")
    clock.advance(50 * MINUTE)  # a_down and a_late_answer are past their 30-minute first response
    services.case_comment_add(by=poly_support, case=cases["a_late_answer"], body="Looking into it now.")
    cases["a_resolved"] = open_case(partner_a_engineer, site_a, severity=2, subject="Fixed itself")
    services.case_transition(by=poly_support, case=cases["a_resolved"], to_status=CaseStatus.RESOLVED)
    return {name: case.pk for name, case in cases.items()}, clock


def ids_of(client, **params) -> list:
    response = client.get("/api/v1/cases/", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_the_queue_filters_by_each_field(api_for, poly_support, queue, partner_b):
    cases, _ = queue
    client = api_for(poly_support)

    assert set(ids_of(client)) == set(cases.values())
    assert ids_of(client, partner=partner_b.pk) == [cases["b_question"]]
    assert set(ids_of(client, severity=1)) == {cases["a_down"], cases["a_late_answer"]}
    assert ids_of(client, category="voice") == [cases["a_voice"]]
    assert ids_of(client, status="resolved") == [cases["a_resolved"]]
    assert ids_of(client, site_id="pl-plo-001") == [cases["b_question"]]
    assert set(ids_of(client, open="true")) == set(cases.values()) - {cases["a_resolved"]}
    assert ids_of(client, escalation_level=2) == []


def test_breached_lists_exactly_the_cases_whose_breached_field_is_true(api_for, poly_support, queue):
    cases, _ = queue
    client = api_for(poly_support)
    rows = client.get("/api/v1/cases/", {"page_size": 200}).json()["results"]
    breached = {row["id"] for row in rows if row["breached"]}

    assert breached == {cases["a_down"], cases["a_late_answer"]}  # answered late still counts
    assert set(ids_of(client, breached="true")) == breached
    assert set(ids_of(client, breached="false")) == set(cases.values()) - breached


def test_search_finds_a_case_by_number_site_id_or_subject(api_for, poly_support, queue):
    cases, _ = queue
    client = api_for(poly_support)
    number = Case.objects.get(pk=cases["a_voice"]).number

    assert ids_of(client, search=number.lower()) == [cases["a_voice"]]
    assert ids_of(client, search="PL-PLO-001") == [cases["b_question"]]
    assert ids_of(client, search="echo") == [cases["a_voice"]]
    assert ids_of(client, search="nothing like this") == []


def test_the_default_order_is_the_sla_queue(api_for, poly_support, queue):
    cases, _ = queue
    client = api_for(poly_support)
    assert ids_of(client) == [cases["a_down"], cases["a_late_answer"], cases["a_voice"], cases["b_question"],
                              cases["a_resolved"]]
    assert ids_of(client, ordering="-opened_at")[0] == cases["a_resolved"]


def test_a_partner_lists_only_its_own_cases(api_for, partner_b_engineer, queue):
    cases, _ = queue
    assert ids_of(api_for(partner_b_engineer)) == [cases["b_question"]]


def test_a_customer_viewer_sees_its_customers_cases_without_flags(api_for, customer_viewer, partner_a_engineer,
                                                                  poly_support, site_a):
    factories.DeviceFactory(site=site_a, serial="UNLISTED1")  # makes the Poly+ customer non-compliant
    cover(site_a, offering=Offering.POLY_PLUS)
    case = open_case(partner_a_engineer, site_a)
    other_site = factories.SiteFactory(customer=factories.CustomerFactory(partner=site_a.partner))
    open_case(partner_a_engineer, other_site)
    assert case.entitlement_flags == ["customer_non_compliant"]

    viewer_rows = api_for(customer_viewer).get("/api/v1/cases/").json()["results"]
    staff_row = api_for(poly_support).get(f"/api/v1/cases/{case.pk}/").json()

    assert [(row["id"], row["flags"]) for row in viewer_rows] == [(case.pk, [])]
    assert api_for(customer_viewer).get(f"/api/v1/cases/{case.pk}/").json()["flags"] == []
    assert staff_row["flags"] == ["customer_non_compliant"]


def test_a_csm_reads_the_cases_of_the_customers_assigned_to_them(api_for, csm, partner_a_engineer, site_a,
                                                                 site_b, partner_b_engineer):
    factories.CsmAssignmentFactory(customer=site_a.customer, csm=csm)
    mine = open_case(partner_a_engineer, site_a)
    open_case(partner_b_engineer, site_b)

    assert ids_of(api_for(csm)) == [mine.pk]
    assert api_for(csm).post("/api/v1/cases/", new_case(), format="json").status_code == 403


@pytest.mark.parametrize("persona", ["customer_viewer", "csm"])
def test_a_reader_may_not_open_a_case_or_reply(request, api_for, partner_a_engineer, site_a, persona):
    reader = request.getfixturevalue(persona)
    factories.CsmAssignmentFactory(customer=site_a.customer, csm=reader) if persona == "csm" else None
    case = open_case(partner_a_engineer, site_a)
    client = api_for(reader)

    assert client.post("/api/v1/cases/", new_case(), format="json").status_code == 403
    assert client.post(f"/api/v1/cases/{case.pk}/comments/", {"body": "Hello"}, format="json").status_code == 403
    assert Case.objects.count() == 1
    assert not case.comments.exists()


def test_poly_supports_public_reply_by_api_is_the_first_response(api_for, poly_support, partner_a_engineer, site_a):
    case = open_case(partner_a_engineer, site_a)
    client = api_for(poly_support)

    internal = client.post(f"/api/v1/cases/{case.pk}/comments/", {"body": "Check PX-1", "internal": True},
                           format="json")
    public = client.post(f"/api/v1/cases/{case.pk}/comments/", {"body": "We are on it."}, format="json")

    assert (internal.status_code, public.status_code) == (201, 201)
    assert (public.json()["author"], public.json()["from_poly"], public.json()["internal"]) == (
        poly_support.full_name, True, False)
    detail = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert detail["first_response_at"] is not None and detail["status"] == "in_progress"


def test_a_partner_may_not_write_an_internal_note(api_for, partner_a_engineer, site_a):
    case = open_case(partner_a_engineer, site_a)
    response = api_for(partner_a_engineer).post(f"/api/v1/cases/{case.pk}/comments/",
                                                {"body": "psst", "internal": True}, format="json")
    assert (response.status_code, response.json()) == (
        403, {"detail": "Only Poly staff write internal notes.", "code": "permission_denied"})
    assert not case.comments.exists()


@pytest.fixture
def secret_case(partner_a_engineer, poly_support, site_a):
    """A case with a public reply, an internal note carrying an attachment, and a public attachment."""
    cover(site_a)
    case = open_case(partner_a_engineer, site_a)
    services.case_comment_add(by=poly_support, case=case, body="Please send the codec logs.")
    services.case_comment_add(by=poly_support, case=case, body=SECRET, internal=True,
                              uploads=(services.Upload("defect-PX-4411.log", _file(LOG), len(LOG)),))
    services.case_comment_add(by=partner_a_engineer, case=case, body="Logs attached.",
                              uploads=(services.Upload("room.png", _file(PNG), len(PNG)),))
    return case


def _file(content):
    return io.BytesIO(content)


@pytest.mark.parametrize("persona", ["partner_a_engineer", "partner_a_admin", "customer_viewer"])
def test_an_internal_note_never_reaches_a_partner_or_customer_by_api(request, api_for, secret_case, persona):
    client = api_for(request.getfixturevalue(persona))
    internal_attachment = secret_case.attachments.get(internal=True)
    public_attachment = secret_case.attachments.get(internal=False)

    responses = [client.get("/api/v1/cases/"), client.get(f"/api/v1/cases/{secret_case.pk}/"),
                 client.get(f"/api/v1/cases/{secret_case.pk}/comments/"),
                 client.get("/api/v1/cases/", {"search": "PX-4411"})]

    for response in responses:
        assert response.status_code == 200
        assert b"PX-4411" not in response.content and b"do not tell" not in response.content
    comments = responses[2].json()["results"]
    assert [c["body"] for c in comments] == ["Please send the codec logs.", "Logs attached."]
    support = "Nordic Collaboration AB support" if persona == "customer_viewer" else "Poly support"
    assert (comments[0]["author"], comments[0]["from_poly"]) == (support, True)  # white-labelled for a customer
    assert b"poly.example" not in responses[2].content
    assert [a["name"] for a in responses[1].json()["attachments"]] == ["room.png"]
    hidden = client.get(f"/api/v1/cases/{secret_case.pk}/attachments/{internal_attachment.pk}/")
    missing = client.get(f"/api/v1/cases/{secret_case.pk}/attachments/987654/")
    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json()) == (
        404, {"detail": "Not found.", "code": "not_found"})
    assert client.get(f"/api/v1/cases/{secret_case.pk}/attachments/{public_attachment.pk}/").status_code == 200


def test_poly_staff_read_internal_notes_and_their_attachments(api_for, poly_support, secret_case):
    client = api_for(poly_support)
    comments = client.get(f"/api/v1/cases/{secret_case.pk}/comments/").json()["results"]
    assert [(c["body"][:10], c["internal"]) for c in comments] == [
        ("Please sen", False), ("Known firm", True), ("Logs attac", False)]
    internal_attachment = secret_case.attachments.get(internal=True)
    assert comments[1]["attachments"][0]["name"] == "defect-PX-4411.log"
    download = client.get(f"/api/v1/cases/{secret_case.pk}/attachments/{internal_attachment.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == LOG


def test_a_reply_with_files_by_multipart(api_for, partner_a_engineer, site_a):
    case = open_case(partner_a_engineer, site_a)
    response = api_for(partner_a_engineer).post(
        f"/api/v1/cases/{case.pk}/comments/", {"body": "Photo", "attachments": [SimpleUploadedFile("x.png", PNG)]},
        format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["content_type"] == "image/png"


def test_the_partners_answer_by_api_resumes_a_case_waiting_on_it(monkeypatch, api_for, poly_support,
                                                                 partner_a_engineer, site_a):
    clock = Clock(monkeypatch, datetime.datetime(2025, 5, 12, 8, 0, tzinfo=UTC))
    cover(site_a)
    case = open_case(partner_a_engineer, site_a, severity=3)
    resolution_due = case.resolution_due
    waiting = api_for(poly_support).post(f"/api/v1/cases/{case.pk}/transition/",
                                         {"status": "waiting_on_partner"}, format="json").json()
    assert (waiting["status"], waiting["paused"], waiting["time_left_seconds"]) == ("waiting_on_partner", True, None)

    clock.advance(1 * DAY)
    api_for(partner_a_engineer).post(f"/api/v1/cases/{case.pk}/comments/", {"body": "Done."}, format="json")

    detail = api_for(partner_a_engineer).get(f"/api/v1/cases/{case.pk}/").json()
    assert (detail["status"], detail["paused"]) == ("in_progress", False)
    assert detail["resolution_due"] == (resolution_due + DAY).isoformat().replace("+00:00", "Z")


def test_a_psa_tool_with_a_personal_token_opens_and_follows_a_case(partner_a_engineer, poly_support, site_a):
    cover(site_a)
    _, key = tenancy_services.api_token_create(user=partner_a_engineer, name="PSA")
    psa = APIClient(HTTP_AUTHORIZATION=f"Token {key}")

    created = psa.post("/api/v1/cases/", new_case(severity="1"), format="json")
    assert created.status_code == 201, created.content
    case_id = created.json()["id"]
    services.case_comment_add(by=poly_support, case=Case.objects.get(pk=case_id), body="Reboot the codec.")
    assert psa.post(f"/api/v1/cases/{case_id}/comments/", {"body": "Done, works."}, format="json").status_code == 201
    assert psa.post(f"/api/v1/cases/{case_id}/transition/", {"status": "resolved"}, format="json").json()[
        "status"] == "resolved"
    replies = psa.get(f"/api/v1/cases/{case_id}/comments/").json()["results"]
    assert [(r["body"], r["from_poly"]) for r in replies] == [("Reboot the codec.", True), ("Done, works.", False)]
