"""A partner admin's own pages in a real browser: adding a site, people and the audit log;
each checked for WCAG 2.1 A and AA by axe-core."""

import re

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


# ---- the engineer's main job, on a phone --------------------------------------------------------

@pytest.fixture
def phone(browser, live_server, browser_settings):
    """A phone-sized browser (390 × 844 CSS pixels, touch) on the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844},
                                  is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_open_a_case_is_the_engineers_first_action_and_fits_a_phone(phone, people):
    sign_in(phone, people[Role.PARTNER_ENGINEER].email, PASSWORD)
    actions = phone.locator("main .page-header .actions a")
    expect(actions.first).to_have_text("Open a case")
    expect(actions.first).to_be_in_viewport()
    box = actions.first.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 44  # a full-width target, easy to hit
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390  # nothing runs off the side
    assert_accessible(phone)
    actions.first.click()
    expect(phone).to_have_url(re.compile(r"/cases/new/$"))


def test_a_site_found_on_a_phone_leads_to_its_page_and_to_a_case_there(phone, people):
    sign_in(phone, people[Role.PARTNER_ENGINEER].email, PASSWORD)
    phone.get_by_label("Site ID, site name or customer").fill("got-0")
    results = phone.locator("#site-results")
    expect(results.get_by_role("link", name="Open a case here (SE-GOT-0001)")).to_have_attribute(
        "href", "/cases/new/?site=SE-GOT-0001")
    assert_accessible(phone)
    results.get_by_role("link", name="SE-GOT-0001", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_contain_text("SE-GOT-0001")
    expect(phone.get_by_role("link", name="Open a case here")).to_be_in_viewport()
    assert_accessible(phone)


# ---- the audit log ------------------------------------------------------------------------------

@pytest.fixture
def stockholm(browser, live_server, browser_settings):
    """A browser whose reader is in Stockholm (English, Swedish time)."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  timezone_id="Europe/Stockholm", locale="en-GB")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_audit_log_reads_in_the_readers_time_and_filters_by_kind(stockholm, people):
    sign_in(stockholm, people[Role.PARTNER_ADMIN].email, PASSWORD)
    stockholm.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    first_time = stockholm.locator("table time").first
    expect(first_time).to_contain_text(re.compile(r"CES?T|GMT\+[12]"))
    expect(first_time).to_have_attribute("title", re.compile(r"UTC$"))
    assert_accessible(stockholm)

    stockholm.get_by_label("What").select_option("tenancy.Site")
    stockholm.get_by_role("button", name="Filter").click()
    rows = stockholm.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("SE-GOT-0001")
    assert_accessible(stockholm)


def test_after_a_refused_submit_the_focus_is_on_the_list_of_errors_whose_links_lead_to_the_fields(page, people):
    sign_in(page, people[Role.PARTNER_ADMIN].email, PASSWORD)
    page.goto(f"/customers/{customer_pk('Göta Älv Logistik AB')}/sites/new/")
    expect(page.locator(".required-note")).to_contain_text("are required")
    page.get_by_role("button", name="Add the site").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(5)  # Site ID, name, address, country, time zone
    summary.get_by_role("link", name=re.compile("^Name:")).click()
    expect(page.get_by_label("Name")).to_be_focused()
    assert_accessible(page)


@pytest.mark.parametrize("path", ["/users/new/", "/customers/new/", "/brand/"])
def test_the_partner_admins_other_forms_list_their_errors_first_too(page, people, path):
    sign_in(page, people[Role.PARTNER_ADMIN].email, PASSWORD)
    page.goto(path)
    assert_accessible(page)
    form = page.locator("main form[method=post]").last
    form.locator("input[type=text], input[type=email]").first.fill("")
    form.locator("button[type=submit]").first.click()
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page)


# ---- Poly support's partner overview and the customer's landing ---------------------------------

def test_poly_support_sees_each_partners_users_on_an_accessible_partners_page(page, people):
    sign_in(page, people[Role.POLY_SUPPORT].email, PASSWORD)
    assert_accessible(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Partners").click()
    nordic = page.locator("table tbody tr").filter(has_text="Nordic Collaboration AB")
    expect(nordic.locator("td.num").last).to_have_text("3")  # its admin, engineer and customer viewer
    assert_accessible(page)


def test_the_customers_landing_is_accessible_and_names_its_supporter_once(page, people):
    sign_in(page, people[Role.CUSTOMER_VIEWER].email, PASSWORD)
    expect(page.locator("main")).not_to_contain_text(re.compile("support support", re.IGNORECASE))
    assert_accessible(page)
