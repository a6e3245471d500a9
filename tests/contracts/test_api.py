"""products/ and contracts/: the same rules and texts as the services, scoped like every list."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from contracts.models import Contract, ContractStatus, Product
from tests import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def certified_a(partner_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    return partner_a


def contract_body(customer, **overrides):
    body = {
        "customer": customer.pk, "offering": "poly_plus_enterprise",
        "start_date": TODAY().isoformat(), "end_date": (TODAY() + 364 * DAY).isoformat(),
        "lines": [{"category": "video", "installed": 120, "growth": 8, "annual_unit_price": "99.50"}],
    }
    body.update(overrides)
    return body


def test_a_partner_admin_creates_a_contract_with_exact_baseline(api_for, certified_a, customer_a, partner_a_admin):
    response = api_for(partner_a_admin).post("/api/v1/contracts/", contract_body(customer_a), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft"
    assert body["lines"][0]["committed"] == 128
    assert body["lines"][0]["baseline"] == "134.40"


def test_the_api_refuses_an_uncertified_category_with_the_service_text(api_for, certified_a, customer_a,
                                                                         partner_a_admin):
    body = contract_body(customer_a, lines=[{"category": "voice", "installed": 200, "annual_unit_price": "1"}])
    response = api_for(partner_a_admin).post("/api/v1/contracts/", body, format="json")

    assert response.status_code == 400
    assert "no current Poly service certification for: Voice" in response.json()["lines"][0]
    assert not Contract.objects.exists()


def test_the_api_refuses_a_negative_count(api_for, certified_a, customer_a, partner_a_admin):
    body = contract_body(customer_a, lines=[{"category": "video", "installed": -1, "annual_unit_price": "1"}])
    response = api_for(partner_a_admin).post("/api/v1/contracts/", body, format="json")
    assert response.status_code == 400
    assert not Contract.objects.exists()


def test_a_partner_cannot_contract_for_another_partners_customer(api_for, certified_a, customer_b, partner_a_admin):
    response = api_for(partner_a_admin).post("/api/v1/contracts/", contract_body(customer_b), format="json")
    assert response.status_code == 400
    assert "customer" in response.json()
    assert not Contract.objects.exists()


def test_a_partner_engineer_may_read_but_not_create_contracts(api_for, certified_a, customer_a, partner_a_engineer):
    client = api_for(partner_a_engineer)
    assert client.get("/api/v1/contracts/").status_code == 200
    assert client.post("/api/v1/contracts/", contract_body(customer_a), format="json").status_code == 403


def test_actions_follow_the_state_machine(api_for, certified_a, customer_a, partner_a_admin):
    client = api_for(partner_a_admin)
    contract_id = client.post("/api/v1/contracts/", contract_body(customer_a), format="json").json()["id"]

    assert client.post(f"/api/v1/contracts/{contract_id}/activate/").json()["status"] == "active"
    again = client.post(f"/api/v1/contracts/{contract_id}/activate/")
    assert again.status_code == 400
    assert "cannot become active" in again.json()["status"][0]
    assert client.post(f"/api/v1/contracts/{contract_id}/cancel/", {}, format="json").status_code == 400
    cancelled = client.post(f"/api/v1/contracts/{contract_id}/cancel/", {"reason": "Customer left"}, format="json")
    assert cancelled.json()["status"] == "cancelled"


@pytest.mark.parametrize("action", ["", "activate/", "cancel/", "renew/", "add-line/"])
def test_another_partners_contract_is_404_for_every_action(api_for, certified_a, customer_a, partner_b_admin, action):
    contract = factories.ContractFactory(customer=customer_a, status=ContractStatus.DRAFT)
    client = api_for(partner_b_admin)
    method = client.get if not action else client.post
    foreign = method(f"/api/v1/contracts/{contract.pk}/{action}", {"reason": "x"}, format="json")
    missing = method(f"/api/v1/contracts/999999/{action}", {"reason": "x"}, format="json")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()
    contract.refresh_from_db()
    assert contract.status == ContractStatus.DRAFT


def test_contract_lists_are_scoped(api_for, customer_a, customer_b, partner_b_engineer, customer_viewer, poly_support):
    mine = factories.ContractFactory(customer=customer_b)
    theirs = factories.ContractFactory(customer=customer_a)
    assert [c["id"] for c in api_for(partner_b_engineer).get("/api/v1/contracts/").json()["results"]] == [mine.pk]
    viewer_ids = [c["id"] for c in api_for(customer_viewer).get("/api/v1/contracts/").json()["results"]]
    assert viewer_ids == [theirs.pk]
    assert len(api_for(poly_support).get("/api/v1/contracts/").json()["results"]) == 2


def test_everyone_reads_the_catalogue_but_only_poly_admins_write(api_for, partner_a_engineer, poly_admin):
    factories.ProductFactory(sku="SX-50", end_of_service=TODAY())
    listed = api_for(partner_a_engineer).get("/api/v1/products/?search=SX").json()["results"]
    assert listed[0]["sku"] == "SX-50" and listed[0]["list_price"] == "2499.00"
    body = {"sku": "CCX-500", "name": "Poly CCX 500", "category": "voice", "list_price": "399.00", "currency": "EUR"}
    assert api_for(partner_a_engineer).post("/api/v1/products/", body, format="json").status_code == 403
    created = api_for(poly_admin).post("/api/v1/products/", body, format="json")
    assert created.status_code == 201
    assert created.json()["quote_required"] is False


def test_product_import_reports_each_bad_row_and_writes_nothing(api_for, poly_admin):
    upload = SimpleUploadedFile("catalogue.csv", b"sku,name,category,list_price\nA-1,A,video,1\nB-2,B,tablet,x\n",
                                content_type="text/csv")
    response = api_for(poly_admin).post("/api/v1/products/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    errors = response.json()["file"]
    assert any(e.startswith("Line 3, column category") for e in errors)
    assert any(e.startswith("Line 3, column list_price") for e in errors)
    assert not Product.objects.exists()
