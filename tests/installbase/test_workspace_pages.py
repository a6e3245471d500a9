"""The CSM's workspace pages: reachable from the landing page, scoped, and their forms at work."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contracts.models import ContractLine
from installbase.models import InventoryUpload, MonthReview, RenewalProposal, TrueUp, TrueUpStatus
from tests import factories
from tests.installbase.workspace import reconciled_world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(customer_a, site_a, partner_a_engineer):
    return reconciled_world(customer_a, site_a, partner_a_engineer)


@pytest.fixture
def assigned_csm(csm, customer_a):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    return csm


def test_the_csms_landing_page_leads_to_the_reconciliation_in_one_click(world, assigned_csm, client_for):
    client = client_for(assigned_csm)
    page = client.get(reverse("portal:dashboard")).content.decode()
    assert f"/workspace/contracts/{world['contract']}/" in page
    assert "/workspace/" in page


def test_the_customer_page_leads_to_the_workspace(world, assigned_csm, client_for):
    page = client_for(assigned_csm).get(f"/customers/{world['customer']}/").content.decode()
    assert f"/workspace/customers/{world['customer']}/" in page


def test_the_workspace_pages_render_for_the_csm(world, assigned_csm, client_for):
    client = client_for(assigned_csm)
    for url in ("/workspace/", f"/workspace/customers/{world['customer']}/",
                f"/workspace/contracts/{world['contract']}/?month=2025-07",
                f"/workspace/uploads/{world['upload']}/"):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/workspace/contracts/{world['contract']}/?month=2025-07").content.decode()
    assert "Warning: over the baseline" in page and "600.00 SEK" in page and "<svg" in page
    assert "Run reconciliation for July 2025" in page


def test_another_partner_or_csm_gets_404_on_every_page(world, partner_b_engineer, partner_b_admin, csm, client_for,
                                                      customer_viewer):
    for user in (partner_b_engineer, partner_b_admin, csm):
        client = client_for(user)
        for url in (f"/workspace/customers/{world['customer']}/", f"/workspace/contracts/{world['contract']}/",
                    f"/workspace/uploads/{world['upload']}/"):
            assert client.get(url).status_code == 404, (user, url)
        assert "Volvo" not in client.get("/workspace/").content.decode()
    assert client_for(customer_viewer).get("/workspace/").status_code == 403


def test_posts_to_another_partners_contract_are_404_and_change_nothing(world, partner_b_admin, client_for):
    client = client_for(partner_b_admin)
    contract, true_up = world["contract"], world["true_up"]
    for url, data in ((f"/workspace/contracts/{contract}/true-ups/{true_up}/accept/", {"po_number": "PO"}),
                      (f"/workspace/contracts/{contract}/true-ups/{true_up}/reject/", {}),
                      (f"/workspace/customers/{world['customer']}/uploads/new/", {})):
        assert client.post(url, data).status_code == 404, url
    assert TrueUp.objects.get(pk=true_up).status == TrueUpStatus.PROPOSED


def test_a_partner_sees_its_reconciliation_read_only_but_records_the_po(world, partner_a_admin, client_for):
    client = client_for(partner_a_admin)
    page = client.get(f"/workspace/contracts/{world['contract']}/?month=2025-07").content.decode()
    assert "Run reconciliation" not in page and "Accept with PO" in page
    assert client.post(f"/workspace/contracts/{world['contract']}/run/?month=2025-07").status_code == 403
    response = client.post(f"/workspace/contracts/{world['contract']}/true-ups/{world['true_up']}/accept/",
                           {"po_number": "PO-7"})
    assert response.status_code == 302
    assert ContractLine.objects.get(contract_id=world["contract"]).committed == 110


def test_an_empty_po_is_shown_next_to_its_field(world, partner_a_admin, client_for):
    response = client_for(partner_a_admin).post(
        f"/workspace/contracts/{world['contract']}/true-ups/{world['true_up']}/accept/", {"po_number": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert TrueUp.objects.get().status == TrueUpStatus.PROPOSED


def test_the_csm_runs_reviews_and_prepares_a_renewal(world, assigned_csm, client_for):
    client = client_for(assigned_csm)
    contract = world["contract"]
    assert client.post(f"/workspace/contracts/{contract}/run/?month=2025-08").status_code == 302
    assert client.post(f"/workspace/contracts/{contract}/review/?month=2025-08", {"note": "Fine"}).status_code == 302
    assert MonthReview.objects.get().note == "Fine"
    response = client.post(f"/workspace/contracts/{contract}/renewal/", {"csm_hour_blocks": 2, "growth_video": 5})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RenewalProposal.objects.get().lines.get().committed == 115
    bad = client.post(f"/workspace/contracts/{contract}/renewal/", {"csm_hour_blocks": -1, "growth_video": "x"})
    assert bad.status_code == 400


def test_an_upload_page_stores_the_file_and_shows_its_progress(customer_a, partner_a_engineer, client_for):
    client = client_for(partner_a_engineer)
    assert client.get(f"/workspace/customers/{customer_a.pk}/uploads/new/").status_code == 200
    file = SimpleUploadedFile("lens.csv", b"serial,sku,site_id\nX,Y,Z\n", content_type="text/csv")
    response = client.post(f"/workspace/customers/{customer_a.pk}/uploads/new/", {"month": "2025-07", "file": file})
    assert response.status_code == 302
    upload = InventoryUpload.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "<progress" in page and 'hx-trigger="every 1s"' in page
    partial = client.get(response["Location"], headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith("<section") and str(upload.pk) in partial


def test_an_upload_for_a_month_to_come_is_shown_next_to_the_field(customer_a, partner_a_engineer, client_for):
    file = SimpleUploadedFile("lens.csv", b"serial\n", content_type="text/csv")
    response = client_for(partner_a_engineer).post(f"/workspace/customers/{customer_a.pk}/uploads/new/",
                                                   {"month": "2099-01", "file": file})
    assert response.status_code == 400 and "month to come" in response.content.decode()
    assert not InventoryUpload.objects.exists()


def test_my_customers_takes_the_same_queries_for_3_and_30_contracts(partner_a, partner_a_engineer, poly_admin,
                                                                   client_for):
    def world(n):
        for _ in range(n):
            customer = factories.CustomerFactory(partner=partner_a)
            site = factories.SiteFactory(customer=customer)
            reconciled_world(customer, site, partner_a_engineer, prefix=f"P{customer.pk}-")

    def count():
        client = client_for(poly_admin)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/workspace/").status_code == 200
        return len(queries)

    world(3)
    few = count()
    world(27)
    assert count() == few


def test_the_contract_page_leads_to_its_reconciliation(world, partner_a_admin, client_for):
    page = client_for(partner_a_admin).get(f"/contracts/{world['contract']}/").content.decode()
    assert f"/workspace/contracts/{world['contract']}/" in page
