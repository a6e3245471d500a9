"""Isolation for every rmas/ endpoint and method: an outsider's answer for partner A's RMA equals the
answer for an id that does not exist, nothing changes, and lists and searches never show A's rows."""

import pytest

from rma import services
from rma.models import Rma, RmaStep
from tests import isolation
from tests.isolation import answer, filled, without_ids
from tests.rma import covered_world, failed_unit, request_rma
from tests.tickets import open_case

pytestmark = pytest.mark.django_db

MISSING = {"rma": 987654, "case": 987654, "serial": "NOSUCHSERIAL", "site": "NO-SUCH-SITE"}
A_TEXT = ("NORDIC", "Volvo", "SE-GOT", "SAVIA", "Venlo")


@pytest.fixture
def world_a(partner_a, site_a, partner_a_engineer, poly_support):
    _, product = covered_world(site_a)
    rma = request_rma(partner_a_engineer, site_a, product, serial="SAVIA0001")
    services.rma_note(by=poly_support, rma=rma, internal_note="Stock low in Venlo")
    spare = failed_unit(site_a, product, serial="SAVIA0002")
    return {"rma": rma.pk, "case": rma.case_id, "serial": spare.serial, "site": site_a.site_id}


@pytest.fixture
def world_b(partner_b, site_b, partner_b_engineer):
    _, product = covered_world(site_b, sku="B-HEADSET")
    rma = request_rma(partner_b_engineer, site_b, product, serial="WISLA0001")
    return {"rma": rma.pk, "case": open_case(partner_b_engineer, site_b, category="headset").pk}


def snapshot() -> list:
    return [list(Rma.objects.order_by("pk").values()), list(RmaStep.objects.order_by("pk").values_list("pk"))]


REQUESTS = [
    ("get", "rmas/{rma}/", None),
    ("put", "rmas/{rma}/", {"fault": "Hijacked"}),
    ("patch", "rmas/{rma}/", {"fault": "Hijacked"}),
    ("delete", "rmas/{rma}/", None),
    ("post", "rmas/{rma}/approve/", None),
    ("post", "rmas/{rma}/reject/", {"reason": "Hijacked"}),
    ("post", "rmas/{rma}/ship/", {"carrier": "DHL", "tracking_number": "1"}),
    ("post", "rmas/{rma}/deliver/", {"delivered_on": "2026-12-01"}),
    ("post", "rmas/{rma}/return-sent/", {"sent_on": "2026-12-01", "carrier": "DHL", "tracking_number": "1"}),
    ("post", "rmas/{rma}/receive-return/", {"received_on": "2026-12-01"}),
    ("post", "rmas/{rma}/close/", None),
    ("post", "rmas/{rma}/cancel/", {"reason": "Hijacked"}),
    ("post", "rmas/{rma}/cancel/", {"reason": 5}),
]


@pytest.fixture(params=isolation.OUTSIDERS)
def outsider(request, world_b, partner_a, customer_b):
    return isolation.make_outsider(request, partner_a=partner_a, customer_b=customer_b)


@pytest.fixture(params=isolation.AUTH_WAYS)
def client_as(request, api_for):
    return isolation.client_maker(request.param, api_for)


@pytest.mark.parametrize(("method", "path", "body"), REQUESTS,
                         ids=[f"{m.upper()} {p} {sorted(b or {})}" for m, p, b in REQUESTS])
def test_another_partners_rma_answers_exactly_like_a_missing_one(world_a, outsider, client_as, method, path, body):
    client = client_as(outsider)
    before = snapshot()
    foreign = getattr(client, method)("/api/v1/" + filled(path, world_a), filled(body, world_a), format="json")
    missing = getattr(client, method)("/api/v1/" + filled(path, MISSING), filled(body, MISSING), format="json")
    assert answer(foreign) == answer(missing)
    assert foreign.status_code == (404 if method in ("get", "post") else 405)
    assert snapshot() == before


def test_requesting_on_another_partners_case_or_serial_answers_like_a_missing_one(world_a, world_b, outsider,
                                                                                 client_as):
    client = client_as(outsider)
    before = snapshot()
    for body in ({"case": "{case}", "serial": "SAVIA0002", "fault": "x"},
                 {"case": world_b["case"], "serial": "{serial}", "fault": "x"}):
        foreign = client.post("/api/v1/rmas/", filled(body, world_a), format="json")
        missing = client.post("/api/v1/rmas/", filled(body, MISSING), format="json")
        assert foreign.status_code == missing.status_code
        assert without_ids(foreign.content, world_a) == without_ids(missing.content, MISSING)
        assert foreign.status_code == (400 if outsider.is_partner_member else 403)
    assert snapshot() == before


def test_estimating_for_another_partners_site_answers_like_a_missing_one(world_a, outsider, client_as):
    client = client_as(outsider)
    foreign = client.get("/api/v1/rmas/estimate/", {"site_id": world_a["site"]})
    missing = client.get("/api/v1/rmas/estimate/", {"site_id": MISSING["site"]})
    assert without_ids(foreign.content, world_a) == without_ids(missing.content, MISSING)
    assert foreign.status_code == 400


@pytest.mark.parametrize("params", [{}, {"search": "SAVIA0001"}, {"serial": "SAVIA0001"},
                                    {"site_id": "SE-GOT-001"}, {"status": "requested"}])
def test_lists_never_show_another_partners_rmas(world_a, outsider, client_as, params):
    response = client_as(outsider).get("/api/v1/rmas/", {"page_size": 200, **params})
    assert response.status_code == 200
    assert not any(fragment in response.content.decode() for fragment in A_TEXT), response.content


def test_filtering_by_another_partner_answers_like_a_missing_partner(world_a, partner_a, partner_b_engineer,
                                                                     api_for):
    client = api_for(partner_b_engineer)
    foreign = client.get("/api/v1/rmas/", {"partner": partner_a.pk})
    missing = client.get("/api/v1/rmas/", {"partner": 987654})
    assert foreign.status_code == 400
    assert without_ids(foreign.content, {"p": partner_a.pk}) == without_ids(missing.content, {"p": 987654})


def test_the_own_customer_viewer_sees_it_without_the_internal_note(world_a, customer_viewer, api_for):
    response = api_for(customer_viewer).get(f"/api/v1/rmas/{world_a['rma']}/")
    assert response.status_code == 200 and "Venlo" not in response.content.decode()
    assert api_for(customer_viewer).get("/api/v1/rmas/").json()["count"] == 1


def test_filtering_by_another_customers_case_answers_like_a_missing_one(world_a, partner_a, api_for):
    from tests import factories

    other = factories.CustomerFactory(partner=partner_a, name="Ericsson Kista")
    viewer = factories.CustomerViewerFactory(customer=other, email="it@ericsson.example")
    client = api_for(viewer)
    foreign = client.get("/api/v1/rmas/", {"case": world_a["case"]})
    missing = client.get("/api/v1/rmas/", {"case": 987654})
    assert foreign.status_code == 400
    assert without_ids(foreign.content, world_a) == without_ids(missing.content, MISSING)
