"""A Poly engineer takes a case from the unassigned view and replies; the partner engineer sees
the unread count, the notification and the mail the worker sent."""

import re
import time

import pytest
from django.core import mail
from playwright.sync_api import expect

from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Role
from tests.browser.accessibility import assert_accessible
from tests.browser.test_cases import covered_site, read_case, shot  # noqa: F401 - a fixture
from tests.browser.test_sign_in import sign_in
from tests.factories import PASSWORD
from tickets import services as case_services
from tickets.models import Site

pytestmark = pytest.mark.browser

REPLY = "We have taken this one: please send the codec logs from the last hour."


@pytest.mark.worker
def test_poly_takes_an_unassigned_case_and_the_partner_is_told(page, people, covered_site,  # noqa: F811
                                                               route_to_worker):
    route_to_worker("polyplus.notifications.tasks.fan_out_event", "polyplus.notifications.tasks.send_outbound_mail")
    engineer, support = people[Role.PARTNER_ENGINEER], people[Role.POLY_SUPPORT]
    with staff_context(reason="browser test data: a case in the pool"):
        site = Site.objects.get(site_id="SE-GOT-0001")
        case = case_services.case_open(by=engineer, site=site, category="video", severity=1,
                                       subject="Boardroom codec down", description="No picture since 08:00.")

    sign_in(page, support.email, PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Queue").click()
    views = page.get_by_role("navigation", name="Queue views")
    expect(views.locator('[data-view="unassigned"] .badge')).to_have_text("1")
    views.locator('[data-view="unassigned"]').click()
    expect(page.locator(f'tr[data-case="{case.number}"] .owner-cell')).to_have_text("Unassigned")
    assert_accessible(page)
    shot(page, "notify-1-unassigned")
    page.locator(f'tr[data-case="{case.number}"]').get_by_role("link", name=case.number).click()

    page.locator("#take-case").click()
    expect(page.locator("#poly-owner")).to_have_text(support.full_name or support.email)
    expect(page.locator("#timeline")).to_contain_text("Owner:")
    page.fill("#id_body", REPLY)
    page.locator("#send-reply").click()
    expect(page.locator("#timeline")).to_contain_text("codec logs")
    assert read_case(pk=case.pk).owner_id == support.pk

    # The worker fans the reply out and mails the partner's engineer (locmem here; the console under make run).
    deadline = time.monotonic() + 60
    while len(mail.outbox) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    # The partner's engineer, and the customer's own contact (a public reply on its case).
    assert sorted(m.to[0] for m in mail.outbox) == sorted([engineer.email, people[Role.CUSTOMER_VIEWER].email])
    message = next(m for m in mail.outbox if m.to == [engineer.email])
    assert message.subject == f"[{case.number}] S1 · SE-GOT-0001 · Boardroom codec down: Poly support replied"
    assert REPLY in message.body and support.email not in message.body

    page.context.clear_cookies()
    sign_in(page, engineer.email, PASSWORD)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.locator("#unread-badge [data-unread]")).to_have_text(re.compile(r"^1\s*unread$"))
    nav.get_by_role("link", name=re.compile("Notifications")).click()
    expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
    expect(page.locator(".notification.unread")).to_contain_text("Poly support replied")
    assert_accessible(page)
    shot(page, "notify-2-partner-list")
    page.locator(".notification.unread button").click()
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.locator("#timeline")).to_contain_text("codec logs")
    expect(page.locator("#unread-badge [data-unread]")).to_have_count(0)
