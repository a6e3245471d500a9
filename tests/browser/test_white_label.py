"""White-labelled from the first page: each partner's host shows its own brand on the sign-in page
and the customer's status page, and nothing of the other partner; sign-in on the wrong partner's
host is refused with where to go instead; axe finds no WCAG 2.1 AA violation, on a desktop and on
a 390 px phone."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from polyplus.tenancy.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import PHONE, assert_fits_the_width, shot, sign_in_at

pytestmark = pytest.mark.browser

@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_a_customer_reads_its_status_page_on_its_partners_host_in_that_brand_only(page, people, hosts, viewport):
    if viewport:
        page.set_viewport_size(viewport)
    kind = "phone" if viewport else "desktop"
    page.goto(f"{hosts['nordic']}/accounts/login/")
    expect(page.locator("main")).to_contain_text("Nordic Care")
    expect(page.locator("body")).not_to_contain_text("Wisła")
    expect(page.locator("body")).not_to_contain_text("Poly+ partner portal")
    assert_accessible(page)
    shot(page, f"nordic-sign-in-{kind}")

    sign_in_at(page, hosts["nordic"], people[Role.CUSTOMER_VIEWER].email)
    main = page.locator('main[data-dashboard="customer_viewer"]')
    expect(main.locator("h1")).to_have_text("Göta Älv Logistik AB")
    case = hosts["case"]
    row = page.locator(f"#status-case-{case.pk}")
    expect(row).to_contain_text(case.number)
    expect(row).to_contain_text("On track")
    expect(row).to_contain_text("A replacement codec ships today")
    expect(page.locator("#status-health")).to_contain_text("device_offline")
    expect(page.locator("#status-coverage")).to_contain_text("Video")
    expect(page.locator("footer")).to_contain_text("help@nordic.example")
    body = page.locator("body")
    for foreign in ("Wisła", "Bank Mazowsze", "Öresund", "PLY-4711", "Poly+ partner portal"):
        expect(body).not_to_contain_text(foreign)
    assert_accessible(page)
    if viewport:
        assert_fits_the_width(page)
        expect(row.locator('td[data-label="Service level"]')).to_be_visible()
    shot(page, f"nordic-status-{kind}")


def test_the_other_partners_customer_sees_only_its_own_brand_and_data(page, people, hosts):
    sign_in_at(page, hosts["wisla"], "it@mazowsze.example")
    expect(page.locator("main h1")).to_have_text("Bank Mazowsze S.A.")
    expect(page.locator(".topbar")).to_contain_text("Wisła Serwis")
    body = page.locator("body")
    for foreign in ("Nordic", "Göta", "Boardroom codec down", "help@nordic.example"):
        expect(body).not_to_contain_text(foreign)
    assert_accessible(page)
    shot(page, "wisla-status")

    page.goto(f"{hosts['wisla']}/status/{hosts['case'].customer_id}/")
    expect(page.locator("main h1")).to_have_text("Not found")
    expect(page.locator("body")).not_to_contain_text("Göta")
    expect(page.locator("body")).not_to_contain_text("Nordic")


def test_signing_in_on_another_partners_host_is_refused_with_where_to_go(page, people, hosts):
    sign_in_at(page, hosts["nordic"], people["wisla_engineer"].email)
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("This address is Nordic Care's portal")
    expect(summary).to_contain_text(f"Sign in at {hosts['wisla']}/")
    expect(page.locator("main[data-dashboard]")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("Wisła Serwis")
    assert_accessible(page)
    shot(page, "wrong-host-refused")


def test_the_portals_own_host_keeps_the_portals_look_before_sign_in(page, people, hosts):
    page.goto(f"{hosts['portal']}/accounts/login/")
    expect(page.locator("main")).to_contain_text("Poly+ partner portal")
    expect(page.locator("body")).not_to_contain_text("Nordic Care")
    assert_accessible(page)


def test_the_customers_case_list_and_case_page_read_on_a_phone_in_the_partners_brand(page, people, hosts):
    page.set_viewport_size(PHONE)
    sign_in_at(page, hosts["nordic"], people[Role.CUSTOMER_VIEWER].email)
    expect(page.locator('main[data-dashboard="customer_viewer"]')).to_be_visible()
    page.goto(f"{hosts['nordic']}/cases/")
    case = hosts["case"]
    expect(page.locator("main")).to_contain_text(case.number)
    assert_fits_the_width(page)
    assert_accessible(page)
    shot(page, "nordic-case-list-phone")
    page.goto(f"{hosts['nordic']}/cases/{case.pk}/")
    expect(page.locator("main")).to_contain_text("A replacement codec ships today")
    expect(page.locator("body")).not_to_contain_text("PLY-4711")
    expect(page.locator(".topbar")).to_contain_text("Nordic Care")
    assert_fits_the_width(page)
    assert_accessible(page)
    shot(page, "nordic-case-phone")


def test_a_partner_admin_keeps_the_brand_readable_and_shares_a_status_page_it_can_withdraw(page, browser, people,
                                                                                          hosts):
    sign_in_at(page, hosts["nordic"], people[Role.PARTNER_ADMIN].email)
    page.goto(f"{hosts['nordic']}/brand/")
    assert_accessible(page)
    page.locator("#id_primary_color").fill("#ffd500")
    expect(page.locator("#brand-contrast")).to_contain_text("1.32:1, below the 4.5:1")
    page.locator("form.stacked button[type=submit]").click()
    expect(page.locator("#error-summary")).to_contain_text("Try a darker shade such as #856f00")
    assert_accessible(page)
    shot(page, "brand-refused")

    page.goto(f"{hosts['nordic']}/status/{hosts['case'].customer_id}/")
    page.locator("#id_expires_on").fill((timezone.localdate() + datetime.timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Create a link").click()
    url = page.locator("#new-share-link-url").inner_text()
    assert url.startswith(f"{hosts['nordic']}/s/")
    assert_accessible(page)

    stranger = browser.new_context(viewport=PHONE)
    try:
        shared = stranger.new_page()
        shared.goto(url)
        expect(shared.locator("#shared-notice")).to_contain_text("shared by Nordic Care")
        expect(shared.locator("main")).to_contain_text(hosts["case"].number)
        expect(shared.locator("body")).not_to_contain_text("PLY-4711")
        assert_accessible(shared)
        assert_fits_the_width(shared)
        shot(shared, "shared-status-phone")

        page.goto(f"{hosts['nordic']}/status/{hosts['case'].customer_id}/")
        prefix = url.split("/s/")[1][:8]
        page.get_by_role("button", name=f"Withdraw link {prefix}").click()
        expect(page.locator(".messages")).to_contain_text("shows nothing from now on")
        shared.goto(url)
        expect(shared.locator("main h1")).to_have_text("This link shows nothing")
        expect(shared.locator("body")).not_to_contain_text("Göta")
    finally:
        stranger.close()
