"""Isolation for every endpoint and method of issue 3: products/, contracts/ (and its actions),
contracts/{id}/devices/, devices/ and coverage/.

Partner A owns customers, a site, a draft and an active Poly+ contract, devices and a serial
on the contract. Outsiders (partner B's admin and engineer, B's customer viewer, a viewer of
A's other customer, a CSM of another customer) try every detail, update and action on them,
by forced authentication and by a real token: each answer equals the answer for an id that
does not exist, and nothing of A's changes. Lists, searches and filters never show A's rows.
Then, inside one partner, each role may do exactly what DOMAIN.md says.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.models import Contract, ContractLine, ContractStatus, CustomQuote, Offering, Product
from installbase.models import ContractDevice, Device
from tests import factories, isolation
from tests.isolation import filled, without_ids

TODAY = datetime.date.today()
MISSING = {"contract": 987654, "draft": 987654, "device": 987654, "entry": 987654, "customer": 987654,
           "partner": 987654, "site": "NO-SUCH-SITE", "serial": "NOSUCHSERIAL"}


@pytest.fixture
def world_a(partner_a, customer_a, site_a):
    """Everything of partner A's that these endpoints expose, by kind."""
    for category in ("video", "voice"):
        factories.CertificationFactory(partner=partner_a, category=category)
    active = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS, number="NORDIC-A-0001")
    factories.ContractLineFactory(contract=active, category="video")
    draft = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS, status=ContractStatus.DRAFT,
                                      number="NORDIC-A-0002", start_date=active.end_date + datetime.timedelta(days=1),
                                      end_date=active.end_date + datetime.timedelta(days=365))
    factories.ContractLineFactory(contract=draft, category="video")
    product = factories.ProductFactory(sku="SX-50", name="Poly Studio X50")
    listed = factories.DeviceFactory(site=site_a, product=product, serial="SEGOTLISTED1")
    factories.DeviceFactory(site=site_a, product=product, serial="SEGOTSPARE01")
    entry = factories.ContractDeviceFactory(contract=active, device=listed)
    return {"contract": active.pk, "draft": draft.pk, "device": listed.pk, "entry": entry.pk,
            "customer": customer_a.pk, "partner": partner_a.pk, "site": site_a.site_id, "serial": listed.serial}


@pytest.fixture
def world_b(partner_b, customer_b, site_b):
    """The outsider's own partner: a contract and a device of its own, so its lists are not empty."""
    factories.CertificationFactory(partner=partner_b, category="video")
    contract = factories.ContractFactory(customer=customer_b, offering=Offering.POLY_PLUS, number="WISLA-B-0001")
    factories.ContractLineFactory(contract=contract, category="video")
    device = factories.DeviceFactory(site=site_b, product=factories.ProductFactory(sku="SX-50"), serial="PLPLO0001")
    factories.ContractDeviceFactory(contract=contract, device=device)
    return {"contract": contract.pk, "device": device.pk}


def snapshot() -> list:
    """Everything a foreign request could have changed, in comparable form."""
    return [
        list(Product.objects.order_by("pk").values_list("pk", "sku", "name", "list_price", "end_of_service")),
        list(Contract.objects.order_by("pk").values_list("pk", "status", "status_reason", "end_date")),
        list(ContractLine.objects.order_by("pk").values_list("pk", "contract_id", "category", "committed")),
        list(CustomQuote.objects.order_by("pk").values_list("pk", "status")),
        list(Device.objects.order_by("pk").values_list("pk", "serial", "site_id", "in_production")),
        list(ContractDevice.objects.order_by("pk").values_list("pk", "contract_id", "device_id")),
    ]


VOICE_LINE = {"category": "voice", "installed": 150, "growth": 0, "annual_unit_price": "30.00"}
# (method, path after /api/v1/, body)
REQUESTS = [
    ("get", "contracts/{contract}/", None),
    ("put", "contracts/{contract}/", {"status": "cancelled"}),
    ("patch", "contracts/{contract}/", {"status": "cancelled"}),
    ("delete", "contracts/{contract}/", None),
    ("post", "contracts/{draft}/activate/", None),
    ("post", "contracts/{contract}/cancel/", {"reason": "Hijacked"}),
    ("post", "contracts/{contract}/renew/", {"growth": {"video": 5}}),
    ("post", "contracts/{contract}/add-line/", VOICE_LINE),
    ("get", "contracts/{contract}/devices/", None),
    ("post", "contracts/{contract}/devices/", {"device": "{device}"}),
    ("post", "contracts/{contract}/devices/{entry}/remove/", None),
    ("get", "devices/{device}/", None),
    ("put", "devices/{device}/", {"serial": "HIJACKED", "product": "SX-50", "site": "{site}"}),
    ("delete", "devices/{device}/", None),
    ("get", "coverage/?site_id={site}&category=video", None),
    ("get", "coverage/?site_id={site}&product=SX-50", None),
    ("get", "coverage/?serial={serial}", None),
]


@pytest.fixture(params=isolation.OUTSIDERS)
def outsider(request, world_b, partner_a, customer_b):
    return isolation.make_outsider(request, partner_a=partner_a, customer_b=customer_b)


@pytest.fixture(params=isolation.AUTH_WAYS)
def client_as(request, api_for):
    return isolation.client_maker(request.param, api_for)


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS, ids=[f"{m.upper()} {p}" for m, p, _ in REQUESTS])
def test_another_partners_object_answers_exactly_like_a_missing_one(world_a, outsider, client_as, method, path,
                                                                    body):
    client = client_as(outsider)
    before = snapshot()

    foreign = getattr(client, method)("/api/v1/" + filled(path, world_a), filled(body, world_a), format="json")
    missing = getattr(client, method)("/api/v1/" + filled(path, MISSING), filled(body, MISSING), format="json")

    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    if method in ("get", "post") and outsider.is_partner_member:
        assert foreign.status_code == 404
    else:  # a role that never writes there may be refused (403) before any lookup, alike for both
        assert foreign.status_code in (403, 404, 405)
    assert snapshot() == before


@pytest.mark.parametrize("persona", ["partner_b_admin", "partner_b_engineer"])
def test_my_contract_with_another_partners_serial_answers_like_a_missing_one(request, world_a, world_b, api_for,
                                                                            persona):
    client = api_for(request.getfixturevalue(persona))
    before = snapshot()
    own = world_b["contract"]

    foreign = client.post(f"/api/v1/contracts/{own}/devices/{world_a['entry']}/remove/")
    missing = client.post(f"/api/v1/contracts/{own}/devices/{MISSING['entry']}/remove/")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()

    foreign = client.post(f"/api/v1/contracts/{own}/devices/", {"device": world_a["device"]}, format="json")
    missing = client.post(f"/api/v1/contracts/{own}/devices/", {"device": MISSING["device"]}, format="json")
    if persona == "partner_b_admin" or persona == "partner_b_engineer":
        assert foreign.status_code == 400
        assert without_ids(foreign.content, world_a) == without_ids(missing.content, MISSING)
    assert snapshot() == before


@pytest.mark.parametrize(
    ("path", "body"),
    [("contracts/", {"customer": "{customer}", "offering": "poly_plus", "start_date": TODAY.isoformat(),
                     "end_date": (TODAY + datetime.timedelta(days=364)).isoformat(),
                     "lines": [{"category": "video", "installed": 5, "annual_unit_price": "10.00"}]}),
     ("devices/", {"serial": "PLANTED1", "product": "SX-50", "site": "{site}"})],
)
def test_creating_under_another_partners_object_answers_like_a_missing_one(world_a, world_b, partner_b_admin,
                                                                           api_for, path, body):
    client = api_for(partner_b_admin)
    before = snapshot()

    foreign = client.post(f"/api/v1/{path}", filled(body, world_a), format="json")
    missing = client.post(f"/api/v1/{path}", filled(body, MISSING), format="json")

    assert foreign.status_code == 400
    assert without_ids(foreign.content, world_a) == without_ids(missing.content, MISSING)
    assert snapshot() == before


A_TEXT = ("NORDIC-A", "Volvo", "SE-GOT", "SEGOT")


@pytest.mark.parametrize(("path", "search"), [("contracts/", "NORDIC-A"), ("contracts/", "Volvo"),
                                              ("devices/", "SEGOT"), ("devices/", "SE-GOT")])
def test_lists_and_searches_never_show_another_partners_rows(world_a, outsider, client_as, path, search):
    client = client_as(outsider)
    text = str(client.get(f"/api/v1/{path}", {"page_size": 200}).json()["results"])
    assert not any(fragment in text for fragment in A_TEXT), text
    assert client.get(f"/api/v1/{path}", {"search": search}).json()["count"] == 0


@pytest.mark.parametrize(("path", "param", "kind"), [("contracts/", "customer", "customer"),
                                                     ("contracts/", "partner", "partner"),
                                                     ("devices/", "customer", "customer"),
                                                     ("devices/", "site_id", "site"),
                                                     ("devices/", "serial", "serial")])
def test_filtering_by_another_partners_id_answers_like_a_missing_id(world_a, outsider, client_as, path, param, kind):
    client = client_as(outsider)
    foreign = client.get(f"/api/v1/{path}", {param: world_a[kind]})
    missing = client.get(f"/api/v1/{path}", {param: MISSING[kind]})
    if kind == "partner" and outsider.partner_id == world_a["partner"]:
        # A's other customer's viewer may name its own partner: it still sees none of customer A's rows.
        assert foreign.json()["count"] == 0
        return
    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json())
    if foreign.status_code == 200:
        assert foreign.json()["count"] == 0


# ---- who sees what within the portal ---------------------------------------------------------

def ids(client, path, key="id") -> list:
    return sorted(row[key] for row in client.get(f"/api/v1/{path}", {"page_size": 200}).json()["results"])


@pytest.fixture
def second_customer_a(partner_a):
    customer = factories.CustomerFactory(partner=partner_a, name="Ericsson Kista")
    site = factories.SiteFactory(customer=customer, site_id="SE-KIS-001")
    contract = factories.ContractFactory(customer=customer, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=contract, category="video")
    factories.DeviceFactory(site=site, serial="SEKISDEVICE1")
    return customer


def test_a_customer_viewer_sees_only_its_customers_contracts_and_devices_and_no_flags(
        api_for, world_a, world_b, second_customer_a, customer_viewer, partner_a):
    client = api_for(customer_viewer)
    assert ids(client, "contracts/") == sorted([world_a["contract"], world_a["draft"]])
    assert {row["customer"] for row in client.get("/api/v1/devices/").json()["results"]} == {world_a["customer"]}
    assert client.get("/api/v1/devices/", {"search": "SEKIS"}).json()["count"] == 0
    assert client.get("/api/v1/coverage/", {"site_id": "SE-KIS-001", "category": "video"}).status_code == 404
    assert client.get("/api/v1/coverage/", {"serial": "SEKISDEVICE1"}).status_code == 404
    assert client.get(f"/api/v1/contracts/{world_a['contract']}/devices/").json()["count"] == 1

    # The spare serial is not on A's Poly+ contract: Poly support sees the customer flagged, the viewer not.
    partner_a.certifications.update(expires_on=TODAY - datetime.timedelta(days=1))
    query = {"serial": "SEGOTSPARE01"}
    viewer_answer = client.get("/api/v1/coverage/", query).json()
    assert viewer_answer["reason"] == "not_on_contract"
    assert viewer_answer["flags"] == []
    assert client.get("/api/v1/coverage/", {"site_id": world_a["site"], "category": "video"}).json()["flags"] == []


def test_poly_support_sees_the_flags_a_customer_viewer_does_not(api_for, world_a, poly_support, partner_a):
    partner_a.certifications.update(expires_on=TODAY - datetime.timedelta(days=1))
    answer = api_for(poly_support).get("/api/v1/coverage/", {"serial": "SEGOTSPARE01"}).json()
    assert set(answer["flags"]) == {"customer_non_compliant", "partner_certification_lapsed"}


def test_a_csm_sees_only_the_assigned_customers_contracts_devices_and_coverage(api_for, csm, world_a, world_b,
                                                                              second_customer_a, customer_a):
    factories.CsmAssignmentFactory(customer=second_customer_a, csm=csm)
    factories.CsmAssignmentFactory(customer=customer_a)  # another CSM's
    client = api_for(csm)
    assert ids(client, "contracts/") == [Contract.objects.get(customer=second_customer_a).pk]
    assert [row["serial"] for row in client.get("/api/v1/devices/").json()["results"]] == ["SEKISDEVICE1"]
    assert client.get("/api/v1/coverage/", {"site_id": "SE-KIS-001", "category": "video"}).json()["covered"]
    for path in (f"contracts/{world_a['contract']}/", f"contracts/{world_b['contract']}/",
                 f"devices/{world_a['device']}/", f"contracts/{world_a['contract']}/devices/",
                 f"coverage/?site_id={world_a['site']}&category=video", f"coverage/?serial={world_a['serial']}"):
        assert client.get(f"/api/v1/{path}").status_code == 404, path


@pytest.mark.parametrize("persona", ["poly_support", "escalation_manager", "poly_admin"])
def test_poly_support_sees_every_partners_contracts_devices_and_coverage(request, api_for, persona, world_a, world_b):
    client = api_for(request.getfixturevalue(persona))
    assert ids(client, "contracts/") == sorted(Contract.objects.values_list("pk", flat=True))
    assert ids(client, "devices/") == sorted(Device.objects.values_list("pk", flat=True))
    assert client.get(f"/api/v1/contracts/{world_b['contract']}/devices/").json()["count"] == 1
    assert client.get("/api/v1/coverage/", {"serial": world_a["serial"]}).json()["covered"] is True
    assert client.get("/api/v1/coverage/", {"serial": "PLPLO0001"}).json()["covered"] is True


# ---- roles that may not act -----------------------------------------------------------------

def contract_body(customer_id: int) -> dict:
    return {"customer": customer_id, "offering": "poly_plus", "start_date": TODAY.isoformat(),
            "end_date": (TODAY + datetime.timedelta(days=364)).isoformat(),
            "lines": [{"category": "voice", "installed": 5, "annual_unit_price": "10.00"}]}


def contract_writes(client, world) -> list:
    contract, draft = world["contract"], world["draft"]
    return [
        client.post("/api/v1/contracts/", contract_body(world["customer"]), format="json"),
        client.post(f"/api/v1/contracts/{draft}/activate/"),
        client.post(f"/api/v1/contracts/{contract}/cancel/", {"reason": "No"}, format="json"),
        client.post(f"/api/v1/contracts/{contract}/renew/", {}, format="json"),
        client.post(f"/api/v1/contracts/{contract}/add-line/", VOICE_LINE, format="json"),
    ]


def catalogue_writes(client) -> list:
    body = {"sku": "CCX-600", "name": "Poly CCX 600", "category": "voice", "list_price": "499.00"}
    upload = SimpleUploadedFile("c.csv", b"sku,name,category,list_price\nCCX-700,Poly CCX 700,voice,599\n")
    return [
        client.post("/api/v1/products/", body, format="json"),
        client.put("/api/v1/products/SX-50/", {**body, "sku": "SX-50"}, format="json"),
        client.patch("/api/v1/products/SX-50/", {"list_price": "1.00"}, format="json"),
        client.post("/api/v1/products/import/", {"file": upload}, format="multipart"),
    ]


def device_writes(client, world) -> list:
    return [
        client.post("/api/v1/devices/", {"serial": "NEW0001", "product": "SX-50", "site": world["site"]},
                    format="json"),
        client.post(f"/api/v1/contracts/{world['contract']}/devices/",
                    {"device": Device.objects.get(serial="SEGOTSPARE01").pk}, format="json"),
        client.post(f"/api/v1/contracts/{world['contract']}/devices/{world['entry']}/remove/"),
    ]


@pytest.mark.parametrize("persona", ["partner_a_engineer", "customer_viewer", "csm", "poly_support",
                                     "escalation_manager"])
def test_a_role_that_may_not_write_contracts_gets_403_and_nothing_is_written(request, api_for, world_a, persona,
                                                                             customer_a):
    actor = request.getfixturevalue(persona)
    if persona == "csm":
        factories.CsmAssignmentFactory(customer=customer_a, csm=actor)
    client = api_for(actor)
    before = snapshot()
    attempts = contract_writes(client, world_a) + catalogue_writes(client)
    if persona != "partner_a_engineer":
        attempts += device_writes(client, world_a)
    assert [r.status_code for r in attempts] == [403] * len(attempts), [r.content for r in attempts]
    assert all(set(r.json()) == {"detail", "code"} for r in attempts)
    assert snapshot() == before


def test_a_partner_engineer_registers_devices_and_keeps_the_serial_list(api_for, world_a, partner_a_engineer):
    client = api_for(partner_a_engineer)
    created, added, removed = device_writes(client, world_a)
    assert (created.status_code, added.status_code, removed.status_code) == (201, 201, 204)
    assert set(Device.objects.filter(serial="NEW0001").values_list("customer_id", "partner_id")) == {
        (world_a["customer"], world_a["partner"])}


def test_a_partner_admin_writes_contracts_but_not_the_catalogue(api_for, world_a, partner_a_admin):
    client = api_for(partner_a_admin)
    before = snapshot()
    assert [r.status_code for r in catalogue_writes(client)] == [403] * 4
    assert snapshot() == before
    contract, draft = world_a["contract"], world_a["draft"]
    created = client.post("/api/v1/contracts/", contract_body(world_a["customer"]), format="json")
    assert created.status_code == 201, created.json()
    assert client.post(f"/api/v1/contracts/{contract}/add-line/", VOICE_LINE, format="json").status_code == 400
    assert client.post(f"/api/v1/contracts/{contract}/renew/", {}, format="json").status_code == 400  # draft is next
    assert client.post(f"/api/v1/contracts/{created.json()['id']}/cancel/", {"reason": "Typo"},
                       format="json").status_code == 200
    assert client.post(f"/api/v1/contracts/{contract}/add-line/", VOICE_LINE, format="json").status_code == 201
    assert client.post(f"/api/v1/contracts/{draft}/activate/").status_code == 200


def test_only_a_poly_admin_writes_the_catalogue(api_for, world_a, poly_admin):
    responses = catalogue_writes(api_for(poly_admin))
    assert [r.status_code for r in responses] == [201, 200, 200, 200], [r.content for r in responses]
    assert set(Product.objects.values_list("sku", flat=True)) == {"SX-50", "CCX-600", "CCX-700"}


def test_a_poly_admin_may_contract_for_any_partners_customer(api_for, world_a, world_b, poly_admin, customer_b):
    response = api_for(poly_admin).post("/api/v1/contracts/", {**contract_body(customer_b.pk), "lines": [
        {"category": "video", "installed": 5, "annual_unit_price": "10.00"}], "start_date": "2030-01-01",
        "end_date": "2030-12-31"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["partner"] == customer_b.partner_id
