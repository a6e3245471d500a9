"""The workspace API at work: running a month, accepting a true-up, uploading, bad input, query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import ContractLine
from installbase.models import InventoryUpload, Reconciliation, TrueUp, TrueUpStatus
from tests import factories
from tests.installbase.workspace import enterprise_term, reconciled_world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def assigned_csm(csm, customer_a):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    return csm


@pytest.fixture
def contract(customer_a, site_a):
    return enterprise_term(customer_a, site_a)


def run(client, contract, month="2025-07"):
    return client.post("/api/v1/reconciliations/run/", {"contract": contract.pk, "month": month}, format="json")


def test_the_csm_runs_the_adjustment_month_and_sees_the_true_up(contract, assigned_csm, api_for):
    response = run(api_for(assigned_csm), contract)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["month"], body["changed"], body["closed"], body["missing_upload"]) == ("2025-07", True, False, False)
    (row,) = body["rows"]
    assert (row["count"], row["committed"], row["baseline"], row["over_threshold"]) == (110, 100, "105.00", True)
    (true_up,) = body["true_ups"]
    assert (true_up["additional_devices"], true_up["months"], true_up["amount"], true_up["currency"]) == (
        10, 6, "600.00", "SEK")
    assert run(api_for(assigned_csm), contract).json()["changed"] is False


def test_a_partner_admin_accepts_with_a_po_and_the_baseline_resets(contract, assigned_csm, partner_a_admin, api_for):
    true_up_id = run(api_for(assigned_csm), contract).json()["true_ups"][0]["id"]
    response = api_for(partner_a_admin).post(f"/api/v1/true-ups/{true_up_id}/accept/", {"po_number": "PO-42"},
                                             format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["po_number"], response.json()["committed_after"]) == (
        "accepted", "PO-42", 110)
    assert ContractLine.objects.get(contract=contract).committed == 110
    again = api_for(partner_a_admin).post(f"/api/v1/true-ups/{true_up_id}/accept/", {"po_number": "PO-43"},
                                          format="json")
    assert again.status_code == 400 and "accepted" in again.json()["status"][0]


def test_an_engineer_may_not_record_a_po(contract, assigned_csm, partner_a_engineer, api_for):
    true_up_id = run(api_for(assigned_csm), contract).json()["true_ups"][0]["id"]
    response = api_for(partner_a_engineer).post(f"/api/v1/true-ups/{true_up_id}/accept/", {"po_number": "PO-1"},
                                                format="json")
    assert response.status_code == 403
    assert TrueUp.objects.get().status == TrueUpStatus.PROPOSED


@pytest.mark.parametrize(("body", "field"), [
    ({"month": "2025-13"}, "month"),
    ({"month": "July"}, "month"),
    ({"month": 202507}, "month"),
    ({"month": "1999-12"}, "month"),
    ({"month": "2026-01"}, "month"),  # after the term
    ({"month": "2025-07", "contract": "x"}, "contract"),
    ({"month": "2025-07", "contract": "１"}, "contract"),
    ({"month": "2025-07", "contract": None}, "contract"),
    ({"month": "2025-07\x00"}, "month"),
])
def test_bad_run_input_is_a_400_naming_the_field(contract, assigned_csm, api_for, body, field):
    payload = {"contract": contract.pk, **body}
    response = api_for(assigned_csm).post("/api/v1/reconciliations/run/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Reconciliation.objects.exists()


def test_a_draft_contract_is_not_reconciled(customer_a, assigned_csm, api_for):
    draft = factories.ContractFactory(customer=customer_a, status="draft")
    factories.ContractLineFactory(contract=draft)
    response = run(api_for(assigned_csm), draft, month=draft.start_date.strftime("%Y-%m"))
    assert response.status_code == 400 and "draft" in response.json()["contract"][0]


@pytest.mark.parametrize(("body", "field"), [({}, "po_number"), ({"po_number": "   "}, "po_number"),
                                             ({"po_number": "P" * 61}, "po_number"),
                                             ({"po_number": "PO\x001"}, "po_number")])
def test_bad_po_input_is_a_400_and_nothing_changes(contract, assigned_csm, partner_a_admin, api_for, body, field):
    true_up_id = run(api_for(assigned_csm), contract).json()["true_ups"][0]["id"]
    response = api_for(partner_a_admin).post(f"/api/v1/true-ups/{true_up_id}/accept/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert ContractLine.objects.get(contract=contract).committed == 100


def test_an_upload_by_api_is_accepted_for_the_worker(customer_a, partner_a_engineer, api_for):
    file = SimpleUploadedFile("lens.csv", b"serial,sku,site_id\nX,Y,Z\n", content_type="text/csv")
    response = api_for(partner_a_engineer).post(
        "/api/v1/inventory-uploads/", {"customer": customer_a.pk, "month": "2025-07", "file": file},
        format="multipart")
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["status"], body["month"], body["file_name"], body["errors"]) == ("queued", "2025-07", "lens.csv", [])
    assert "file" not in body


@pytest.mark.parametrize(("body", "field"), [
    ({"month": "2025-07"}, "file"),
    ({"month": "2099-12", "file": "f"}, "month"),
    ({"month": "nope", "file": "f"}, "month"),
    ({"file": "f"}, "month"),
    ({"month": "2025-07", "file": "empty"}, "file"),
])
def test_bad_upload_input_is_a_400_and_nothing_is_stored(customer_a, partner_a_engineer, api_for, body, field):
    data = {"customer": customer_a.pk, **body}
    if data.get("file") == "f":
        data["file"] = SimpleUploadedFile("lens.csv", b"serial\n", content_type="text/csv")
    elif data.get("file") == "empty":
        data["file"] = SimpleUploadedFile("lens.csv", b"", content_type="text/csv")
    response = api_for(partner_a_engineer).post("/api/v1/inventory-uploads/", data, format="multipart")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not InventoryUpload.objects.exists()


@pytest.mark.parametrize("path", ["inventory-uploads/", "reconciliations/", "true-ups/"])
def test_lists_take_the_same_queries_for_3_and_30_rows(partner_a, partner_a_engineer, poly_admin, api_for, path):
    def world(n):
        for _ in range(n):
            customer = factories.CustomerFactory(partner=partner_a)
            site = factories.SiteFactory(customer=customer)
            reconciled_world(customer, site, partner_a_engineer, prefix=f"Q{customer.pk}-")

    def count() -> int:
        client = api_for(poly_admin)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/{path}", {"page_size": 200}).status_code == 200
        return len(queries)

    world(3)
    few = count()
    world(27)
    assert count() == few
    assert few <= 8
