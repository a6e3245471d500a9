"""A partner engineer uploads a Poly Lens inventory with a bad row (every error shown, nothing
written), then a good file whose progress bar the page follows while the real worker imports it;
the CSM then opens the month's reconciliation, its true-up and its chart from the landing page."""

import datetime

import pytest
from playwright.sync_api import expect

from installbase.models import Device, LensAccess
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Customer, Role, ServiceCategory
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.browser.test_sign_in import sign_in
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.fixture
def enterprise(people, browser_settings, tmp_path, route_to_worker):
    """Göta Älv Logistik under Poly+ Enterprise for video in 2025 (Q = 20), with no Poly Lens access."""
    browser_settings.MEDIA_ROOT = tmp_path / "media"
    route_to_worker("installbase.tasks.process_inventory_upload")
    with staff_context(reason="browser test data: an Enterprise customer"):
        gota = Customer.objects.get(name="Göta Älv Logistik AB")
        factories.CertificationFactory(partner=gota.partner, category=ServiceCategory.VIDEO)
        contract = factories.ContractFactory(customer=gota, start_date=datetime.date(2025, 1, 1),
                                             end_date=datetime.date(2025, 12, 31), currency="SEK")
        factories.ContractLineFactory(contract=contract, category="video", installed=20, growth=0,
                                      annual_unit_price="120.00")
        factories.ProductFactory(sku="STUDIO-X50", category="video")
        LensAccess.objects.create(partner=gota.partner, customer=gota, has_access=False)
    return contract


def devices() -> int:
    with staff_context(reason="browser test: check what was written"):
        return Device.objects.count()


def upload(page, content: bytes) -> None:
    page.fill("#id_month", "2025-07")
    page.set_input_files("#id_file", files=[{"name": "lens-july.csv", "mimeType": "text/csv", "buffer": content}])
    page.get_by_role("button", name="Upload", exact=True).click()


def test_an_inventory_upload_then_the_months_reconciliation(page, people, enterprise):
    sign_in(page, people[Role.PARTNER_ENGINEER].email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reconciliations").click()
    page.get_by_role("link", name="Göta Älv Logistik AB").click()
    page.get_by_role("link", name="Upload a Poly Lens inventory").click()
    assert_accessible(page)

    bad = (b"serial,sku,site_id,entered_production\n"
           b"SN-1,STUDIO-X50,SE-GOT-0001,2025-01-01\n"
           b"SN-2,NO-SUCH-SKU,SE-GOT-0001,2025-01-01\n"
           b"SN-3,STUDIO-X50,SE-GOT-0001,2025-02-30\n")
    upload(page, bad)
    expect(page.locator("#upload-status")).to_contain_text("Refused", timeout=30_000)
    errors = page.locator("#upload-status table")
    expect(errors).to_contain_text("unknown SKU")
    expect(errors.locator("tbody tr")).to_have_count(2)
    expect(page.get_by_text("Nothing was imported")).to_be_visible()
    assert devices() == 0
    assert_accessible(page)

    page.get_by_role("link", name="Upload another file").click()
    good = b"serial,sku,site_id,entered_production\n" + b"".join(
        f"SN-{i},STUDIO-X50,SE-GOT-0001,2025-01-01\n".encode() for i in range(25))
    upload(page, good)
    expect(page.locator("#upload-progress")).to_be_visible()
    expect(page.locator("#upload-status")).to_contain_text("Imported", timeout=30_000)
    expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    expect(page.locator("#upload-status")).to_contain_text("video 25")
    assert devices() == 25
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, people[Role.CSM].email, PASSWORD)
    page.get_by_role("link", name=f"Review December for {enterprise.number}").click()
    page.select_option("#month-pick", "2025-07")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Reconciliation of July 2025")).to_be_visible()
    expect(page.get_by_text("Warning: over the baseline")).to_be_visible()
    expect(page.locator("section[aria-labelledby=true-ups]")).to_contain_text("300.00 SEK")  # 5 × 120 × 6 / 12
    expect(page.locator("svg.term-chart")).to_have_count(1)
    assert_accessible(page)
