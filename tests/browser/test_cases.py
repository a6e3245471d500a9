"""A partner engineer logs a case in the browser; Poly support finds it in the queue, answers it
and escalates it; the partner reads the public answer and never the internal note."""

import re

import pytest
from playwright.sync_api import expect

from contracts import services as contract_services
from contracts.models import Offering
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Customer, Role, ServiceCategory
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import SCREENSHOTS
from tests.browser.test_sign_in import sign_in
from tests.factories import PASSWORD
from tickets import services as case_services
from tickets.models import Case, CaseComment, CaseStatus

pytestmark = pytest.mark.browser

SECRET = "Internal: firmware 11.2 crash, engineering bug PLY-4711"
PUBLIC_REPLY = "Thanks. Please send the codec logs from the last hour; we are looking at it now."


@pytest.fixture
def covered_site(people, browser_settings, tmp_path):
    """Göta Älv Logistik (Nordic's customer, site SE-GOT-0001) under Poly+ Enterprise for video."""
    browser_settings.MEDIA_ROOT = tmp_path / "media"
    with staff_context(reason="browser test data: a covered customer"):
        gota = Customer.objects.get(name="Göta Älv Logistik AB")
        factories.CertificationFactory(partner=gota.partner, category=ServiceCategory.VIDEO)
        contract = factories.ContractFactory(customer=gota, offering=Offering.POLY_PLUS_ENTERPRISE)
        factories.ContractLineFactory(contract=contract, category="video")
    return contract


def read_case(**lookup) -> Case:
    with staff_context(reason="browser test: check what was written"):
        return Case.objects.get(**lookup)


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"cases-{name}.png"), full_page=True)


def test_a_partner_logs_a_case_and_poly_answers_and_escalates_it(page, people, covered_site):
    engineer, support = people[Role.PARTNER_ENGINEER], people[Role.POLY_SUPPORT]

    # The partner engineer opens a case, finding the site by typing part of its Site ID.
    sign_in(page, engineer.email, PASSWORD)
    expect(page.locator('main[data-dashboard="partner_engineer"]')).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("link", name="Open a case").click()
    page.locator("#id_site").press_sequentially("got-00", delay=60)
    option = page.locator('.site-option[data-site-id="SE-GOT-0001"]')
    expect(option).to_be_visible()
    shot(page, "1-site-picker")
    option.click()
    expect(page.locator("#site-picked")).to_contain_text("Göta Älv Logistik AB")
    expect(page.locator("#id_site")).to_have_value("SE-GOT-0001")
    page.select_option("#id_category", "video")
    page.select_option("#id_severity", "1")
    expect(page.locator("#field-serial")).to_be_hidden()
    page.fill("#id_subject", "Boardroom codec down")
    page.fill("#id_description", "The Studio X70 in the boardroom shows no picture since 08:00.")
    page.set_input_files("#id_attachments", files=[{"name": "codec.log", "mimeType": "text/plain",
                                                     "buffer": b"08:00:01 video pipeline stopped\n"}])
    page.locator("#case-form button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case = read_case(subject="Boardroom codec down")
    expect(page.locator("#case-number")).to_have_text(case.number)
    expect(page.locator("#entitlement")).to_have_text("Entitled")
    expect(page.locator("#entitlement-explanation")).to_contain_text(f"contract {covered_site.number}")
    expect(page.locator("#enterprise-priority")).to_be_visible()
    expect(page.locator("#timeline #case-opened").get_by_role("link", name="codec.log")).to_be_visible()
    # Times are the site's (Göteborg), with the zone: CET in winter, CEST in summer.
    expect(page.locator("#case-opened time")).to_have_text(re.compile(r"\d{2}:\d{2} CES?T$"))
    expect(page.locator("#sla")).not_to_contain_text("UTC")
    assert_accessible(page)
    shot(page, "2-case-opened")

    # Poly support finds it in the queue, answers publicly, adds an internal note and escalates.
    page.context.clear_cookies()
    sign_in(page, support.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    page.locator("#case-q").fill(case.number)
    row = page.locator(f'tr[data-case="{case.number}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("Nordic Collaboration AB")
    shot(page, "3-queue")
    row.get_by_role("link", name=case.number).click()

    expect(page.locator("#first-response-at")).to_contain_text("not yet")
    page.fill("#id_body", PUBLIC_REPLY)
    page.locator("#reply button[type=submit]").click()
    expect(page.locator("#first-response-at")).to_contain_text("in time")
    expect(page.locator("#case-status")).to_have_text("In progress")

    # The internal note is a form of its own, labelled and coloured apart from the reply.
    note = page.locator("#internal-note")
    expect(note.get_by_role("heading")).to_contain_text("Internal note — Poly only")
    expect(page.locator("#id_internal")).to_have_count(0)
    assert note.locator("#add-note").evaluate("b => getComputedStyle(b).backgroundColor") != \
        page.locator("#send-reply").evaluate("b => getComputedStyle(b).backgroundColor")
    assert_accessible(page)
    page.fill("#id_note-body", SECRET)
    page.locator("#add-note").click()
    expect(page.locator(".timeline li.internal")).to_contain_text("PLY-4711")
    with staff_context(reason="browser test: check what was written"):
        assert CaseComment.objects.get(body=SECRET).internal
        assert not CaseComment.objects.get(body=PUBLIC_REPLY).internal

    page.select_option("#id_to_level", "2")
    page.fill("#id_reason", "Picture loss on an Enterprise S1: needs tier 2 now.")
    page.locator("#escalate button[type=submit]").click()
    expect(page.locator("#timeline")).to_contain_text("Escalated: Tier 1 → Tier 2")
    expect(page.locator("#timeline")).to_contain_text("needs tier 2 now")
    shot(page, "4-answered-and-escalated")

    case = read_case(pk=case.pk)
    assert case.first_response_at is not None
    assert (case.status, case.escalation_level) == (CaseStatus.IN_PROGRESS, 2)

    # The partner engineer reads the public answer and the escalation, never the internal note.
    page.context.clear_cookies()
    sign_in(page, engineer.email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("#timeline")).to_contain_text(PUBLIC_REPLY)
    expect(page.locator("#timeline")).to_contain_text("Escalated: Tier 1 → Tier 2")
    expect(page.locator("body")).not_to_contain_text("PLY-4711")
    expect(page.locator(".timeline li.internal")).to_have_count(0)
    expect(page.locator("#internal-note")).to_have_count(0)
    expect(page.locator("#reply")).to_be_visible()
    assert_accessible(page)
    shot(page, "5-partner-view")


def test_a_refused_case_form_moves_the_focus_to_its_errors_each_linking_to_its_field(page, people, covered_site):
    sign_in(page, people[Role.PARTNER_ENGINEER].email, PASSWORD)
    page.goto("/cases/new/")
    expect(page.locator("label[for=id_attachments]")).to_contain_text("MB each")
    expect(page.locator("#id_site")).to_have_attribute("placeholder", "e.g. SE-GOT-0001")
    assert_accessible(page)
    page.fill("#id_subject", "Boardroom codec down")
    page.locator("#case-form button[type=submit]").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(4)  # site, category, severity, description
    assert_accessible(page)
    shot(page, "6-refused-case-form")
    summary.get_by_role("link", name="Description: Describe the problem.").click()
    expect(page.locator("#id_description")).to_be_focused()
    expect(page.locator("#id_subject")).to_have_value("Boardroom codec down")

    # A refused reply on the case page starts from its own list of errors too.
    case = open_case(covered_site, people[Role.PARTNER_ENGINEER])
    page.goto(f"/cases/{case.pk}/")
    page.locator("#send-reply").click()
    expect(page.locator("#reply #error-summary")).to_be_focused()
    assert_accessible(page)


def open_case(contract, engineer) -> Case:
    with staff_context(reason="browser test data: a case"):
        site = contract.customer.sites.get()
        return case_services.case_open(by=engineer, site=site, category="video", severity=3,
                                  subject="Remote control unpaired", description="Since the update.")


def test_a_customer_viewer_sees_the_escalation_and_the_cancellation_but_never_their_reasons(page, people,
                                                                                           covered_site):
    case = open_case(covered_site, people[Role.PARTNER_ENGINEER])
    with staff_context(reason="browser test data: an escalation and a cancelled contract"):
        case_services.case_escalate(by=people[Role.POLY_SUPPORT], case=case, to_level=2,
                               reason="Partner skipped the log collection step again")
        contract_services.contract_cancel(by=people[Role.PARTNER_ADMIN], contract=covered_site,
                                          reason="Unpaid invoices since March")

    sign_in(page, people[Role.CUSTOMER_VIEWER].email, PASSWORD)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("#timeline")).to_contain_text("Escalated: Tier 1 → Tier 2")
    expect(page.locator("body")).not_to_contain_text("log collection")
    assert_accessible(page)
    shot(page, "7-customer-viewer-case")
    page.goto(f"/contracts/{covered_site.pk}/")
    expect(page.locator("body")).to_contain_text("Cancelled")
    expect(page.locator("body")).not_to_contain_text("Unpaid invoices")


def test_the_escalation_manager_finds_escalated_and_breached_cases_by_level(page, people, covered_site):
    case = open_case(covered_site, people[Role.PARTNER_ENGINEER])
    with staff_context(reason="browser test data: an escalated case"):
        case_services.case_escalate(by=people[Role.POLY_SUPPORT], case=case, to_level=3,
                                    reason="Needs the video specialists")

    sign_in(page, people[Role.ESCALATION_MANAGER].email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Escalations").click()
    level = page.locator("#level-3")
    expect(level.get_by_role("heading")).to_have_text("Specialist")
    expect(level.locator(f'tr[data-case="{case.number}"]')).to_contain_text("Remote control unpaired")
    assert_accessible(page)
    shot(page, "8-escalations")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    page.select_option("#id_escalation_level", "2")
    expect(page.locator(f'tr[data-case="{case.number}"]')).to_have_count(0)
    page.select_option("#id_escalation_level", "3")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(f'tr[data-case="{case.number}"]')).to_be_visible()
    assert_accessible(page)
