"""Bad input to devices/, contracts/{id}/devices/ and coverage/: a clear 400 (or 404), nothing
written, never a 500; and a taken serial never says who has it."""

import pytest

from contracts.models import ContractStatus, Offering
from installbase.models import ContractDevice, Device
from tests import factories


def snapshot() -> list:
    return [
        list(Device.objects.order_by("pk").values_list("pk", "serial", "product_id", "site_id", "customer_id")),
        list(ContractDevice.objects.order_by("pk").values_list("pk", "contract_id", "device_id")),
    ]


@pytest.fixture
def products(db):
    return {
        "video": factories.ProductFactory(sku="SX-50", name="Poly Studio X50"),
        "voice": factories.ProductFactory(sku="CCX-600", name="Poly CCX 600", category="voice"),
        "itp": factories.ProductFactory(sku="ITP-STUDIO", name="Poly Immersive Studio", category="itp"),
    }


@pytest.fixture
def poly_plus(partner_a, customer_a):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


# ---- devices/ --------------------------------------------------------------------------------

@pytest.mark.parametrize(("body", "field", "contains"), [
    ({"serial": "", "product": "SX-50"}, "serial", "may not be blank"),
    ({"serial": "   ", "product": "SX-50"}, "serial", "may not be blank"),
    ({"serial": "S" * 61, "product": "SX-50"}, "serial", "no more than 60"),
    ({"serial": "S" * 100_000, "product": "SX-50"}, "serial", "no more than 60"),
    ({"serial": "AB 12", "product": "SX-50"}, "serial", "letters and digits"),
    ({"serial": "AB12<script>", "product": "SX-50"}, "serial", "letters and digits"),
    ({"serial": "-AB12", "product": "SX-50"}, "serial", "letters and digits"),
    ({"serial": "AB\x0012", "product": "SX-50"}, "serial", "NUL character"),
    ({"serial": "AB12", "product": "NO-SUCH-SKU"}, "product", "does not exist"),
    ({"serial": "AB12", "product": ["SX-50"]}, "product", ""),
    ({"serial": "AB12", "product": "SX-50", "site": "NO-SUCH-SITE"}, "site", "does not exist"),
    ({"serial": "AB12", "product": "SX-50", "site": "X" * 10_000}, "site", "does not exist"),
])
def test_a_bad_device_is_refused_and_nothing_is_written(api_for, products, site_a, partner_a_engineer, body, field,
                                                        contains):
    client = api_for(partner_a_engineer)
    before = snapshot()
    response = client.post("/api/v1/devices/", {"site": site_a.site_id, **body}, format="json")
    assert response.status_code == 400, response.content
    assert contains in str(response.json()[field])
    assert snapshot() == before


def test_a_serial_is_stored_trimmed_and_upper_case(api_for, products, site_a, partner_a_engineer):
    response = api_for(partner_a_engineer).post(
        "/api/v1/devices/", {"serial": "  8l2145a3-b4.c5/01 ", "product": "SX-50", "site": site_a.site_id},
        format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["serial"] == "8L2145A3-B4.C5/01"


def test_a_taken_serial_answers_the_same_whoever_has_it(api_for, products, site_a, site_b, partner_a_engineer,
                                                        partner_b_engineer):
    factories.DeviceFactory(site=site_b, product=products["video"], serial="TAKEN0001")
    mine = api_for(partner_a_engineer)
    assert mine.post("/api/v1/devices/", {"serial": "mine0001", "product": "SX-50", "site": site_a.site_id},
                     format="json").status_code == 201
    before = snapshot()

    own = mine.post("/api/v1/devices/", {"serial": "MINE0001", "product": "SX-50", "site": site_a.site_id},
                    format="json")
    foreign = mine.post("/api/v1/devices/", {"serial": "taken0001", "product": "SX-50", "site": site_a.site_id},
                        format="json")

    assert own.status_code == foreign.status_code == 400
    assert own.json() == {"serial": ["Serial MINE0001 of SX-50 is already registered."]}
    assert foreign.json() == {"serial": ["Serial TAKEN0001 of SX-50 is already registered."]}
    text = foreign.content.decode()
    assert "Wis" not in text and "Orlen" not in text and "PL-PLO" not in text and str(site_b.partner_id) not in text
    assert snapshot() == before
    # The same serial on another product is another unit.
    assert mine.post("/api/v1/devices/", {"serial": "TAKEN0001", "product": "CCX-600", "site": site_a.site_id},
                     format="json").status_code == 201


@pytest.mark.parametrize("query", ["category=tablet", "customer=abc", "in_production=maybe", "ordering=password",
                                   "page=abc", "page=999", "site_id=%00"])
def test_bad_device_list_parameters_never_500(api_for, products, site_a, partner_a_engineer, query):
    factories.DeviceFactory(site=site_a, product=products["video"])
    response = api_for(partner_a_engineer).get(f"/api/v1/devices/?{query}")
    assert response.status_code in (200, 400, 404), response.content
    if response.status_code == 200:
        assert set(response.json()) >= {"count", "results"}


def test_devices_have_no_update_or_delete(api_for, products, site_a, partner_a_admin):
    device = factories.DeviceFactory(site=site_a, product=products["video"])
    client = api_for(partner_a_admin)
    before = snapshot()
    for method in ("put", "patch", "delete"):
        assert getattr(client, method)(f"/api/v1/devices/{device.pk}/", {"serial": "X1"},
                                       format="json").status_code == 405
    assert snapshot() == before


# ---- contracts/{id}/devices/ ----------------------------------------------------------------

def add(client, contract, device_id):
    return client.post(f"/api/v1/contracts/{contract.pk}/devices/", {"device": device_id}, format="json")


def test_a_device_of_another_customer_cannot_be_listed(api_for, products, poly_plus, partner_a, partner_a_engineer):
    other_site = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a))
    device = factories.DeviceFactory(site=other_site, product=products["video"])
    before = snapshot()
    response = add(api_for(partner_a_engineer), poly_plus, device.pk)
    assert response.status_code == 400
    assert response.json() == {"device": ["The device belongs to another customer."]}
    assert snapshot() == before


def test_an_enterprise_contract_lists_no_serials(api_for, products, customer_a, site_a, partner_a_engineer):
    enterprise = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=enterprise, category="video")
    device = factories.DeviceFactory(site=site_a, product=products["video"])
    before = snapshot()
    response = add(api_for(partner_a_engineer), enterprise, device.pk)
    assert response.status_code == 400
    assert "Master Account ID" in response.json()["device"][0]
    assert snapshot() == before


def test_a_device_of_a_category_the_contract_does_not_cover_cannot_be_listed(api_for, products, poly_plus, site_a,
                                                                             partner_a_engineer):
    phone = factories.DeviceFactory(site=site_a, product=products["voice"])
    itp = factories.DeviceFactory(site=site_a, product=products["itp"])
    client = api_for(partner_a_engineer)
    before = snapshot()
    response = add(client, poly_plus, phone.pk)
    assert response.status_code == 400
    assert response.json() == {"device": [f"Contract {poly_plus.number} does not cover Voice; "
                                          "add the category to the contract first."]}
    assert snapshot() == before
    assert add(client, poly_plus, itp.pk).status_code == 201  # quote-only kinds have no line of their own


def test_a_serial_is_listed_once(api_for, products, poly_plus, site_a, partner_a_engineer):
    device = factories.DeviceFactory(site=site_a, product=products["video"])
    client = api_for(partner_a_engineer)
    assert add(client, poly_plus, device.pk).status_code == 201
    again = add(client, poly_plus, device.pk)
    assert again.status_code == 400
    assert again.json() == {"device": [f"Serial {device.serial} is already on the contract."]}
    assert ContractDevice.objects.count() == 1


@pytest.mark.parametrize("status", [ContractStatus.EXPIRED, ContractStatus.CANCELLED])
def test_the_serial_list_of_an_ended_contract_does_not_change(api_for, products, poly_plus, site_a,
                                                              partner_a_engineer, status):
    listed = factories.DeviceFactory(site=site_a, product=products["video"])
    entry = factories.ContractDeviceFactory(contract=poly_plus, device=listed)
    spare = factories.DeviceFactory(site=site_a, product=products["video"])
    poly_plus.status = status
    poly_plus.save()
    client = api_for(partner_a_engineer)
    before = snapshot()
    assert "Only a draft or active contract" in add(client, poly_plus, spare.pk).json()["device"][0]
    removed = client.post(f"/api/v1/contracts/{poly_plus.pk}/devices/{entry.pk}/remove/")
    assert removed.status_code == 400
    assert "does not change" in removed.json()["device"][0]
    assert snapshot() == before


@pytest.mark.parametrize("body", [{}, {"device": "abc"}, {"device": None}, {"device": 987654}, {"device": [1]},
                                  {"device": 10**30}])
def test_a_bad_device_reference_is_a_400(api_for, poly_plus, partner_a_engineer, body):
    response = api_for(partner_a_engineer).post(f"/api/v1/contracts/{poly_plus.pk}/devices/", body, format="json")
    assert response.status_code == 400, response.content
    assert "device" in response.json()
    assert not ContractDevice.objects.exists()


@pytest.mark.parametrize("path", ["contracts/abc/devices/", "contracts/99999999999999999999999/devices/",
                                  "contracts/{pk}/devices/abc/remove/", "contracts/{pk}/devices/1.5/remove/",
                                  "contracts/{pk}/devices/99999999999999999999999/remove/"])
def test_a_malformed_id_in_the_path_is_a_404(api_for, poly_plus, partner_a_engineer, path):
    client = api_for(partner_a_engineer)
    response = client.post("/api/v1/" + path.format(pk=poly_plus.pk)) if "remove" in path else client.get(
        "/api/v1/" + path.format(pk=poly_plus.pk))
    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Not found.", "code": "not_found"}


# ---- coverage/ ------------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "field"), [
    ("", "site_id"),
    ("site_id=SE-GOT-001", "site_id"),
    ("category=video", "site_id"),
    ("site_id=SE-GOT-001&category=tablet", "category"),
    ("site_id=SE-GOT-001&category=video&on=yesterday", "on"),
    ("site_id=SE-GOT-001&category=video&on=2026-02-30", "on"),
    ("site_id=" + "X" * 5000 + "&category=video", "site_id"),
    ("serial=" + "S" * 5000, "serial"),
    ("serial=", "site_id"),  # an empty parameter is an absent one
    ("site_id=SE-GOT-001&product=NO-SUCH-SKU", "product"),
    ("site_id=SE-GOT-001&product=CCX-600&category=video", "category"),
])
def test_a_bad_coverage_question_is_a_clear_400(api_for, products, site_a, partner_a_engineer, query, field):
    response = api_for(partner_a_engineer).get(f"/api/v1/coverage/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()


def test_a_nul_in_a_coverage_question_is_a_400(api_for, site_a, partner_a_engineer):
    response = api_for(partner_a_engineer).get("/api/v1/coverage/", {"site_id": "SE-GOT-001\x00", "category": "video"})
    assert response.status_code == 400


def test_a_serial_two_products_share_needs_the_sku(api_for, products, site_a, partner_a_engineer):
    factories.DeviceFactory(site=site_a, product=products["video"], serial="TWIN0001")
    factories.DeviceFactory(site=site_a, product=products["voice"], serial="TWIN0001")
    client = api_for(partner_a_engineer)
    response = client.get("/api/v1/coverage/", {"serial": "twin0001"})
    assert response.status_code == 400
    assert "give the SKU" in response.json()["sku"][0]
    answer = client.get("/api/v1/coverage/", {"serial": "twin0001", "sku": "ccx-600"}).json()
    assert (answer["serial"], answer["category"]) == ("TWIN0001", "voice")
