"""Bad input to cases/ and health-events/: always a 400 (or 404) in the API's error shapes, never
a 500, the same words as the service, and nothing written."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from tests import factories
from tests.tickets import cover, open_case
from tickets import services
from tickets.models import Case, CaseComment

SEVERITY = {"severity": ["Choose a severity from 1 (down) to 4 (question)."]}


def new_case(**overrides) -> dict:
    return {"site_id": "SE-GOT-001", "category": "video", "severity": 2, "subject": "Camera freezes",
            "description": "Freezes after 10 minutes.", **overrides}


@pytest.fixture
def client(api_for, partner_a_engineer, site_a):
    cover(site_a)
    return api_for(partner_a_engineer)


def refused(client, body, path="cases/", **kwargs):
    response = client.post(f"/api/v1/{path}", body, **kwargs)
    assert response.status_code == 400, response.content
    assert not Case.objects.exists()
    return response.json()


@pytest.mark.parametrize("body", ['{"site_id": "SE-GOT-001", ', "[1, 2", "\x00", '{"a": ' * 5000 + "1" + "}" * 5000])
def test_malformed_json_is_a_parse_error(client, body):
    data = refused(client, body, content_type="application/json")
    assert data["code"] == "parse_error" and data["detail"].startswith("JSON parse error")


@pytest.mark.parametrize("body", [[], ["site_id"], "just a string", 42, None])
def test_a_body_that_is_not_an_object_is_refused(client, body):
    data = refused(client, body, format="json")
    assert "non_field_errors" in data or "detail" in data or "site_id" in data


def test_an_unknown_site_is_refused_by_field(client):
    assert refused(client, new_case(site_id="XX-NOPE-1"), format="json") == {
        "site_id": ["No site has Site ID XX-NOPE-1."]}


@pytest.mark.parametrize("severity", [0, 5, -1, "x", "", True, 1.5, "2.0", None, [1], {"v": 1}])
def test_a_severity_outside_1_to_4_is_refused_with_the_services_words(client, partner_a_engineer, site_a, severity):
    data = refused(client, new_case(severity=severity), format="json")
    if severity is None:
        assert data == {"severity": ["This field may not be null."]}
    else:
        assert data == SEVERITY
    if isinstance(severity, int) and not isinstance(severity, bool):
        with pytest.raises(ValidationError) as service:
            open_case(partner_a_engineer, site_a, severity=severity)
        assert service.value.message_dict == SEVERITY


@pytest.mark.parametrize("severity", ["1", "4", 3])
def test_a_severity_as_text_or_number_is_accepted(client, severity):
    response = client.post("/api/v1/cases/", new_case(severity=severity), format="json")
    assert response.status_code == 201
    assert response.json()["severity"] == int(severity)


@pytest.mark.parametrize("subject", ["x" * 201, "x" * 1_000_000])
def test_a_subject_longer_than_200_characters_is_refused_like_the_service_does(client, partner_a_engineer, site_a,
                                                                              subject):
    assert refused(client, new_case(subject=subject), format="json") == {"subject": ["At most 200 characters."]}
    with pytest.raises(ValidationError) as service:
        open_case(partner_a_engineer, site_a, subject=subject)
    assert service.value.message_dict == {"subject": ["At most 200 characters."]}


def test_a_blank_subject_or_description_is_refused_with_the_services_words(client):
    assert refused(client, new_case(subject="  ", description=""), format="json") == {
        "subject": ["Say in a few words what is wrong."], "description": ["Describe the problem."]}


@pytest.mark.parametrize("field", ["subject", "description"])
def test_a_nul_character_is_refused_not_stored(client, field):
    data = refused(client, new_case(**{field: "Camera\x00freezes"}), format="json")
    assert data == {field: ["This value contains a NUL character (\\x00), which cannot be stored."]}


@pytest.mark.parametrize(("overrides", "errors"), [
    ({"category": "toaster"}, {"category": ['"toaster" is not a valid choice.']}),
    ({"category": None}, {"category": ["Choose a category, or give the product."]}),
    ({"product": "NO-SUCH-SKU"}, {"product": ["No product has SKU NO-SUCH-SKU."]}),
    ({"hardware_replacement": "maybe"}, {"hardware_replacement": ["Must be a valid boolean."]}),
    ({"site_id": "x" * 41}, {"site_id": ["Ensure this field has no more than 40 characters."]}),
    ({"site_id": ["SE-GOT-001"]}, {"site_id": ["Not a valid string."]}),
])
def test_other_bad_fields_are_refused_by_field(client, overrides, errors):
    assert refused(client, new_case(**overrides), format="json") == errors


def test_a_serial_without_hardware_replacement_is_ignored_by_api_and_service_alike(client, partner_a_engineer,
                                                                                     site_a):
    factories.DeviceFactory(site=site_a, serial="SEGOT0001")

    response = client.post("/api/v1/cases/", new_case(serial="SEGOT0001"), format="json")
    by_service = open_case(partner_a_engineer, site_a, serial="SEGOT0001")

    assert response.status_code == 201
    assert response.json()["serial"] is None
    assert Case.objects.get(pk=response.json()["id"]).device is None
    assert by_service.device is None


def test_hardware_replacement_without_a_serial_is_refused_like_the_service_does(client, partner_a_engineer, site_a):
    expected = {"serial": ["Hardware replacement needs the failed unit's serial number."]}
    assert refused(client, new_case(hardware_replacement=True), format="json") == expected
    assert refused(client, new_case(hardware_replacement=True, serial="  "), format="json") == expected
    assert refused(client, new_case(hardware_replacement=True, serial=None), format="json") == expected
    with pytest.raises(ValidationError) as service:
        open_case(partner_a_engineer, site_a, hardware_replacement=True)
    assert service.value.message_dict == expected


def test_hardware_replacement_with_an_unknown_serial_is_refused(client):
    assert refused(client, new_case(hardware_replacement=True, serial="NOPE1"), format="json") == {
        "serial": ["No registered device with serial NOPE1 at this customer."]}


def test_too_many_attachments_are_refused(client):
    files = [SimpleUploadedFile(f"{i}.log", b"log line\n") for i in range(11)]
    data = refused(client, {**new_case(), "attachments": files}, format="multipart")
    assert data == {"attachments": ["Ensure this field has no more than 10 elements."]}


@pytest.fixture
def case(partner_a_engineer, site_a):
    cover(site_a)
    return open_case(partner_a_engineer, site_a)


@pytest.mark.parametrize(("path", "body", "errors"), [
    ("transition/", {"status": "bogus"}, {"status": ["“bogus” is not a case status."]}),
    ("transition/", {}, {"status": ["This field is required."]}),
    ("transition/", {"status": ["new"]}, {"status": ["“['new']” is not a case status."]}),
    ("escalate/", {"reason": "x", "to_level": 9}, {"to_level": ['"9" is not a valid choice.']}),
    ("escalate/", {"reason": "x" * 501}, {"reason": ["Ensure this field has no more than 500 characters."]}),
    ("comments/", {"body": "   "}, {"body": ["Write a reply."]}),
    ("comments/", {"body": "x", "internal": "perhaps"}, {"internal": ["Must be a valid boolean."]}),
    ("onsite-dispatches/", {"purpose": "painting"}, None),
    ("onsite-dispatches/", {"purpose": "hardware_repair", "remote_diagnostics_summary": "x",
                            "partner_engineer_name": "y", "scheduled_for": "tomorrow"}, None),
])
def test_bad_action_input_is_refused_by_field(api_for, poly_support, case, path, body, errors):
    before = list(Case.objects.values_list("status", "escalation_level"))
    response = api_for(poly_support).post(f"/api/v1/cases/{case.pk}/{path}", body, format="json")
    assert response.status_code == 400, response.content
    if errors is not None:
        assert response.json() == errors
    assert list(Case.objects.values_list("status", "escalation_level")) == before
    assert not CaseComment.objects.exists()


@pytest.mark.parametrize("path", ["cases/abc/", "cases/-1/", "cases/99999999999999999999999/", "cases/1.5/",
                                  "cases/{case}/attachments/abc/", "cases/{case}/attachments/99999999999999999999/",
                                  "cases/{case}/nothing/"])
def test_a_path_that_names_nothing_is_a_json_404(api_for, poly_support, case, path):
    response = api_for(poly_support).get("/api/v1/" + path.format(case=case.pk))
    assert (response.status_code, response.json()) == (404, {"detail": "Not found.", "code": "not_found"})


@pytest.mark.parametrize("params", [{"severity": "9"}, {"status": "gone"}, {"partner": "abc"}, {"page": "9999"},
                                    {"escalation_level": "x"}])
def test_bad_list_parameters_are_a_4xx_in_the_error_shape(api_for, poly_support, case, params):
    response = api_for(poly_support).get("/api/v1/cases/", params)
    assert response.status_code in (400, 404)
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize("params", [{"ordering": "secret_field"}, {"search": "x" * 5000}, {"site_id": "%"},
                                    {"search": "' OR 1=1 --"}, {"breached": "perhaps"}])
def test_odd_list_parameters_are_harmless(api_for, poly_support, case, params):
    response = api_for(poly_support).get("/api/v1/cases/", params)
    assert response.status_code == 200


def test_a_nul_in_a_query_parameter_is_refused(api_for, poly_support, case):
    response = api_for(poly_support).get("/api/v1/cases/", {"search": "a\x00b"})
    assert response.status_code == 400


@pytest.mark.parametrize("body", [{"serial": "x" * 61, "severity": 2, "message": "m", "alert_kind": "k"},
                                  {"serial": "SEGOT1", "severity": "high", "message": "m", "alert_kind": "k"},
                                  {"site_id": "SE-GOT-001", "category": "toaster", "severity": 2, "message": "m",
                                   "alert_kind": "k"},
                                  {"serial": "SEGOT1", "severity": 2, "message": "m", "alert_kind": "k" * 61},
                                  {"serial": "SEGOT1", "severity": 2, "message": "m\x00", "alert_kind": "k"}])
def test_bad_health_events_are_refused(client, body):
    refused(client, body, path="health-events/", format="json")


def test_an_anonymous_caller_gets_401(db, client):
    anonymous = APIClient()
    for response in (anonymous.get("/api/v1/cases/"), anonymous.post("/api/v1/cases/", new_case(), format="json"),
                     anonymous.post("/api/v1/health-events/", {}, format="json")):
        assert response.status_code == 401
        assert set(response.json()) == {"detail", "code"}


def test_services_refuse_a_severity_outside_1_to_4_for_health_events(partner_a_engineer, site_a):
    with pytest.raises(ValidationError) as service:
        services.health_event_raise(by=partner_a_engineer, site=site_a, severity=7, message="m", alert_kind="k",
                                    category="video")
    assert service.value.message_dict == SEVERITY
