"""rmas/: the request, every action through the one state machine, the estimate, bad input (a clear 400,
nothing written, never a 500), internal notes for Poly only, and list query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rma import services
from rma.models import Rma, RmaStep
from tests import factories
from tests.rma import FAULT, approved, covered_world, failed_unit, request_rma
from tests.tickets import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(site_a):
    return covered_world(site_a, committed=19)[1]


def post(client, path, body=None):
    return client.post(f"/api/v1/rmas/{path}", body or {}, format="json")


def test_the_whole_life_by_api(api_for, partner_a_engineer, poly_support, site_a, product):
    device = failed_unit(site_a, product, serial="SAVI0009")
    case = open_case(partner_a_engineer, site_a, category="headset")
    engineer, poly = api_for(partner_a_engineer), api_for(poly_support)

    created = post(engineer, "", {"case": case.pk, "serial": device.serial.lower(), "fault": FAULT})
    assert created.status_code == 201, created.json()
    rma = created.json()
    assert (rma["status"], rma["serial"], rma["case"], rma["timezone"]) == ("requested", "SAVI0009", case.pk,
                                                                            "Europe/Stockholm")
    assert "internal_note" not in rma and rma["actions"] == ["deliver", "return-sent", "cancel"][2:]
    pk = rma["id"]

    approved_ = post(poly, f"{pk}/approve/").json()
    # Tuesday 1 December 2026, 11:00 in Stockholm: before the cut-off.
    assert (approved_["ship_date"], approved_["promised_delivery"]) == ("2026-12-01", "2026-12-02")
    assert approved_["billable"] is True and approved_["billed_price"] == "289.00"
    assert approved_["billed_currency"] == "USD" and approved_["internal_note"] == ""
    assert post(poly, f"{pk}/ship/", {"carrier": "DHL", "tracking_number": "JD0146"}).json()["status"] == "shipped"
    delivered = post(engineer, f"{pk}/deliver/", {"delivered_on": "2026-12-01"}).json()
    assert (delivered["status"], delivered["return_due"]) == ("delivered", "2026-12-11")
    marked = post(engineer, f"{pk}/return-sent/", {"sent_on": "2026-12-01", "carrier": "PostNord",
                                                   "tracking_number": "RR1"}).json()
    assert (marked["status"], marked["return_sent_on"]) == ("delivered", "2026-12-01")
    assert post(poly, f"{pk}/receive-return/", {"received_on": "2026-12-01"}).json()["status"] == "received"
    closed = post(poly, f"{pk}/close/").json()
    assert closed["status"] == "closed"
    assert [s["kind"] for s in closed["steps"]] == ["requested", "approved", "shipped", "delivered", "return_sent",
                                                    "received", "closed"]
    assert {s["by"] for s in engineer.get(f"/api/v1/rmas/{pk}/").json()["steps"]} == {
        partner_a_engineer.full_name, "Poly support"}


def test_a_move_out_of_order_is_a_400_naming_the_state_and_nothing_changes(api_for, partner_a_engineer,
                                                                          poly_support, site_a, product):
    rma = request_rma(partner_a_engineer, site_a, product)
    before = (list(Rma.objects.values()), RmaStep.objects.count())
    response = post(api_for(poly_support), f"{rma.pk}/ship/", {"carrier": "DHL", "tracking_number": "1"})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_state", "detail": f"RMA {rma.number} is requested; only an RMA "
                                                                  "that is approved can be shipped."}
    assert (list(Rma.objects.values()), RmaStep.objects.count()) == before


def test_a_partner_may_not_approve(api_for, partner_a_engineer, site_a, product):
    rma = request_rma(partner_a_engineer, site_a, product)
    response = post(api_for(partner_a_engineer), f"{rma.pk}/approve/")
    assert response.status_code == 403
    assert response.json()["detail"] == "Only Poly support may do this."


def test_a_customer_viewer_reads_its_own_and_may_not_act(api_for, customer_viewer, partner_a_engineer, site_a,
                                                         product):
    rma = request_rma(partner_a_engineer, site_a, product)
    services.rma_note(by=factories.PolyStaffFactory(), rma=rma, internal_note="Stock low in Venlo")
    client = api_for(customer_viewer)
    detail = client.get(f"/api/v1/rmas/{rma.pk}/")
    assert detail.status_code == 200 and "Venlo" not in detail.content.decode()
    assert detail.json()["actions"] == []
    assert post(client, f"{rma.pk}/cancel/").status_code == 403
    assert post(client, "", {"case": rma.case_id, "serial": rma.device.serial, "fault": "x"}).status_code == 403


BILLING = {"billable", "billed_price", "billed_currency", "allowance_year", "allowance_position",
           "allowance_committed"}


def test_a_customer_viewer_never_sees_billing_allowance_or_flags(api_for, customer_viewer, partner_a_engineer,
                                                                 poly_support, site_a, product):
    rma = approved(partner_a_engineer, poly_support, site_a, product)
    Rma.objects.filter(pk=rma.pk).update(billable=True, billed_price="289.00", billed_currency="SEK",
                                         coverage_flags=["term_ending"])
    services.rma_note(by=poly_support, rma=rma, internal_note="Bill at list, refurbished stock")
    client = api_for(customer_viewer)
    detail = client.get(f"/api/v1/rmas/{rma.pk}/")
    listed = client.get("/api/v1/rmas/")
    assert detail.status_code == 200 and listed.status_code == 200
    for body in (detail.json(), listed.json()["results"][0]):
        assert body["number"] == rma.number and body["flags"] == []
        assert not BILLING & body.keys() and "internal_note" not in body
    for response in (detail, listed):
        text = response.content.decode()
        assert "289.00" not in text and "SEK" not in text and "refurbished" not in text
    # Filtering on billing tells the customer nothing either.
    assert client.get("/api/v1/rmas/?billable=false").json()["count"] == 1
    assert client.get("/api/v1/rmas/?billable=true").json()["count"] == 1
    # The partner and Poly still see it.
    for reader in (partner_a_engineer, poly_support):
        body = api_for(reader).get(f"/api/v1/rmas/{rma.pk}/").json()
        assert body.keys() >= BILLING and body["billable"] is True and body["billed_price"] == "289.00"
    assert api_for(partner_a_engineer).get("/api/v1/rmas/?billable=false").json()["count"] == 0


def test_internal_note_is_shown_to_poly(api_for, poly_support, partner_a_engineer, site_a, product):
    rma = request_rma(partner_a_engineer, site_a, product)
    services.rma_note(by=poly_support, rma=rma, internal_note="Stock low in Venlo")
    assert api_for(poly_support).get(f"/api/v1/rmas/{rma.pk}/").json()["internal_note"] == "Stock low in Venlo"
    assert "Venlo" not in api_for(partner_a_engineer).get(f"/api/v1/rmas/{rma.pk}/").content.decode()


BAD_REQUESTS = [
    ({"serial": "X", "fault": "x"}, "case"),
    ({"case": "abc", "serial": "X", "fault": "x"}, "case"),
    ({"case": 987654, "serial": "X", "fault": "x"}, "case"),
    ({"case": "{case}", "serial": "", "fault": "x"}, "serial"),
    ({"case": "{case}", "serial": "NOSUCH", "fault": "x"}, "serial"),
    ({"case": "{case}", "serial": "{serial}", "fault": ""}, "fault"),
    ({"case": "{case}", "serial": "{serial}", "fault": "a\x00b"}, "fault"),
    ({"case": "{case}", "serial": "{serial}", "fault": "x" * 6000}, "fault"),
    ({"case": "{case}", "serial": "S" * 61, "fault": "x"}, "serial"),
]


@pytest.mark.parametrize(("body", "field"), BAD_REQUESTS)
def test_bad_requests_are_400_with_nothing_written(api_for, partner_a_engineer, site_a, product, body, field):
    device = failed_unit(site_a, product)
    case = open_case(partner_a_engineer, site_a, category="headset")
    ids = {"case": case.pk, "serial": device.serial}
    filled = {k: (v.format(**ids) if isinstance(v, str) and "{" in v else v) for k, v in body.items()}
    if filled.get("case") == str(case.pk):
        filled["case"] = case.pk
    response = post(api_for(partner_a_engineer), "", filled)
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Rma.objects.exists()


def test_an_uncovered_device_is_refused_with_the_reason(api_for, partner_a_engineer, site_a, product):
    old = factories.ProductFactory(sku="CS540", category="headset", end_of_service="2026-01-01")
    device = failed_unit(site_a, old)
    case = open_case(partner_a_engineer, site_a, category="headset")
    response = post(api_for(partner_a_engineer), "", {"case": case.pk, "serial": device.serial, "fault": FAULT})
    assert response.status_code == 400
    assert response.json()["coverage_reason"] == ["end_of_service"]
    assert "end of service" in response.json()["serial"][0]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("ship/", {"carrier": "", "tracking_number": "1"}, "carrier"),
    ("ship/", {"carrier": "DHL"}, "tracking_number"),
    ("reject/", {}, "reason"),
])
def test_bad_action_input_is_400(api_for, partner_a_engineer, poly_support, site_a, product, path, body, field):
    rma = approved(partner_a_engineer, poly_support, site_a, product) if path == "ship/" else request_rma(
        partner_a_engineer, site_a, product)
    response = post(api_for(poly_support), f"{rma.pk}/{path}", body)
    assert response.status_code == 400 and field in response.json(), response.content


@pytest.mark.parametrize("day", ["2026-12-02", "2026-02-30", "1999-12-31", "yesterday", ""])
def test_bad_delivery_days_are_400(api_for, partner_a_engineer, poly_support, site_a, product, day):
    rma = services.rma_ship(by=poly_support, rma=approved(partner_a_engineer, poly_support, site_a, product),
                            carrier="DHL", tracking_number="1")
    response = post(api_for(poly_support), f"{rma.pk}/deliver/", {"delivered_on": day})
    assert response.status_code == 400 and "delivered_on" in response.json(), response.content
    rma.refresh_from_db()
    assert rma.status == "shipped"


def test_the_estimate_names_zone_and_skipped_holidays(api_for, partner_a_engineer, site_a):
    response = api_for(partner_a_engineer).get("/api/v1/rmas/estimate/",
                                               {"site_id": site_a.site_id.lower(), "at": "2026-12-24T12:59:00Z"})
    assert response.status_code == 200
    assert response.json() == {
        "site_id": site_a.site_id, "timezone": "Europe/Stockholm", "at": "2026-12-24T12:59:00Z",
        "local_time": "2026-12-24T13:59:00+01:00", "cutoff": "14:00:00", "before_cutoff": True,
        "ship_date": "2026-12-24", "promised_delivery": "2026-12-28",
        "skipped_holidays": [{"date": "2026-12-25", "name": "Christmas Day"},
                             {"date": "2026-12-26", "name": "Second Day of Christmas"}],
    }


def test_the_estimate_defaults_to_now(api_for, partner_a_engineer, site_a):
    response = api_for(partner_a_engineer).get("/api/v1/rmas/estimate/", {"site_id": site_a.site_id})
    assert response.json()["at"] == "2026-12-01T10:00:00Z"


@pytest.mark.parametrize("params", [{}, {"site_id": "NO-SUCH"}, {"site_id": "{site}", "at": "2026-12-24T12:00"},
                                    {"site_id": "{site}", "at": "tomorrow"},
                                    {"site_id": "{site}", "at": "2026-02-30T10:00:00Z"},
                                    {"site_id": "{site}", "at": "9999-12-31T23:00:00Z"}])
def test_bad_estimates_are_400(api_for, partner_a_engineer, site_a, params):
    params = {k: v.format(site=site_a.site_id) for k, v in params.items()}
    response = api_for(partner_a_engineer).get("/api/v1/rmas/estimate/", params)
    assert response.status_code == 400, response.content


def test_another_partners_site_estimates_like_a_missing_one(api_for, partner_b_engineer, site_a):
    client = api_for(partner_b_engineer)
    foreign = client.get("/api/v1/rmas/estimate/", {"site_id": site_a.site_id})
    missing = client.get("/api/v1/rmas/estimate/", {"site_id": "NO-SUCH-SITE"})
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["site_id"][0].replace(site_a.site_id, "X") == missing.json()["site_id"][0].replace(
        "NO-SUCH-SITE", "X")


def test_filters(api_for, partner_a_engineer, poly_support, site_a, product):
    billable = approved(partner_a_engineer, poly_support, site_a, product)
    requested = request_rma(partner_a_engineer, site_a, product)
    client = api_for(poly_support)

    def ids(**params):
        return [row["id"] for row in client.get("/api/v1/rmas/", params).json()["results"]]

    assert ids() == [requested.pk, billable.pk]
    assert ids(status="requested") == [requested.pk]
    assert ids(billable="true") == [billable.pk]
    assert ids(overdue="true") == []
    assert ids(search=requested.number) == [requested.pk]
    assert ids(serial=billable.device.serial) == [billable.pk]
    assert client.get("/api/v1/rmas/", {"status": "bogus"}).status_code == 400


@pytest.mark.parametrize("persona", ["poly_support", "partner_a_engineer", "customer_viewer"])
def test_the_list_costs_the_same_queries_for_3_and_30_rmas(request, persona, partner_a_engineer, poly_support,
                                                          site_a, product, api_for):
    client = api_for(request.getfixturevalue(persona))

    def count_for(n):
        while Rma.objects.count() < n:
            request_rma(partner_a_engineer, site_a, product)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/rmas/", {"page_size": 50})
        assert response.json()["count"] == n
        return len(queries)

    assert count_for(3) == count_for(30)
    assert count_for(30) <= 8
