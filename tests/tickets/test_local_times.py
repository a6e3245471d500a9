"""Times on the case pages are the site's local time with its zone's abbreviation; a Poly user
also sees their own time; the API keeps UTC with offsets."""

import datetime
import re
import zoneinfo
from html import unescape

import pytest

from contracts.models import Offering
from polyplus.tenancy.models import ServiceCategory, User
from tests import factories
from tickets import services
from tickets.models import Case

WINTER = datetime.datetime(2026, 1, 15, 7, 30, tzinfo=datetime.UTC)  # 08:30 CET in Stockholm
SUMMER = datetime.datetime(2026, 7, 15, 7, 30, tzinfo=datetime.UTC)  # 09:30 CEST in Stockholm


@pytest.fixture
def case_a(partner_a, customer_a, site_a, partner_a_engineer):
    factories.CertificationFactory(partner=partner_a, category=ServiceCategory.VIDEO)
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=contract, category="video")
    case = services.case_open(by=partner_a_engineer, site=site_a, category="video", severity=2,
                              subject="Room 4 codec reboots", description="Since Monday.")
    Case.objects.filter(pk=case.pk).update(opened_at=WINTER, first_response_due=SUMMER)
    case.refresh_from_db()
    return case


def text_of(response) -> str:
    """The page's main content as text (the account menu names the reader's own zone)."""
    assert response.status_code == 200
    html = unescape(response.content.decode())
    main = html[html.index("<main"):html.index("</main>")]
    return re.sub(r"<[^>]+>", "", main)


def test_the_case_page_shows_times_at_the_site_with_the_zone(client_for, case_a, partner_a_engineer):
    text = text_of(client_for(partner_a_engineer).get(f"/cases/{case_a.pk}/"))
    assert "15 Jan 2026 08:30 CET" in text  # opened, in winter
    assert "15 Jul 2026 09:30 CEST" in text  # first response due, in summer
    assert "UTC" not in text
    assert "your time" not in text  # a partner sees the site's time only


def test_a_poly_user_sees_the_sites_time_and_their_own(client_for, case_a, poly_support):
    User.objects.filter(pk=poly_support.pk).update(time_zone="America/New_York")
    poly_support.refresh_from_db()
    text = text_of(client_for(poly_support).get(f"/cases/{case_a.pk}/"))
    assert "15 Jan 2026 08:30 CET (02:30 EST your time)" in text
    assert "15 Jul 2026 09:30 CEST (03:30 EDT your time)" in text


def test_a_poly_user_in_the_sites_zone_sees_it_once(client_for, case_a, poly_support):
    User.objects.filter(pk=poly_support.pk).update(time_zone="Europe/Stockholm")
    poly_support.refresh_from_db()
    text = text_of(client_for(poly_support).get(f"/cases/{case_a.pk}/"))
    assert "15 Jan 2026 08:30 CET" in text and "your time" not in text


def test_the_lists_show_the_due_time_at_the_site(client_for, case_a, partner_a_engineer, poly_support):
    due = datetime.datetime(2026, 7, 15, 22, 30, tzinfo=datetime.UTC)  # 00:30 CEST the next day
    Case.objects.filter(pk=case_a.pk).update(next_due_at=due)
    assert "16 Jul 00:30 CEST" in text_of(client_for(partner_a_engineer).get("/cases/"))
    queue = text_of(client_for(poly_support).get("/cases/queue/"))  # poly_support's own zone is UTC
    assert "16 Jul 00:30 CEST (15 Jul 22:30 UTC your time)" in queue


def test_the_api_keeps_utc_with_an_offset(api_for, case_a, partner_a_engineer):
    body = api_for(partner_a_engineer).get(f"/api/v1/cases/{case_a.pk}/").json()
    assert datetime.datetime.fromisoformat(body["opened_at"]) == WINTER
    assert body["opened_at"].endswith(("Z", "+00:00"))


def test_a_users_time_zone_defaults_to_utc_and_must_be_a_real_zone(partner_a_engineer):
    assert partner_a_engineer.time_zone == "UTC"
    assert partner_a_engineer.zone == zoneinfo.ZoneInfo("UTC")
    partner_a_engineer.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(Exception, match="not a time zone"):
        partner_a_engineer.full_clean()
