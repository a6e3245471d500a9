"""coverage/ and devices/: one coverage check, explained, and never across partners."""

import pytest

from contracts.models import Offering
from tests import factories


@pytest.fixture
def covered_site(partner_a, customer_a, site_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=contract, category="video")
    return site_a


def test_coverage_by_site_and_category_is_explained(api_for, covered_site, partner_a_engineer):
    body = api_for(partner_a_engineer).get(f"/api/v1/coverage/?site_id={covered_site.site_id}&category=video").json()
    assert body["covered"] is True
    assert body["reason"] == "covered"
    assert body["contract"]["offering"] == "poly_plus_enterprise"
    assert body["explanation"].startswith("Covered by Poly+ Enterprise contract")


def test_coverage_names_the_reason_when_not_covered(api_for, covered_site, partner_a_engineer):
    body = api_for(partner_a_engineer).get(f"/api/v1/coverage/?site_id={covered_site.site_id}&category=voice").json()
    assert (body["covered"], body["reason"]) == (False, "category_not_covered")


def test_coverage_by_serial(api_for, covered_site, partner_a_engineer):
    device = factories.DeviceFactory(site=covered_site, product__end_of_service="2020-01-01")
    body = api_for(partner_a_engineer).get(f"/api/v1/coverage/?serial={device.serial}").json()
    assert body["reason"] == "end_of_service"
    assert body["serial"] == device.serial


def test_another_partners_site_or_serial_is_404_like_a_missing_one(api_for, covered_site, partner_b_engineer):
    device = factories.DeviceFactory(site=covered_site)
    client = api_for(partner_b_engineer)
    foreign = client.get(f"/api/v1/coverage/?site_id={covered_site.site_id}&category=video")
    missing = client.get("/api/v1/coverage/?site_id=NO-SUCH-SITE&category=video")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    assert client.get(f"/api/v1/coverage/?serial={device.serial}").status_code == 404


def test_coverage_without_enough_parameters_is_a_clear_400(api_for, partner_a_engineer):
    client = api_for(partner_a_engineer)
    assert client.get("/api/v1/coverage/").status_code == 400
    assert client.get("/api/v1/coverage/?site_id=X&category=tablet").status_code == 400


def test_customer_viewers_do_not_see_poly_support_flags(api_for, covered_site, customer_viewer, partner_a):
    partner_a.certifications.update(expires_on="2020-01-01", certified_on="2019-01-01")
    body = api_for(customer_viewer).get(f"/api/v1/coverage/?site_id={covered_site.site_id}&category=video").json()
    assert body["covered"] is True
    assert body["flags"] == []


def test_devices_are_registered_and_listed_per_partner(api_for, site_a, site_b, partner_a_engineer,
                                                       partner_b_engineer):
    factories.ProductFactory(sku="SX-50")
    client = api_for(partner_a_engineer)
    created = client.post("/api/v1/devices/", {"serial": "abc123", "product": "SX-50", "site": site_a.site_id},
                          format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["serial"] == "ABC123"
    duplicate = client.post("/api/v1/devices/", {"serial": "ABC123", "product": "SX-50", "site": site_a.site_id},
                            format="json")
    assert duplicate.status_code == 400
    foreign_site = client.post("/api/v1/devices/", {"serial": "X1", "product": "SX-50", "site": site_b.site_id},
                               format="json")
    assert foreign_site.status_code == 400
    assert api_for(partner_b_engineer).get("/api/v1/devices/").json()["results"] == []
    assert api_for(partner_b_engineer).get(f"/api/v1/devices/{created.json()['id']}/").status_code == 404


def test_poly_plus_serial_list_by_api(api_for, partner_a, customer_a, site_a, partner_a_engineer, partner_b_engineer):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video")
    device = factories.DeviceFactory(site=site_a)
    client = api_for(partner_a_engineer)
    added = client.post(f"/api/v1/contracts/{contract.pk}/devices/", {"device": device.pk}, format="json")
    assert added.status_code == 201, added.json()
    assert client.get(f"/api/v1/contracts/{contract.pk}/devices/").json()["results"][0]["serial"] == device.serial
    assert api_for(partner_b_engineer).get(f"/api/v1/contracts/{contract.pk}/devices/").status_code == 404
