"""Health notifications raise proactive cases: at most one open case per device and alert kind."""

import pytest
from django.core.exceptions import ValidationError

from tests import factories
from tests.tickets import cover
from tickets import services
from tickets.models import Case, CaseComment, CaseSource, CaseStatus

URL = "/api/v1/health-events/"


@pytest.fixture
def device(site_a):
    cover(site_a)
    return factories.DeviceFactory(site=site_a, product=factories.ProductFactory(sku="SX-50", category="video"),
                                   serial="SEGOT0001")


def alert(**overrides) -> dict:
    return {"serial": "SEGOT0001", "severity": 2, "message": "Device offline for 15 minutes.", "alert_kind": "offline",
            **overrides}


def test_an_alert_opens_a_proactive_case_for_the_device(api_for, partner_a_engineer, device):
    response = api_for(partner_a_engineer).post(URL, alert(), format="json")

    assert response.status_code == 201, response.content
    case = Case.objects.get()
    body = response.json()
    assert body["id"] == case.pk
    assert (case.source, case.device, case.health_alert_kind, case.category, case.entitled) == (
        CaseSource.HEALTH_EVENT, device, "offline", "video", True)
    assert (body["serial"], body["site_id"], body["subject"]) == ("SEGOT0001", "SE-GOT-001",
                                                                   "Health alert: offline on SEGOT0001")


def test_a_repeated_alert_returns_the_open_case_and_adds_a_note(api_for, partner_a_engineer, device):
    client = api_for(partner_a_engineer)
    first = client.post(URL, alert(), format="json")

    again = client.post(URL, alert(serial="segot0001", message="Still offline after 30 minutes."), format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Case.objects.count() == 1
    notes = list(CaseComment.objects.values_list("body", "internal"))
    assert notes == [("Repeated health alert: Still offline after 30 minutes.", False)]
    case = Case.objects.get()
    assert case.first_response_at is None  # a repeat is not Poly's answer


def test_another_alert_kind_on_the_same_device_opens_another_case(api_for, partner_a_engineer, device):
    client = api_for(partner_a_engineer)
    offline = client.post(URL, alert(), format="json").json()["id"]
    hot = client.post(URL, alert(alert_kind="high_temperature", message="82 °C"), format="json")

    assert hot.status_code == 201
    assert hot.json()["id"] != offline
    assert Case.objects.count() == 2


def test_after_resolution_a_new_alert_opens_a_new_case(api_for, partner_a_engineer, poly_support, device):
    client = api_for(partner_a_engineer)
    first = Case.objects.get(pk=client.post(URL, alert(), format="json").json()["id"])
    services.case_transition(by=poly_support, case=first, to_status=CaseStatus.RESOLVED)

    second = client.post(URL, alert(), format="json")

    assert second.status_code == 201
    assert second.json()["id"] != first.pk


def test_an_old_alert_case_cannot_be_reopened_while_a_newer_one_is_open(api_for, partner_a_engineer, poly_support,
                                                                       device):
    client = api_for(partner_a_engineer)
    first = Case.objects.get(pk=client.post(URL, alert(), format="json").json()["id"])
    services.case_transition(by=poly_support, case=first, to_status=CaseStatus.RESOLVED)
    newer = Case.objects.get(pk=client.post(URL, alert(), format="json").json()["id"])

    response = client.post(f"/api/v1/cases/{first.pk}/transition/", {"status": "in_progress"}, format="json")

    assert (response.status_code, response.json()) == (
        400, {"status": [f"Case {newer.number} is open for the same device and alert; continue there."]})
    first.refresh_from_db()
    assert first.status == CaseStatus.RESOLVED


def test_an_alert_finds_the_open_case_after_the_device_moved_to_another_site(api_for, partner_a_engineer, device,
                                                                            customer_a):
    client = api_for(partner_a_engineer)
    first = client.post(URL, alert(), format="json").json()["id"]
    device.site = factories.SiteFactory(customer=customer_a, site_id="SE-GOT-002")
    device.save()

    again = client.post(URL, alert(), format="json")

    assert (again.status_code, again.json()["id"]) == (200, first)


def test_a_site_alert_needs_a_category_and_repeats_per_site(api_for, partner_a_engineer, site_a):
    cover(site_a, categories=("voice",))
    client = api_for(partner_a_engineer)
    site_alert = {"site_id": "se-got-001", "severity": 3, "message": "SIP trunk registration lost.",
                  "alert_kind": "sip_trunk_down"}

    without = client.post(URL, site_alert, format="json")
    first = client.post(URL, {**site_alert, "category": "voice"}, format="json")
    again_without = client.post(URL, site_alert, format="json")
    again = client.post(URL, {**site_alert, "category": "voice"}, format="json")

    expected = {"category": ["Give the category of the alerting equipment, or its serial."]}
    assert (without.status_code, without.json()) == (400, expected)
    assert (again_without.status_code, again_without.json()) == (400, expected)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["subject"] == "Health alert: sip_trunk_down at SE-GOT-001"
    with pytest.raises(ValidationError) as refused:
        services.health_event_raise(by=partner_a_engineer, site=site_a, severity=3, message="x",
                                    alert_kind="sip_trunk_down")
    assert refused.value.message_dict == expected


@pytest.mark.parametrize(("overrides", "errors"), [
    ({"alert_kind": " "}, {"alert_kind": ["Name the kind of alert, e.g. `offline` or `high_temperature`."]}),
    ({"message": ""}, {"message": ["Describe the alert."]}),
    ({"serial": "", "site_id": ""}, {"serial": ["Give the device's serial, or a site_id and category."]}),
    ({"serial": "NOSUCH"}, {"serial": ["No device has serial NOSUCH."]}),
    ({"site_id": "SE-OTHER-1"}, {"site_id": ["Serial SEGOT0001 is not at site SE-OTHER-1."]}),
    ({"severity": 0}, {"severity": ["Choose a severity from 1 (down) to 4 (question)."]}),
])
def test_a_bad_alert_is_refused_and_opens_nothing(api_for, partner_a_engineer, device, overrides, errors):
    response = api_for(partner_a_engineer).post(URL, alert(**overrides), format="json")
    assert (response.status_code, response.json()) == (400, errors)
    assert not Case.objects.exists()


def test_an_alert_serial_shared_by_two_products_needs_the_sku(api_for, partner_a_engineer, device, site_a):
    factories.DeviceFactory(site=site_a, product=factories.ProductFactory(sku="CCX-600", category="voice"),
                            serial="SEGOT0001")
    client = api_for(partner_a_engineer)

    ambiguous = client.post(URL, alert(), format="json")
    chosen = client.post(URL, alert(sku="ccx-600"), format="json")

    assert (ambiguous.status_code, ambiguous.json()) == (
        400, {"sku": ["Two products share this serial; give the SKU too."]})
    assert chosen.status_code == 201 and chosen.json()["category"] == "voice"


@pytest.mark.parametrize("persona", ["customer_viewer", "csm"])
def test_a_reader_may_not_raise_an_alert(request, api_for, device, persona):
    response = api_for(request.getfixturevalue(persona)).post(URL, alert(), format="json")
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_poly_support_may_raise_an_alert_for_any_partners_device(api_for, poly_support, device):
    response = api_for(poly_support).post(URL, alert(), format="json")
    assert response.status_code == 201
