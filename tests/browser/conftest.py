"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The live server runs in a thread of this process and reads committed data only, so each
test makes its data in a committed staff context, and the database is emptied after it.
Playwright's sync API runs an event loop in this thread, which Django's async-safety
check would take for async code calling the ORM; it is switched off while a browser is up.
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Customer, PartnerBrand, PartnerDomain, Role
from tests import factories
from tests.factories import PASSWORD
from tickets import services as case_services
from tickets.models import CaseSource

CHROMIUM = os.environ.get("POLYPLUS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not at {CHROMIUM}: `make chromium` installs Debian's (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


@pytest.fixture
def browser_settings(settings):
    """What the live server thread needs from settings in a test run (it shares this process's)."""
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    return settings


@pytest.fixture
def page(request, browser, live_server, browser_settings):
    """A fresh browser context on the live server; a screenshot of where it ended is kept."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    yield tab
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.nodeid.split("::", 1)[-1]).strip("-")
    try:
        tab.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    finally:
        context.close()


@pytest.fixture
def people(live_server, browser_settings):
    """One person per persona at Nordic (partner A), and Wisła's (partner B) own people and customer."""
    with staff_context(reason="browser test data"):
        nordic = factories.PartnerFactory(name="Nordic Collaboration AB", slug="nordic")
        wisla = factories.PartnerFactory(name="Wisła Systemy sp. z o.o.", slug="wisla")
        gota = factories.CustomerFactory(partner=nordic, name="Göta Älv Logistik AB", master_account_id="MA-SE-1")
        factories.CustomerFactory(partner=nordic, name="Öresund Medtech AB")
        factories.CustomerFactory(partner=wisla, name="Bank Mazowsze S.A.")
        factories.SiteFactory(customer=gota, site_id="SE-GOT-0001")
        csm = factories.PolyStaffFactory(role=Role.CSM, email="csm@poly.example")
        factories.CsmAssignmentFactory(customer=gota, csm=csm)
        return {
            Role.POLY_ADMIN: factories.PolyStaffFactory(role=Role.POLY_ADMIN, email="admin@poly.example"),
            Role.POLY_SUPPORT: factories.PolyStaffFactory(role=Role.POLY_SUPPORT, email="support@poly.example"),
            Role.ESCALATION_MANAGER: factories.PolyStaffFactory(role=Role.ESCALATION_MANAGER,
                                                                email="escalations@poly.example"),
            Role.CSM: csm,
            Role.PARTNER_ADMIN: factories.UserFactory(partner=nordic, role=Role.PARTNER_ADMIN,
                                                      email="admin@nordic.example"),
            Role.PARTNER_ENGINEER: factories.UserFactory(partner=nordic, role=Role.PARTNER_ENGINEER,
                                                         email="engineer@nordic.example"),
            Role.CUSTOMER_VIEWER: factories.CustomerViewerFactory(customer=gota, email="it@gota.example"),
            "wisla_engineer": factories.UserFactory(partner=wisla, role=Role.PARTNER_ENGINEER,
                                                    email="engineer@wisla.example"),
        }


# ---- partners' own hosts (white-label and language tests) ----------------------------------------

INTERNAL = "Internal: firmware 11.2 crash, engineering bug PLY-4711"
PUBLIC = "A replacement codec ships today; it arrives tomorrow before 10:00."
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def hosts(people, live_server, browser_settings):
    """nordic.localhost and wisla.localhost: each partner's own host on the live server."""
    browser_settings.ALLOWED_HOSTS = [".localhost", "localhost", "127.0.0.1"]
    port = urlsplit(live_server.url).port
    with staff_context(reason="browser test data: partner hosts, brands and a case"):
        nordic = people[Role.PARTNER_ADMIN].partner
        wisla = people["wisla_engineer"].partner
        PartnerDomain.objects.create(partner=nordic, host="nordic.localhost")
        PartnerDomain.objects.create(partner=wisla, host="wisla.localhost")
        PartnerBrand.objects.filter(partner=nordic).update(
            display_name="Nordic Care", primary_color="#0a5c36", accent_color="#ffd500",
            support_email="help@nordic.example", support_phone="+46 8 123 45")
        PartnerBrand.objects.filter(partner=wisla).update(
            display_name="Wisła Serwis", primary_color="#7a1020", accent_color="#1c2430",
            support_email="pomoc@wisla.example")
        gota = Customer.objects.get(name="Göta Älv Logistik AB")
        factories.CertificationFactory(partner=nordic, category="video")
        contract = factories.ContractFactory(customer=gota)
        factories.ContractLineFactory(contract=contract, category="video")
        site = gota.sites.get()
        case = case_services.case_open(by=people[Role.PARTNER_ENGINEER], site=site, category="video", severity=1,
                                       subject="Boardroom codec down", description="No picture since 08:00.")
        case_services.case_comment_add(by=people[Role.POLY_SUPPORT], case=case, body=INTERNAL, internal=True)
        case_services.case_comment_add(by=people[Role.POLY_SUPPORT], case=case, body=PUBLIC)
        case_services.case_open(by=None, site=site, category="video", severity=3, subject="Device offline",
                                description="No heartbeat.", source=CaseSource.HEALTH_EVENT,
                                health_alert_kind="device_offline")
        wisla_customer = Customer.objects.get(name="Bank Mazowsze S.A.")
        factories.CustomerViewerFactory(customer=wisla_customer, email="it@mazowsze.example")
    return {"nordic": f"http://nordic.localhost:{port}", "wisla": f"http://wisla.localhost:{port}",
            "portal": f"http://localhost:{port}", "case": case}


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"white-label-{name}.png"), full_page=True)


def sign_in_at(page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    form = page.locator("form").filter(has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()


def assert_fits_the_width(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than the screen"
