"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server.

The live server runs in a thread of this process and reads committed data only, so each
test makes its data in a committed staff context, and the database is emptied after it.
Playwright's sync API runs an event loop in this thread, which Django's async-safety
check would take for async code calling the ORM; it is switched off while a browser is up.
"""

import os
import re
from pathlib import Path

import pytest

from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Role
from tests import factories

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
