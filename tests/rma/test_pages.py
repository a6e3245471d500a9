"""RMA pages: request from a case with the estimate, the list and its filters, the RMA page with its
timeline and actions, billing for Poly; isolation (404 like a missing one), read-only customers,
internal notes never shown, refusals next to the form with nothing changed, fixed query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rma import services
from rma.models import Rma, RmaStep
from tests import factories
from tests.rma import FAULT, approved, covered_world, delivered, failed_unit, request_rma
from tests.tickets import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(site_a):
    return covered_world(site_a, committed=19)[1]


@pytest.fixture
def rma(partner_a_engineer, site_a, product, poly_support):
    rma = request_rma(partner_a_engineer, site_a, product, serial="SAVIP0001")
    services.rma_note(by=poly_support, rma=rma, internal_note="Stock low in Venlo")
    return rma


def test_the_request_page_shows_the_estimate_and_requests(client_for, partner_a_engineer, site_a, product):
    device = failed_unit(site_a, product, serial="SAVIP0002")
    case = open_case(partner_a_engineer, site_a, category="headset")
    client = client_for(partner_a_engineer)
    page = client.get(f"/cases/{case.pk}/rma/")
    assert page.status_code == 200
    text = page.content.decode()
    # Tuesday 1 December 2026 at 11:00 in Stockholm, before the 14:00 cut-off.
    assert "Tue 1 Dec 2026" in text and "Wed 2 Dec 2026" in text and "Europe/Stockholm" in text
    response = client.post(f"/cases/{case.pk}/rma/", {"serial": device.serial, "fault": FAULT})
    created = Rma.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/rmas/{created.pk}/"


def test_a_refused_request_shows_the_reason_next_to_the_serial(client_for, partner_a_engineer, site_a, product):
    old = factories.ProductFactory(sku="CS540", category="headset", end_of_service=datetime.date(2026, 1, 1))
    device = failed_unit(site_a, old)
    case = open_case(partner_a_engineer, site_a, category="headset")
    page = client_for(partner_a_engineer).post(f"/cases/{case.pk}/rma/", {"serial": device.serial, "fault": FAULT})
    assert page.status_code == 200
    assert "reached end of service" in page.content.decode()
    assert not Rma.objects.exists()


def test_requesting_on_another_partners_case_is_404(client_for, partner_b_engineer, site_a, partner_a_engineer,
                                                    product):
    case = open_case(partner_a_engineer, site_a, category="headset")
    client = client_for(partner_b_engineer)
    assert client.get(f"/cases/{case.pk}/rma/").status_code == 404
    assert client.post(f"/cases/{case.pk}/rma/", {"serial": "X", "fault": "x"}).status_code == 404
    assert client.get("/cases/987654/rma/").status_code == 404


def test_a_customer_viewer_may_not_request(client_for, customer_viewer, site_a, partner_a_engineer, product):
    case = open_case(partner_a_engineer, site_a, category="headset")
    assert client_for(customer_viewer).get(f"/cases/{case.pk}/rma/").status_code == 403


PAGES = ["/rmas/{pk}/", "/rmas/{pk}/approve/", "/rmas/{pk}/cancel/", "/rmas/{pk}/note/"]


@pytest.mark.parametrize("outsider", ["partner_b_admin", "partner_b_engineer", "viewer_of_other"])
@pytest.mark.parametrize("path", PAGES)
def test_another_partners_rma_page_is_404_like_a_missing_one(request, client_for, rma, partner_a, outsider, path):
    if outsider == "viewer_of_other":
        user = factories.CustomerViewerFactory(customer=factories.CustomerFactory(partner=partner_a))
    else:
        user = request.getfixturevalue(outsider)
    client = client_for(user)
    method = client.get if path == "/rmas/{pk}/" else client.post
    before = list(Rma.objects.values())
    foreign, missing = method(path.format(pk=rma.pk)), method(path.format(pk=987654))
    assert foreign.status_code in (404, 403) and foreign.status_code == missing.status_code
    if path == "/rmas/{pk}/" or user.is_partner_member:
        assert foreign.status_code == 404
    assert list(Rma.objects.values()) == before


def test_the_customer_sees_its_own_read_only_without_internal_notes(client_for, customer_viewer, rma):
    client = client_for(customer_viewer)
    page = client.get(f"/rmas/{rma.pk}/").content.decode()
    assert rma.number in page and "Venlo" not in page and 'data-action=' not in page
    assert "Venlo" not in client.get("/rmas/").content.decode()
    assert client.post(f"/rmas/{rma.pk}/cancel/").status_code == 403
    assert Rma.objects.get().status == "requested"


def test_the_customers_rma_page_never_names_the_billed_price(client_for, customer_viewer, partner_a_engineer,
                                                              poly_support, site_a):
    _, headset = covered_world(site_a, committed=0)
    billable = approved(partner_a_engineer, poly_support, site_a, headset)
    assert billable.billable
    customer_page = client_for(customer_viewer).get(f"/rmas/{billable.pk}/").content.decode()
    assert billable.number in customer_page and "Ships " in customer_page
    assert "billable" not in customer_page.lower() and str(billable.billed_price) not in customer_page
    partner_page = client_for(partner_a_engineer).get(f"/rmas/{billable.pk}/").content.decode()
    assert f"billable at {billable.billed_price}" in partner_page


def test_the_partner_sees_its_tasks_and_poly_the_internal_note(client_for, partner_a_engineer, poly_support, rma):
    partner_page = client_for(partner_a_engineer).get(f"/rmas/{rma.pk}/").content.decode()
    assert "install and configure the replacement" in partner_page and "Venlo" not in partner_page
    assert 'data-action="cancel"' in partner_page and 'data-action="approve"' not in partner_page
    poly_page = client_for(poly_support).get(f"/rmas/{rma.pk}/").content.decode()
    assert "Venlo" in poly_page and 'data-action="approve"' in poly_page


def test_poly_approves_ships_and_the_partner_confirms_delivery(client_for, partner_a_engineer, poly_support, rma):
    poly, partner = client_for(poly_support), client_for(partner_a_engineer)
    assert poly.post(f"/rmas/{rma.pk}/approve/").status_code == 302
    assert poly.post(f"/rmas/{rma.pk}/ship/", {"carrier": "DHL", "tracking_number": "JD1"}).status_code == 302
    assert partner.post(f"/rmas/{rma.pk}/deliver/", {"delivered_on": "2026-12-01"}).status_code == 302
    page = partner.get(f"/rmas/{rma.pk}/").content.decode()
    assert "Fri 11 Dec 2026" in page  # return due: 10 calendar days after delivery
    assert [s.kind for s in RmaStep.objects.order_by("pk")] == ["requested", "approved", "shipped", "delivered"]


def test_an_action_out_of_order_shows_the_error_and_changes_nothing(client_for, poly_support, rma):
    before = (list(Rma.objects.values()), RmaStep.objects.count())
    page = client_for(poly_support).post(f"/rmas/{rma.pk}/ship/", {"carrier": "DHL", "tracking_number": "1"})
    assert page.status_code == 200
    assert "is requested; only an RMA that is approved can be shipped" in page.content.decode()
    assert (list(Rma.objects.values()), RmaStep.objects.count()) == before


def test_a_bad_form_shows_errors_next_to_fields(client_for, poly_support, partner_a_engineer, site_a, product):
    rma = approved(partner_a_engineer, poly_support, site_a, product)
    services.rma_ship(by=poly_support, rma=rma, carrier="DHL", tracking_number="1")
    page = client_for(poly_support).post(f"/rmas/{rma.pk}/deliver/", {"delivered_on": "2026-12-09"})
    assert page.status_code == 200 and "is in the future at the site" in page.content.decode()
    assert Rma.objects.get(pk=rma.pk).status == "shipped"


def test_a_partner_may_not_approve_by_page(client_for, partner_a_engineer, rma):
    assert client_for(partner_a_engineer).post(f"/rmas/{rma.pk}/approve/").status_code == 403
    assert client_for(partner_a_engineer).post(f"/rmas/{rma.pk}/bogus/").status_code == 404


def test_the_list_filters_and_flags_overdue_returns(client_for, poly_support, partner_a_engineer, site_a, product):
    late = delivered(partner_a_engineer, poly_support, site_a, product, delivered_on=datetime.date(2026, 12, 1))
    Rma.objects.filter(pk=late.pk).update(return_due=datetime.date(2026, 11, 30))
    waiting = request_rma(partner_a_engineer, site_a, product)
    client = client_for(poly_support)
    page = client.get("/rmas/", {"overdue": "yes"}).content.decode()
    assert late.number in page and waiting.number not in page and "Return overdue" in page
    page = client.get("/rmas/", {"status": "requested"}).content.decode()
    assert waiting.number in page and late.number not in page
    assert late.number in client.get("/rmas/", {"billable": "yes"}).content.decode()
    assert client.get("/rmas/", {"status": "bogus", "overdue": "maybe"}).status_code == 200
    dashboard = client_for(partner_a_engineer).get(reverse("portal:dashboard")).content.decode()
    assert 'id="rmas-overdue" class="badge bad">1<' in dashboard


def test_the_case_page_lists_its_rmas_and_offers_the_request(client_for, partner_a_engineer, customer_viewer, rma):
    page = client_for(partner_a_engineer).get(f"/cases/{rma.case_id}/").content.decode()
    assert rma.number in page and 'id="request-rma-link"' in page
    viewer_page = client_for(customer_viewer).get(f"/cases/{rma.case_id}/").content.decode()
    assert rma.number in viewer_page and 'id="request-rma-link"' not in viewer_page


@pytest.mark.parametrize("persona", ["poly_support", "partner_a_engineer", "customer_viewer"])
def test_the_list_page_costs_the_same_queries_for_3_and_30(request, client_for, persona, partner_a_engineer,
                                                          site_a, product):
    client = client_for(request.getfixturevalue(persona))

    def count_for(n):
        while Rma.objects.count() < n:
            request_rma(partner_a_engineer, site_a, product)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/rmas/").status_code == 200
        return len(queries)

    assert count_for(3) == count_for(30)


def test_billing_for_poly_with_csv(client_for, poly_support, partner_a_engineer, site_a, product):
    billable = approved(partner_a_engineer, poly_support, site_a, product, at=timezone.now())
    client = client_for(poly_support)
    page = client.get("/rmas/billing/", {"month": "2026-12"}).content.decode()
    assert billable.number in page and "289.00 USD" in page
    csv = client.get("/rmas/billing/", {"month": "2026-12", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    assert billable.number in csv.content.decode() and "289.00,USD" in csv.content.decode()
    assert billable.number not in client.get("/rmas/billing/", {"month": "2026-11"}).content.decode()
    assert client.get("/rmas/billing/", {"month": "garbage"}).status_code == 200
    assert client_for(partner_a_engineer).get("/rmas/billing/").status_code == 403


def test_from_a_device_a_case_is_opened_with_the_request(client_for, partner_a_engineer, site_a, product):
    from tickets.models import Case

    device = failed_unit(site_a, product, serial="SAVID0001")
    client = client_for(partner_a_engineer)
    assert 'aria-label="Request a replacement for SAVID0001"' in client.get("/devices/").content.decode()
    page = client.get(f"/devices/{device.pk}/rma/")
    assert page.status_code == 200 and "Wed 2 Dec 2026" in page.content.decode()
    response = client.post(f"/devices/{device.pk}/rma/", {"severity": 2, "fault": FAULT})
    rma = Rma.objects.get()
    assert response.status_code == 302 and rma.device == device
    case = Case.objects.get()
    assert rma.case == case and case.hardware_replacement and case.device == device


def test_a_refused_request_from_a_device_leaves_no_case(client_for, partner_a_engineer, site_a, product):
    from tickets.models import Case

    old = factories.ProductFactory(sku="CS540", category="headset", end_of_service=datetime.date(2026, 1, 1))
    device = failed_unit(site_a, old)
    page = client_for(partner_a_engineer).post(f"/devices/{device.pk}/rma/", {"severity": 2, "fault": FAULT})
    assert page.status_code == 200 and "reached end of service" in page.content.decode()
    assert not Case.objects.exists() and not Rma.objects.exists()


def test_another_partners_device_is_404_and_a_viewer_may_not_request(client_for, partner_b_engineer,
                                                                     customer_viewer, site_a, product):
    device = failed_unit(site_a, product)
    assert client_for(partner_b_engineer).get(f"/devices/{device.pk}/rma/").status_code == 404
    assert client_for(partner_b_engineer).post(f"/devices/{device.pk}/rma/", {"fault": "x"}).status_code == 404
    assert client_for(partner_b_engineer).get("/devices/987654/rma/").status_code == 404
    assert client_for(customer_viewer).get(f"/devices/{device.pk}/rma/").status_code == 403
