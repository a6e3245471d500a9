"""Under the Content-Security-Policy, pages still look and work as before: the brand colours
(an inline style with the request's nonce), htmx's live search, and no blocked resource."""

import pytest
from playwright.sync_api import expect

from polyplus.tenancy.models import Role
from tests.browser.test_sign_in import sign_in
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_a_page_under_the_policy_keeps_its_brand_and_live_search(page, people):
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text else None)

    sign_in(page, people[Role.PARTNER_ENGINEER].email, PASSWORD)
    expect(page.locator('main[data-dashboard="partner_engineer"]')).to_be_visible()
    response = page.goto("/dashboard/")

    assert "script-src 'self'" in response.headers["content-security-policy"]
    brand = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--brand-primary')")
    assert brand.strip().startswith("#")
    page.locator("#site-q").fill("SE-GOT")
    expect(page.locator("#site-results")).to_contain_text("SE-GOT-0001")
    assert violations == []
