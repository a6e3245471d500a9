"""Two partners' customers read their status pages on their partners' own hosts, one in Swedish
(the partner's default, the browser asking for a language the portal does not speak) and one in
Polish (the browser's language): each in its own brand with its own data and nothing of the
other's, sign-in included, and axe finds nothing serious in either. The viewer can switch to
another language from the page."""

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Customer, PartnerBrand, Role
from tests import factories
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import PHONE, assert_fits_the_width, shot, sign_in_at
from tickets import services as case_services

pytestmark = pytest.mark.browser


def said(code: str, english: str) -> str:
    with translation.override(code):
        words = gettext(english)
    assert words != english, f"{english!r} has no {code} translation"
    return words


@pytest.fixture
def languages(people, hosts):
    """Nordic speaks Swedish by default; Wisła keeps English, and its customer has a case of its own."""
    with staff_context(reason="browser test data: languages"):
        nordic = people[Role.PARTNER_ADMIN].partner
        wisla = people["wisla_engineer"].partner
        PartnerBrand.objects.filter(partner=nordic).update(default_language="sv")
        mazowsze = Customer.objects.get(name="Bank Mazowsze S.A.")
        site = factories.SiteFactory(customer=mazowsze, site_id="PL-WAW-0001", name="Centrala",
                                     timezone="Europe/Warsaw", country="PL")
        factories.CertificationFactory(partner=wisla, category="voice")
        contract = factories.ContractFactory(customer=mazowsze)
        factories.ContractLineFactory(contract=contract, category="voice")
        case = case_services.case_open(by=people["wisla_engineer"], site=site, category="voice", severity=2,
                                       subject="Telefony w oddziale nie dzwonią", description="Brak sygnału.")
    return {"wisla_case": case}


def new_tab(browser, locale: str, viewport=None):
    context = browser.new_context(locale=locale, viewport=viewport or {"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    return context, context.new_page()


def test_a_swedish_and_a_polish_customer_each_read_their_own_page_in_their_language(browser, people, hosts,
                                                                                   languages):
    nordic_context, nordic = new_tab(browser, "de-DE")  # a language the portal does not speak
    wisla_context, wisla = new_tab(browser, "pl-PL", PHONE)
    try:
        nordic.goto(f"{hosts['nordic']}/accounts/login/")
        expect(nordic.locator("html")).to_have_attribute("lang", "sv")
        expect(nordic.locator("main h1")).to_have_text(said("sv", "Sign in"))
        assert_accessible(nordic)
        shot(nordic, "language-sv-sign-in")
        sign_in_at(nordic, hosts["nordic"], people[Role.CUSTOMER_VIEWER].email)
        expect(nordic.locator("main h1")).to_have_text("Göta Älv Logistik AB")
        expect(nordic.locator("#cases-heading")).to_have_text(said("sv", "Open cases"))
        expect(nordic.locator("#coverage-heading")).to_have_text(said("sv", "Coverage"))
        expect(nordic.locator(f"#status-case-{hosts['case'].pk}")).to_contain_text(said("sv", "On track"))
        expect(nordic.locator(".topbar")).to_contain_text("Nordic Care")
        for foreign in ("Wisła", "Mazowsze", "PL-WAW-0001", "Telefony", "PLY-4711"):
            expect(nordic.locator("body")).not_to_contain_text(foreign)
        assert_accessible(nordic)
        shot(nordic, "language-sv-status")

        wisla.goto(f"{hosts['wisla']}/accounts/login/")
        expect(wisla.locator("html")).to_have_attribute("lang", "pl")
        expect(wisla.locator("main h1")).to_have_text(said("pl", "Sign in"))
        assert_accessible(wisla)
        sign_in_at(wisla, hosts["wisla"], "it@mazowsze.example")
        expect(wisla.locator("main h1")).to_have_text("Bank Mazowsze S.A.")
        expect(wisla.locator("#cases-heading")).to_have_text(said("pl", "Open cases"))
        row = wisla.locator(f"#status-case-{languages['wisla_case'].pk}")
        expect(row).to_contain_text("Telefony w oddziale nie dzwonią")
        with translation.override("pl"):
            major = str(languages["wisla_case"].get_severity_display())
        expect(row).to_contain_text(major)
        expect(wisla.locator(".topbar")).to_contain_text("Wisła Serwis")
        for foreign in ("Nordic", "Göta", "SE-GOT-0001", "Boardroom codec down", "help@nordic.example"):
            expect(wisla.locator("body")).not_to_contain_text(foreign)
        assert_accessible(wisla)
        assert_fits_the_width(wisla)
        shot(wisla, "language-pl-status-phone")

        # The viewer's own choice beats the browser, and stays with them.
        wisla.locator("#language-choice").select_option("en")
        wisla.locator(".language-picker button").click()
        expect(wisla.locator("html")).to_have_attribute("lang", "en")
        expect(wisla.locator("#cases-heading")).to_have_text("Open cases")
        assert_accessible(wisla)
    finally:
        nordic_context.close()
        wisla_context.close()


def test_signing_in_on_the_wrong_host_is_refused_in_that_hosts_language(browser, people, hosts, languages):
    context, tab = new_tab(browser, "de-DE")
    try:
        sign_in_at(tab, hosts["nordic"], people["wisla_engineer"].email)
        with translation.override("sv"):
            refusal = gettext("This address is %(brand)s's portal, and your account is not one of theirs. "
                              "Sign in at %(address)s") % {"brand": "Nordic Care", "address": f"{hosts['wisla']}/"}
        expect(tab.locator("#error-summary")).to_contain_text(refusal)
        expect(tab.locator("main[data-dashboard]")).to_have_count(0)
        assert_accessible(tab)
        shot(tab, "language-sv-wrong-host")
    finally:
        context.close()
