"""A partner's own host shows its brand from the sign-in page on, and only to its own people.

The portal's own hosts get the portal's look, unknown hosts a plain 404; a person of
another partner (or Poly staff) cannot sign in on a partner's host and is told where to.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from polyplus.tenancy import services
from polyplus.tenancy.models import PartnerDomain
from tests.factories import PASSWORD

NORDIC_HOST = "support.nordic.example"
WISLA_HOST = "pomoc.wisla.example"


@pytest.fixture(autouse=True)
def _hosts(settings, tmp_path):
    settings.ALLOWED_HOSTS = ["testserver", ".example", "unknown.example"]
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def branded(partner_a, partner_b):
    PartnerDomain.objects.create(partner=partner_a, host=NORDIC_HOST)
    PartnerDomain.objects.create(partner=partner_b, host=WISLA_HOST)
    for partner, name, color in ((partner_a, "Nordic Care", "#0a5c36"), (partner_b, "Wisła Serwis", "#7a1020")):
        partner.brand.display_name, partner.brand.primary_color = name, color
        partner.brand.support_email = f"help@{partner.slug}.example"
        partner.brand.save()
    return partner_a, partner_b


def on(host: str, user=None) -> Client:
    client = Client(HTTP_HOST=host)
    if user is not None:
        client.force_login(user)
    return client


def sign_in(host: str, email: str) -> tuple[Client, object]:
    client = on(host)
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    return client, response


def test_the_sign_in_page_on_a_partners_host_wears_its_brand_before_anyone_signs_in(branded):
    html = on(NORDIC_HOST).get("/accounts/login/").content.decode()
    assert "Nordic Care" in html
    assert "--brand-primary: #0a5c36" in html
    assert "help@nordic.example" in html
    assert "Wisła" not in html and "Poly+ partner portal" not in html


def test_the_password_reset_page_on_a_partners_host_wears_its_brand(branded):
    html = on(WISLA_HOST).get("/accounts/password/reset/").content.decode()
    assert "Wisła Serwis" in html and "--brand-primary: #7a1020" in html
    assert "Nordic" not in html


def test_the_portals_own_host_gets_the_portals_look(branded):
    html = on("testserver").get("/accounts/login/").content.decode()
    assert "Poly+ partner portal" in html
    assert "Nordic Care" not in html and "Wisła Serwis" not in html


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/password/reset/", "/api/v1/cases/", "/brand/logo/"])
def test_an_unknown_host_gets_a_plain_404_with_nobodys_brand(branded, partner_a_engineer, path):
    for client in (on("unknown.example"), on("unknown.example", partner_a_engineer)):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"].startswith("text/plain")
        body = response.content.decode()
        assert "Nordic" not in body and "Wisła" not in body and "Poly+" not in body and "<form" not in body


def test_an_unknown_host_cannot_sign_anyone_in(branded, partner_a_engineer):
    client, response = sign_in("unknown.example", partner_a_engineer.email)
    assert response.status_code == 404
    assert on(NORDIC_HOST).get("/dashboard/").status_code == 302


def test_a_partners_person_signs_in_on_its_own_host(branded, partner_a_engineer):
    client, response = sign_in(NORDIC_HOST, partner_a_engineer.email)
    assert response.status_code == 302
    html = client.get("/dashboard/").content.decode()
    assert "Nordic Care" in html and "Wisła" not in html


@pytest.mark.parametrize("persona", ["partner_b_engineer", "partner_b_admin", "poly_admin"])
def test_another_partners_person_or_poly_staff_cannot_sign_in_on_a_partners_host(branded, request, persona):
    person = request.getfixturevalue(persona)
    client, response = sign_in(NORDIC_HOST, person.email)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This address is Nordic Care&#x27;s portal" in html
    expected = f"http://{WISLA_HOST}/" if person.partner_id else "http://localhost/"
    assert f"Sign in at {expected}" in html
    assert client.get("/dashboard/").status_code == 302  # not signed in


def test_a_session_of_another_partner_on_a_partners_host_is_signed_out_and_sees_nothing_of_its_own(
        branded, partner_b_admin, customer_b):
    client = on(NORDIC_HOST, partner_b_admin)
    response = client.get("/dashboard/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    html = client.get(response["Location"]).content.decode()
    assert "You were signed out: this address is Nordic Care" in html
    assert customer_b.name not in html and "Wisła Serwis" not in html
    assert client.get(f"/customers/{customer_b.pk}/").status_code == 302


def test_pages_that_are_not_found_on_a_partners_host_wear_that_partners_brand_only(branded, partner_a_engineer):
    for client in (on(NORDIC_HOST), on(NORDIC_HOST, partner_a_engineer)):
        response = client.get("/no/such/page/")
        html = response.content.decode()
        assert response.status_code == 404
        assert "Nordic Care" in html and "Wisła" not in html


def test_an_api_token_of_another_partner_does_not_work_on_a_partners_host(branded, partner_b_engineer, customer_b):
    _token, key = services.api_token_create(user=partner_b_engineer, name="PSA")
    response = on(NORDIC_HOST).get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 401
    assert customer_b.name not in response.content.decode()
    assert on(WISLA_HOST).get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 10), "#0a5c36").save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_hosts_logo_is_served_to_anyone_there_and_no_other_partners_logo(branded, partner_a_admin,
                                                                            partner_b_admin):
    partner_a, partner_b = branded
    services.partner_brand_update(by=partner_a_admin, partner=partner_a, display_name="Nordic Care",
                                  primary_color="#0a5c36", accent_color="#f28c28",
                                  logo=SimpleUploadedFile("n.png", png()))
    login_html = on(NORDIC_HOST).get("/accounts/login/").content.decode()
    assert '<img src="/brand/logo/"' in login_html
    response = on(NORDIC_HOST).get("/brand/logo/")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert on(WISLA_HOST).get("/brand/logo/").status_code == 404  # Wisła has no logo; never Nordic's
    assert on("testserver").get("/brand/logo/").status_code == 404
    assert on(NORDIC_HOST).get(f"/brand/{partner_b.pk}/logo/").status_code == 302  # sign-in first


def test_the_portals_own_host_costs_no_host_lookup(branded, partner_a_engineer):
    client = on("testserver", partner_a_engineer)
    with CaptureQueriesContext(connection) as queries:
        client.get("/accounts/login/")
    assert not any("tenancy_partnerdomain" in query["sql"] for query in queries)


def test_a_partners_host_costs_one_lookup(branded, partner_a_engineer):
    client = on(NORDIC_HOST, partner_a_engineer)
    with CaptureQueriesContext(connection) as queries:
        client.get("/dashboard/")
    assert sum("tenancy_partnerdomain" in query["sql"] for query in queries) == 1


def test_a_host_already_taken_is_refused_with_a_clear_message(branded, poly_admin, partner_b):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.partner_domain_add(by=poly_admin, partner=partner_b, host=NORDIC_HOST.upper())
    assert refused.value.message_dict == {"host": ["This host name is already in use."]}


def test_a_password_reset_asked_on_a_partners_host_is_mailed_in_its_brand_with_a_link_there(branded, mailoutbox,
                                                                                          partner_a_engineer):
    on(NORDIC_HOST).post("/accounts/password/reset/", {"email": partner_a_engineer.email})
    [mail] = mailoutbox
    assert mail.subject.startswith("[Nordic Care] ")
    assert f"http://{NORDIC_HOST}/accounts/password/reset/key/" in mail.body
    assert "Nordic Care" in mail.body and "Wisła" not in mail.body
    assert mail.from_email.startswith("Nordic Care <") and mail.reply_to == ["help@nordic.example"]


def test_a_password_reset_for_another_partners_person_links_to_their_own_host_in_their_brand(
        branded, mailoutbox, partner_b_engineer):
    on(NORDIC_HOST).post("/accounts/password/reset/", {"email": partner_b_engineer.email})
    [mail] = mailoutbox
    assert mail.subject.startswith("[Wisła Serwis] ")
    assert f"http://{WISLA_HOST}/accounts/password/reset/key/" in mail.body
    assert NORDIC_HOST not in mail.body and "Nordic" not in mail.body


# ---- a partner without a host of its own: /p/<code>/ on the portal's host ------------------

def test_a_partner_without_a_host_has_a_branded_sign_in_path_on_the_portals_host(partner_a, partner_a_engineer):
    partner_a.brand.display_name, partner_a.brand.primary_color = "Nordic Care", "#0a5c36"
    partner_a.brand.save()
    client = on("testserver")
    assert client.get(f"/p/{partner_a.code.lower()}/")["Location"] == f"/p/{partner_a.code}/accounts/login/"
    html = client.get(f"/p/{partner_a.code}/accounts/login/").content.decode()
    assert "Nordic Care" in html and "--brand-primary: #0a5c36" in html
    assert f'action="/p/{partner_a.code}/accounts/login/"' in html
    response = client.post(f"/p/{partner_a.code}/accounts/login/",
                           {"login": partner_a_engineer.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "Nordic Care" in client.get("/dashboard/").content.decode()


@pytest.mark.parametrize("persona", ["partner_b_engineer", "poly_support"])
def test_another_partners_person_is_refused_on_a_partners_sign_in_path(request, partner_a, persona):
    person = request.getfixturevalue(persona)
    client = on("testserver")
    response = client.post(f"/p/{partner_a.code}/accounts/login/", {"login": person.email, "password": PASSWORD})
    html = response.content.decode()
    assert response.status_code == 200 and "Nordic Collaboration AB&#x27;s portal" in html
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.parametrize("code", ["NOPE", "X", "ABCDEFGHIJ", "A%00B", "Ä1", "../x"])
def test_an_unknown_or_odd_partner_code_is_404(db, partner_a, code):
    assert on("testserver").get(f"/p/{code}/accounts/login/").status_code == 404


def test_an_inactive_partners_path_is_404_and_a_partners_host_has_no_paths(branded):
    partner_a, partner_b = branded
    assert on(NORDIC_HOST).get(f"/p/{partner_b.code}/accounts/login/").status_code == 404
    partner_b.is_active = False
    partner_b.save()
    assert on("testserver").get(f"/p/{partner_b.code}/accounts/login/").status_code == 404


def test_a_partners_path_serves_its_logo_to_anyone(partner_a, partner_a_admin, partner_b):
    services.partner_brand_update(by=partner_a_admin, partner=partner_a, display_name="Nordic Care",
                                  primary_color="#0a5c36", accent_color="#f28c28",
                                  logo=SimpleUploadedFile("n.png", png()))
    html = on("testserver").get(f"/p/{partner_a.code}/accounts/login/").content.decode()
    assert f'<img src="/p/{partner_a.code}/logo/"' in html
    assert on("testserver").get(f"/p/{partner_a.code}/logo/")["Content-Type"] == "image/png"
    assert on("testserver").get(f"/p/{partner_b.code}/logo/").status_code == 404


def test_no_api_token_is_handed_out_to_another_partners_person_on_a_partners_host(branded, partner_b_engineer):
    response = on(NORDIC_HOST).post("/api/v1/auth/token/", {"email": partner_b_engineer.email,
                                                            "password": PASSWORD, "name": "PSA"},
                                    content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == "wrong_portal"
    assert not partner_b_engineer.api_tokens.exists()
