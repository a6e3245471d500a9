"""The CSM asks for a monthly report in a real browser, a real worker makes it, and the page follows
its progress to the download; the job-runs page lists the run. Both checked by axe-core."""

import pytest
from playwright.sync_api import expect

from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Customer, Role
from tests.browser.accessibility import assert_accessible
from tests.browser.test_sign_in import sign_in
from tests.factories import PASSWORD
from tests.portal.documents import enterprise_contract, last_month

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_the_csm_asks_for_a_report_and_watches_it_become_ready(page, people, route_to_worker, browser, live_server):
    route_to_worker("polyplus.portal.tasks.make_report", "polyplus.notifications.tasks.send_outbound_mail")
    with staff_context(reason="browser test: a contract"):
        gota = Customer.objects.get(name="Göta Älv Logistik AB")
        contract = enterprise_contract(gota.sites.first(), number="NORDIC-C-0042")

    sign_in(page, people[Role.CSM].email, PASSWORD)
    page.goto("/reports/")
    assert_accessible(page)
    page.get_by_label("Contract").select_option(str(contract.pk))
    page.get_by_label("Month").fill(f"{last_month():%Y-%m}")
    page.get_by_role("button", name="Make the report").click()

    expect(page.locator(".messages")).to_contain_text("being made")
    expect(page.get_by_role("link", name=f"Download the {last_month():%B %Y} report")).to_be_visible(timeout=90_000)
    assert_accessible(page)

    admin_page = browser.new_context(base_url=live_server.url).new_page()
    sign_in(admin_page, people[Role.POLY_ADMIN].email, PASSWORD)
    admin_page.goto("/jobs/")
    expect(admin_page.get_by_role("cell", name=f"Report NORDIC-C-0042 {last_month():%Y-%m}")).to_be_visible()
    assert_accessible(admin_page)
    admin_page.context.close()
