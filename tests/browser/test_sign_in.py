"""Every persona signs in through the real login form and lands on its own dashboard."""

import io
import re

import pytest
from playwright.sync_api import expect

from polyplus.tenancy.models import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(page, email: str, password: str) -> None:
    page.goto("/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()


@pytest.mark.parametrize("role", Role.values)
def test_each_persona_signs_in_and_lands_on_its_dashboard(page, people, role):
    sign_in(page, people[role].email, PASSWORD)

    dashboard = page.locator(f'main[data-dashboard="{role}"]')
    expect(dashboard).to_be_visible()
    expect(dashboard.locator("h1").first).not_to_be_empty()


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(page, people):
    sign_in(page, people[Role.PARTNER_ENGINEER].email, "not-the-password")

    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#error-summary")).not_to_be_empty()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.locator("main[data-dashboard]")).to_have_count(0)


def test_a_partner_engineer_sees_its_customers_and_never_another_partners(page, people):
    sign_in(page, people[Role.PARTNER_ENGINEER].email, PASSWORD)

    dashboard = page.locator('main[data-dashboard="partner_engineer"]')
    expect(dashboard).to_contain_text("Göta Älv Logistik AB")
    expect(page.locator("body")).not_to_contain_text("Bank Mazowsze")


def test_the_other_partners_engineer_sees_only_its_own_customer(page, people):
    sign_in(page, people["wisla_engineer"].email, PASSWORD)

    dashboard = page.locator('main[data-dashboard="partner_engineer"]')
    expect(dashboard).to_contain_text("Bank Mazowsze")
    expect(page.locator("body")).not_to_contain_text("Göta Älv Logistik")
    expect(page.locator("body")).not_to_contain_text("Öresund Medtech")


def test_a_customer_viewer_does_not_see_its_partners_other_customers(page, people):
    sign_in(page, people[Role.CUSTOMER_VIEWER].email, PASSWORD)

    expect(page.locator('main[data-dashboard="customer_viewer"]')).to_contain_text("Göta Älv Logistik AB")
    expect(page.locator("body")).not_to_contain_text("Öresund Medtech")
    expect(page.locator("body")).not_to_contain_text("Bank Mazowsze")


def test_every_login_make_run_prints_signs_in(page, live_server, browser_settings):
    from django.core.management import call_command

    from polyplus.portal.management.commands.seed_demo import DEMO_PASSWORD, PARTNERS, POLY_ADMIN, POLY_STAFF

    call_command("seed_demo", force=True, stdout=io.StringIO())
    people = [POLY_ADMIN, *POLY_STAFF, *(p for demo in PARTNERS for p in (demo.admin, demo.engineer, demo.viewer) if p)]

    for person in people:
        page.context.clear_cookies()
        sign_in(page, person.email, DEMO_PASSWORD)
        expect(page.locator(f'main[data-dashboard="{person.role}"]')).to_be_visible()
