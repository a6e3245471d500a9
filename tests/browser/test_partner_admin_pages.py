"""A partner admin's own pages in a real browser: adding a site, people and the audit log;
each checked for WCAG 2.1 A and AA by axe-core."""

import pytest
from playwright.sync_api import expect

from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Customer, Role
from tests.browser.accessibility import assert_accessible
from tests.browser.test_sign_in import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def customer_pk(name: str) -> int:
    with staff_context(reason="browser test: find the customer"):
        return Customer.objects.get(name=name).pk


def test_picking_a_country_proposes_its_time_zone_and_subdivisions(page, people):
    sign_in(page, people[Role.PARTNER_ADMIN].email, PASSWORD)
    page.goto(f"/customers/{customer_pk('Göta Älv Logistik AB')}/sites/new/")
    assert_accessible(page)

    page.get_by_label("Country").select_option("PL")

    expect(page.get_by_label("Time zone")).to_have_value("Europe/Warsaw")
    expect(page.locator('#subdivision-options option[value="PL-14"]')).to_have_count(1)
    expect(page.locator("#timezone-note")).to_have_text("Time zone set to Europe/Warsaw.")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Country").select_option("DE")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Berlin")
    assert_accessible(page)


def test_a_taken_site_id_is_reported_on_the_first_submit_with_the_other_errors(page, people):
    sign_in(page, people[Role.PARTNER_ADMIN].email, PASSWORD)
    page.goto(f"/customers/{customer_pk('Göta Älv Logistik AB')}/sites/new/")
    page.get_by_label("Site ID").fill("SE-GOT-0001")
    page.get_by_label("Country").select_option("SE")
    page.get_by_role("button", name="Add the site").click()

    expect(page.locator("#field-site_id")).to_contain_text("This Site ID is already in use.")
    expect(page.locator("#field-name")).to_contain_text("This field is required.")
    expect(page.locator("#field-address")).to_contain_text("This field is required.")
    assert_accessible(page)
