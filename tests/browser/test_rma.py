"""A partner engineer requests an advance replacement from a case; Poly support approves and ships it;
the partner records the delivery and marks the failed unit sent back; Poly receives it and closes the
RMA. Every page passes the accessibility checks."""

import re

import pytest
from playwright.sync_api import expect

from contracts.models import Offering
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Customer, Role, ServiceCategory
from rma.models import Rma
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_sign_in import sign_in
from tests.factories import PASSWORD
from tickets import services as case_services

pytestmark = pytest.mark.browser


@pytest.fixture
def headset_case(people, browser_settings):
    """Göta Älv Logistik under Poly+ Enterprise for headsets, and a case about a failed headset."""
    with staff_context(reason="browser test data: a covered headset"):
        gota = Customer.objects.get(name="Göta Älv Logistik AB")
        factories.CertificationFactory(partner=gota.partner, category=ServiceCategory.HEADSET)
        contract = factories.ContractFactory(customer=gota, offering=Offering.POLY_PLUS_ENTERPRISE)
        factories.ContractLineFactory(contract=contract, category="headset", installed=200, growth=0)
        product = factories.ProductFactory(sku="SAVI-8220", category="headset", name="Poly Savi 8220")
        site = gota.sites.get()
        device = factories.DeviceFactory(site=site, product=product, serial="SAVI8220GOT01")
        case = case_services.case_open(
            by=people[Role.PARTNER_ENGINEER], site=site, category="headset", severity=3,
            subject="Headset base station dead", description="No power LED on the base station.",
            hardware_replacement=True, serial=device.serial)
    return case


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"rma-{name}.png"), full_page=True)


def act(page, action: str) -> None:
    page.locator(f'button[data-action="{action}"]').click()


def test_an_rma_from_request_to_close(page, people, headset_case):
    engineer, support = people[Role.PARTNER_ENGINEER], people[Role.POLY_SUPPORT]

    sign_in(page, engineer.email, PASSWORD)
    page.goto(f"/cases/{headset_case.pk}/")
    page.locator("#request-rma-link").click()
    expect(page.locator("#estimate")).to_contain_text("Europe/Stockholm")
    expect(page.locator("#id_serial")).to_have_value("SAVI8220GOT01")
    assert_accessible(page)
    page.fill("#id_fault", "Base station shows no power LED with two known-good power supplies.")
    page.locator("#request-rma").click()
    expect(page).to_have_url(re.compile(r"/rmas/\d+/$"))
    expect(page.locator("#rma-status")).to_have_text("Requested")
    expect(page.locator("#partner-task")).to_contain_text("install and configure the replacement")
    assert_accessible(page)
    shot(page, "1-requested")

    page.context.clear_cookies()
    sign_in(page, support.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="RMAs").click()
    assert_accessible(page)
    with staff_context(reason="browser test: read what was written"):
        rma = Rma.objects.get()
    page.get_by_role("link", name=rma.number).click()
    act(page, "approve")
    expect(page.locator("#rma-status")).to_have_text("Approved")
    expect(page.locator("#rma-ship-date")).not_to_have_text("after approval")
    assert_accessible(page)
    page.fill("#id_ship_carrier", "DHL Express")
    page.fill("#id_ship_tracking_number", "JD014600006281230799")
    act(page, "ship")
    expect(page.locator("#rma-tracking")).to_have_text("JD014600006281230799")
    shot(page, "2-shipped")

    page.context.clear_cookies()
    sign_in(page, engineer.email, PASSWORD)
    page.goto(f"/rmas/{rma.pk}/")
    page.locator("#id_deliver_delivered_on").fill(
        page.evaluate("() => new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Stockholm'})"))
    act(page, "deliver")
    expect(page.locator("#rma-status")).to_have_text("Delivered")
    expect(page.locator("#rma-return-due")).to_be_visible()
    page.locator("#id_return_sent_sent_on").fill(
        page.evaluate("() => new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Stockholm'})"))
    page.fill("#id_return_sent_carrier", "PostNord")
    page.fill("#id_return_sent_tracking_number", "RR123456785SE")
    act(page, "return-sent")
    expect(page.locator("#timeline")).to_contain_text("Failed unit sent back")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, support.email, PASSWORD)
    page.goto(f"/rmas/{rma.pk}/")
    page.locator("#id_receive_return_received_on").fill(
        page.evaluate("() => new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Stockholm'})"))
    act(page, "receive-return")
    expect(page.locator("#rma-status")).to_have_text("Failed unit received")
    act(page, "close")
    expect(page.locator("#rma-status")).to_have_text("Closed")
    expect(page.locator("#timeline li")).to_have_count(7)
    assert_accessible(page)
    shot(page, "3-closed")
