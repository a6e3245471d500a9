"""The pages customers read, and their mails, in English, Polish or Swedish (languages.py).

The partner's brand sets the default; the browser's Accept-Language overrides it, and the
viewer's own choice overrides both. Every other page stays English. Expected words come from
the catalogues themselves (and must differ from the English), so a missing or stale
translation fails here.
"""

import datetime

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.dateformat import format as format_date
from django.utils.translation import gettext

from polyplus.tenancy.languages import browser_language, language_for, supported
from polyplus.tenancy.models import PartnerBrand, PartnerDomain
from tests import factories
from tests.factories import PASSWORD
from tests.notifications import deliver_queued
from tests.tickets import cover, open_case
from tickets import services

NORDIC_HOST = "support.nordic-care.example"


def said(code: str, english: str) -> str:
    """`english` as the portal says it in `code`: a real translation, never the English back."""
    with translation.override(code):
        words = gettext(english)
    assert words != english, f"{english!r} has no {code} translation"
    return words


def brand_speaks(partner, code: str) -> PartnerBrand:
    brand = partner.brand
    brand.default_language = code
    brand.save(update_fields=["default_language"])
    return brand


@pytest.fixture
def covered(site_a):
    return cover(site_a, categories=("video", "voice"))


# ---- which language ---------------------------------------------------------------------------

@pytest.mark.parametrize(("code", "expected"), [
    ("sv", "sv"), ("sv-SE", "sv"), ("pl_PL", "pl"), ("EN-gb", "en"), ("de", None), ("", None), (None, None),
    ("svenska", None),
])
def test_only_the_three_languages_are_spoken(code, expected):
    assert supported(code) == expected


def test_the_browser_first_language_the_portal_speaks_wins_by_the_header_order(rf):
    assert browser_language(rf.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,pl;q=0.8,sv;q=0.7")) == "pl"
    assert browser_language(rf.get("/", HTTP_ACCEPT_LANGUAGE="sv;q=0.5,pl;q=0.9")) == "pl"
    assert browser_language(rf.get("/", HTTP_ACCEPT_LANGUAGE="de-DE,fr")) is None
    assert browser_language(rf.get("/")) is None


def test_choice_beats_browser_beats_the_partner_default_beats_english(rf, partner_a):
    brand = brand_speaks(partner_a, "sv")
    request = rf.get("/")
    assert language_for(request, None) == "en"
    assert language_for(request, brand) == "sv"
    request = rf.get("/", HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9")
    assert language_for(request, brand) == "pl"
    request.COOKIES["polyplus_language"] = "en"
    assert language_for(request, brand) == "en"


# ---- the status page ----------------------------------------------------------------------------

def test_the_status_page_speaks_the_partner_default(client_for, customer_viewer, customer_a, partner_a, covered):
    brand_speaks(partner_a, "sv")
    response = client_for(customer_viewer).get(f"/status/{customer_a.pk}/")
    html = response.content.decode()
    assert response["Content-Language"] == "sv" and '<html lang="sv">' in html
    assert said("sv", "Open cases") in html and said("sv", "Coverage") in html
    assert said("sv", "Voice") in html  # a category by its name
    assert ">Open cases<" not in html


def test_dates_follow_the_language(client_for, customer_viewer, customer_a, partner_a, covered):
    brand_speaks(partner_a, "pl")
    covered.end_date = datetime.date(2027, 10, 31)
    covered.save(update_fields=["end_date"])
    html = client_for(customer_viewer).get(f"/status/{customer_a.pk}/").content.decode()
    with translation.override("pl"):
        polish = format_date(covered.end_date, "j M Y")
    assert polish != "31 Oct 2027" and polish in html


def test_the_browser_overrides_the_partner_default(client_for, customer_viewer, customer_a, partner_a, covered):
    brand_speaks(partner_a, "sv")
    html = client_for(customer_viewer).get(f"/status/{customer_a.pk}/",
                                           HTTP_ACCEPT_LANGUAGE="pl-PL,pl;q=0.9").content.decode()
    assert said("pl", "Open cases") in html and '<html lang="pl">' in html


def test_the_viewer_choice_is_kept_on_them_and_overrides_the_browser(client_for, customer_viewer, customer_a,
                                                                       partner_a, covered):
    brand_speaks(partner_a, "sv")
    client = client_for(customer_viewer)
    response = client.post("/language/", {"language": "en", "next": f"/status/{customer_a.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/status/{customer_a.pk}/"
    customer_viewer.refresh_from_db()
    assert customer_viewer.language == "en"
    html = client.get(f"/status/{customer_a.pk}/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert ">Open cases<" in html and '<html lang="en">' in html


def test_a_bad_choice_is_refused_and_changes_nothing(client_for, customer_viewer):
    client = client_for(customer_viewer)
    response = client.post("/language/", {"language": "de"})
    assert response.status_code == 400 and b"Choose English, Polski or Svenska" in response.content
    assert "polyplus_language" not in response.cookies
    customer_viewer.refresh_from_db()
    assert customer_viewer.language == ""
    assert client.get("/language/").status_code == 405


@pytest.mark.parametrize("back", ["https://evil.example/phish", "//evil.example/", "/status/1/\nSet-Cookie: x=1",
                                  "/a\x00b", "status/1/", ""])
def test_the_choice_never_sends_anyone_to_another_site_or_a_broken_address(client, db, back):
    response = client.post("/language/", {"language": "pl", "next": back})
    assert response.status_code == 302 and response["Location"] == "/"
    assert response.cookies["polyplus_language"].value == "pl"


def test_other_pages_stay_english_whatever_the_browser_asks(client_for, partner_a_engineer, partner_a):
    brand_speaks(partner_a, "pl")
    response = client_for(partner_a_engineer).get("/cases/", HTTP_ACCEPT_LANGUAGE="pl")
    assert response["Content-Language"] == "en"
    html = response.content.decode()
    assert '<html lang="en">' in html and ">Cases<" in html
    assert 'class="language-picker"' not in html


# ---- sign-in, share links -------------------------------------------------------------------------

def test_the_sign_in_page_on_a_partner_host_speaks_its_default(client, partner_a, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, NORDIC_HOST]
    PartnerDomain.objects.create(partner=partner_a, host=NORDIC_HOST)
    brand_speaks(partner_a, "pl")
    html = client.get("/accounts/login/", HTTP_HOST=NORDIC_HOST).content.decode()
    assert '<html lang="pl">' in html and said("pl", "Sign in") in html
    assert 'class="language-picker"' in html
    # On the portal's own host: no partner, English.
    assert '<html lang="en">' in client.get("/accounts/login/").content.decode()


def test_a_language_picked_on_the_sign_in_page_becomes_the_persons_own(client, customer_viewer):
    client.post("/language/", {"language": "sv", "next": "/accounts/login/"})
    response = client.post("/accounts/login/", {"login": customer_viewer.email, "password": PASSWORD})
    assert response.status_code == 302
    customer_viewer.refresh_from_db()
    assert customer_viewer.language == "sv"  # their mails speak it too, from any browser


def test_a_cookie_left_on_the_browser_does_not_override_a_choice_already_made(client, customer_viewer):
    customer_viewer.language = "pl"
    customer_viewer.save(update_fields=["language"])
    client.cookies["polyplus_language"] = "sv"
    assert client.post("/accounts/login/", {"login": customer_viewer.email, "password": PASSWORD}).status_code == 302
    customer_viewer.refresh_from_db()
    assert customer_viewer.language == "pl"


def test_no_language_picked_leaves_the_person_without_one(client, customer_viewer):
    client.cookies["polyplus_language"] = "de"  # not one the portal speaks
    assert client.post("/accounts/login/", {"login": customer_viewer.email, "password": PASSWORD}).status_code == 302
    customer_viewer.refresh_from_db()
    assert customer_viewer.language == ""  # the brand's default and the browser still decide


def test_a_share_link_speaks_its_partner_default_and_a_dead_one_too(client_for, client, partner_a_admin, customer_a,
                                                                   partner_a, covered):
    from polyplus.portal import services as portal_services

    brand_speaks(partner_a, "sv")
    _link, key = portal_services.share_link_create(by=partner_a_admin, customer=customer_a,
                                                   expires_on=timezone.localdate() + datetime.timedelta(days=7))
    html = client.get(f"/s/{key}/").content.decode()
    assert '<html lang="sv">' in html and said("sv", "Open cases") in html
    gone = client.get("/s/" + "x" * len(key) + "/", HTTP_ACCEPT_LANGUAGE="pl")
    assert gone.status_code == 404 and said("pl", "This link shows nothing") in gone.content.decode()


# ---- mails to customers ---------------------------------------------------------------------------

def reply_on(engineer, site, poly_support) -> list:
    """The mails of Poly's public reply on a new case (the case's own opening mails left out)."""
    case = open_case(engineer, site, subject="Codec reboots")
    deliver_queued()
    mail.outbox.clear()
    services.case_comment_add(by=poly_support, case=case, body="A new codec ships today.")
    return list(deliver_queued())


def mail_to(person, mails: list):
    return next(message for message in mails if message.to == [person.email])

def test_a_customer_reads_case_mail_in_the_partner_default_and_the_engineer_in_english(
        partner_a, site_a, customer_viewer, partner_a_engineer, poly_support, covered):
    brand_speaks(partner_a, "sv")
    mails = reply_on(partner_a_engineer, site_a, poly_support)
    to_customer, to_engineer = mail_to(customer_viewer, mails), mail_to(partner_a_engineer, mails)
    html = to_customer.alternatives[0][0]
    with translation.override("sv"):
        replied = gettext("%(who)s replied") % {"who": gettext("%(brand)s support") % {"brand": partner_a.brand}}
    assert replied in to_customer.subject and said("sv", "Open the case:") in to_customer.body
    assert '<html lang="sv">' in html and said("sv", "Severity") in html
    assert "replied" in to_engineer.subject and "Open the case:" in to_engineer.body


def test_a_customer_who_chose_a_language_gets_mail_in_it(partner_a, site_a, customer_viewer, partner_a_engineer,
                                                        poly_support, covered):
    brand_speaks(partner_a, "sv")
    customer_viewer.language = "pl"
    customer_viewer.save(update_fields=["language"])
    to_customer = mail_to(customer_viewer, reply_on(partner_a_engineer, site_a, poly_support))
    assert said("pl", "Open the case:") in to_customer.body


# ---- the brand sets the default --------------------------------------------------------------------

def test_the_partner_admin_sets_the_default_language(client_for, partner_a_admin, partner_a):
    client = client_for(partner_a_admin)
    form = {"display_name": "Nordic Care", "primary_color": "#0b3d91", "accent_color": "#f28c28",
            "default_language": "sv"}
    assert client.post("/brand/", form).status_code == 302
    assert PartnerBrand.objects.get(partner=partner_a).default_language == "sv"
    response = client.post("/brand/", {**form, "default_language": "de"})
    assert response.status_code == 200 and b"Select a valid choice" in response.content
    assert PartnerBrand.objects.get(partner=partner_a).default_language == "sv"
    without = {key: value for key, value in form.items() if key != "default_language"}
    assert client.post("/brand/", without).status_code == 302  # left out: unchanged
    assert PartnerBrand.objects.get(partner=partner_a).default_language == "sv"


def test_the_api_shows_the_brand_default_language(api_for, partner_a_admin, partner_a):
    brand_speaks(partner_a, "pl")
    body = api_for(partner_a_admin).get(f"/api/v1/partners/{partner_a.pk}/").json()
    assert body["brand"]["default_language"] == "pl"


def test_factories_make_brands_that_speak_english(db):
    assert factories.PartnerFactory().brand.default_language == "en"


# ---- password reset mails -------------------------------------------------------------------------

def test_a_password_reset_asked_on_a_partner_host_is_mailed_in_the_page_language(client, partner_a, partner_b,
                                                                                  customer_viewer, partner_b_engineer,
                                                                                  mailoutbox, settings):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, NORDIC_HOST]
    PartnerDomain.objects.create(partner=partner_a, host=NORDIC_HOST)
    brand_speaks(partner_a, "pl")
    brand_speaks(partner_b, "sv")
    client.post("/accounts/password/reset/", {"email": customer_viewer.email}, HTTP_HOST=NORDIC_HOST)
    client.post("/accounts/password/reset/", {"email": partner_b_engineer.email}, HTTP_HOST=NORDIC_HOST)
    ours, theirs = mailoutbox
    assert said("pl", "Password Reset Email") in ours.subject
    # Another partner's person is sent to their own portal, in their partner's language.
    assert said("sv", "Password Reset Email") in theirs.subject
