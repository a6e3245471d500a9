"""A partner engineer escalates a case to Microsoft Teams from the case page; it waits for the
customer's signed authorisation until the partner uploads one; Poly support finds it in the list
of open escalations by provider and records Microsoft's incident number (a blank one is refused);
the customer reads the number and the public update, never the internal one."""

import datetime
import io
import re

import pytest
from playwright.sync_api import expect
from pypdf import PdfWriter

from ecps import services as ecps_services
from ecps.models import Escalation, EscalationStatus
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Customer, Role, Site
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_sign_in import sign_in
from tests.factories import PASSWORD
from tickets import services as case_services

pytestmark = pytest.mark.browser

INTERNAL = "Microsoft escalation engineer reached through the partner bridge, ref PX-9931"
NUMBER = "TM-2026-118244"


def signed_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def teams_case(people, browser_settings, tmp_path):
    """An open case at Göta Älv Logistik, which has an agreement with Microsoft but no authorisation yet."""
    browser_settings.MEDIA_ROOT = tmp_path / "media"
    with staff_context(reason="browser test data: a case for ECPS"):
        gota = Customer.objects.get(name="Göta Älv Logistik AB")
        site = Site.objects.get(site_id="SE-GOT-0001")
        case = case_services.case_open(by=people[Role.PARTNER_ENGINEER], site=site, category="video", severity=2,
                                       subject="Teams Rooms drop calls", description="Calls end after 60 minutes.")
        teams = ecps_services.provider_named("Microsoft Teams")
        until = datetime.date.today() + datetime.timedelta(days=300)
        ecps_services.agreement_record(by=people[Role.POLY_SUPPORT], customer=gota, provider=teams,
                                       reference="MS-EA-4471", valid_until=until)
    return case


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"ecps-{name}.png"), full_page=True)


def read_escalation() -> Escalation:
    with staff_context(reason="browser test: check what was written"):
        return Escalation.objects.select_related("provider").get()


def test_from_request_to_the_providers_incident_number(page, people, teams_case):
    engineer, support = people[Role.PARTNER_ENGINEER], people[Role.POLY_SUPPORT]

    # The partner engineer escalates from the case page.
    sign_in(page, engineer.email, PASSWORD)
    page.goto(f"/cases/{teams_case.pk}/")
    page.locator("#ecps-escalate").click()
    page.select_option("#id_provider", label="Microsoft Teams")
    page.fill("#id_problem", "Every Teams meeting on the room system ends after exactly 60 minutes.")
    assert_accessible(page)
    page.locator("#request-escalation").click()
    expect(page).to_have_url(re.compile(r"/ecps/\d+/$"))
    expect(page.locator("#escalation-status")).to_have_text("Awaiting authorisation")
    expect(page.locator("#authorisation-state")).to_contain_text("Signed authorisation missing or expired")
    expect(page.locator("#open-incident")).to_have_count(0)
    assert_accessible(page)
    shot(page, "1-awaiting-authorisation")

    # The partner uploads the customer's signed authorisation, which moves the escalation on.
    page.get_by_role("link", name=re.compile("Agreements and authorisations of")).click()
    today = datetime.date.today()
    page.select_option("#id_authorisation-provider", label="Microsoft Teams")
    page.set_input_files("#id_authorisation-file", files=[{"name": "teams-authorisation.pdf",
                                                             "mimeType": "application/pdf", "buffer": signed_pdf()}])
    page.fill("#id_authorisation-signed_on", (today - datetime.timedelta(days=1)).isoformat())
    page.fill("#id_authorisation-valid_until", (today + datetime.timedelta(days=365)).isoformat())
    page.locator("#add-authorisation-button").click()
    expect(page.locator("#authorisations")).to_contain_text("teams-authorisation.pdf")
    assert_accessible(page)
    assert read_escalation().status == EscalationStatus.REQUESTED

    # Poly support finds it among the open escalations by provider, and records Microsoft's number.
    page.context.clear_cookies()
    sign_in(page, support.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="ECPS").click()
    group = page.locator('[data-provider="Microsoft Teams"]')
    escalation = read_escalation()
    expect(group.locator(f'tr[data-escalation="{escalation.pk}"]')).to_contain_text("Requested")
    assert_accessible(page)
    shot(page, "2-open-by-provider")
    group.get_by_role("link", name=escalation.reference).click()
    expect(page.locator("#escalation-status")).to_have_text("Requested")
    page.locator("#open-incident-button").click()
    expect(page.locator("#open-incident")).to_contain_text("Give the provider's incident tracking number.")
    assert_accessible(page)
    assert read_escalation().status == EscalationStatus.REQUESTED
    page.fill("#id_open-provider_incident_number", NUMBER)
    page.locator("#open-incident-button").click()
    expect(page.locator("#escalation-status")).to_have_text("Opened with provider")
    expect(page.locator("#provider-incident-number")).to_have_text(NUMBER)
    page.fill("#id_internal-body", INTERNAL)
    page.locator("#add-internal-update-button").click()
    page.fill("#id_update-body", "Microsoft reproduced the drop in their lab.")
    page.locator("#add-update-button").click()
    expect(page.locator("#updates li.internal")).to_contain_text("PX-9931")
    assert_accessible(page)
    shot(page, "3-opened-with-provider")

    # The customer reads the tracking number and the public update, never the internal one.
    page.context.clear_cookies()
    sign_in(page, people[Role.CUSTOMER_VIEWER].email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="ECPS").click()
    expect(page.locator(f'tr[data-escalation="{escalation.pk}"]')).to_contain_text(NUMBER)
    page.get_by_role("link", name=escalation.reference).click()
    expect(page.locator("#provider-incident-number")).to_have_text(NUMBER)
    expect(page.locator("#updates")).to_contain_text("reproduced the drop")
    expect(page.locator("body")).not_to_contain_text("PX-9931")
    expect(page.locator("#preconditions")).to_have_count(0)
    expect(page.locator("#add-update")).to_have_count(0)
    assert_accessible(page)
    shot(page, "4-customer-view")
