"""The shell every page shares: sign-in, sign-out, navigation per role, the partner's brand."""

import pytest

from tests import factories


@pytest.fixture(autouse=True)
def _page_settings(settings):
    """No sign-in rate limit between these tests."""
    settings.ACCOUNT_RATE_LIMITS = False


def test_the_login_page_has_allauths_fields_and_a_submit_button_in_the_portal_shell(client, db):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="login"' in html and 'name="password"' in html
    assert '<button type="submit">Sign in</button>' in html
    assert "/static/css/portal.css" in html
    assert 'href="/accounts/password/reset/"' in html
    assert "sign up" not in html.lower()


def test_a_failed_login_shows_allauths_error_in_form_errors_and_signs_nobody_in(client, partner_a_engineer):
    response = client.post("/accounts/login/", {"login": partner_a_engineer.email, "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    errors = html[html.index('id="error-summary"'):]
    assert "The email address and/or password you specified are not correct." in errors[:400]
    assert "_auth_user_id" not in client.session


def test_a_correct_login_lands_on_the_dashboard(client, poly_support):
    response = client.post("/accounts/login/", {"login": poly_support.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_a_partner_user_signs_in_and_lands_on_the_dashboard(client, partner_a_engineer):
    response = client.post("/accounts/login/", {"login": partner_a_engineer.email,
                                                "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_sign_out_is_a_post_form_in_the_user_menu_and_signs_out(client_for, partner_a_engineer):
    client = client_for(partner_a_engineer)
    html = client.get("/dashboard/").content.decode()
    assert '<form method="post" action="/accounts/logout/">' in html
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_the_user_menu_links_to_api_docs_two_factor_and_tokens(client_for, partner_a_admin):
    html = client_for(partner_a_admin).get("/dashboard/").content.decode()
    assert 'href="/api/docs/"' in html
    assert 'href="/accounts/2fa/"' in html
    assert 'href="/account/tokens/"' in html


def test_partner_pages_are_drawn_in_the_partners_colours_and_name(client_for, partner_a_admin, partner_a):
    brand = partner_a.brand
    brand.display_name, brand.primary_color, brand.accent_color = "Nordic Care", "#224466", "#ee7700"
    brand.save()
    html = client_for(partner_a_admin).get("/dashboard/").content.decode()
    assert "--brand-primary: #224466; --brand-accent: #ee7700;" in html
    assert "Nordic Care" in html


def test_poly_staff_pages_use_polys_own_brand(client_for, poly_support):
    html = client_for(poly_support).get("/dashboard/").content.decode()
    assert "--brand-primary: #0b3d91" in html
    assert "Poly+ partner portal" in html


@pytest.mark.parametrize(("persona", "present", "absent"), [
    ("poly_admin", ["/partners/", "/customers/", "/users/", "/csm-assignments/", "/audit/"], ['href="/brand/"']),
    ("poly_support", ["/partners/", "/customers/", "/audit/"], ['href="/users/"', "/csm-assignments/"]),
    ("csm", ["/customers/"], ['href="/partners/"', 'href="/users/"', 'href="/audit/"']),
    ("partner_a_admin", ["/customers/", "/users/", 'href="/brand/"', "/audit/"], ['href="/partners/"']),
    ("partner_a_engineer", ["/customers/"], ['href="/users/"', 'href="/audit/"', 'href="/brand/"']),
    ("customer_viewer", [], ['href="/customers/"', 'href="/users/"', 'href="/audit/"', 'href="/partners/"']),
])
def test_the_navigation_offers_each_role_only_its_pages(db, request, client_for, persona, present, absent):
    html = client_for(request.getfixturevalue(persona)).get("/dashboard/").content.decode()
    nav = html[html.index('<nav class="nav"'):html.index("</nav>")]
    for link in present:
        assert link in nav
    for link in absent:
        assert link not in nav


def test_the_password_reset_pages_use_the_portal_shell(client, db):
    html = client.get("/accounts/password/reset/").content.decode()
    assert "/static/css/portal.css" in html
    assert 'name="email"' in html


def test_a_bad_password_reset_address_shows_the_error_next_to_the_field(client, db):
    response = client.post("/accounts/password/reset/", {"email": "not-an-address"})
    html = response.content.decode()
    assert response.status_code == 200
    field = html[html.index('id="field-email"'):]
    assert "field-errors" in field[:800]


def reauthenticated(client, user):
    """Sign in, then confirm the password again, as allauth asks before two-factor set-up."""
    assert client.post("/accounts/login/", {"login": user.email, "password": factories.PASSWORD}).status_code == 302
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauthenticate/")
    html = client.get(response["Location"]).content.decode()
    assert "/static/css/portal.css" in html and 'name="password"' in html
    assert client.post(response["Location"], {"password": factories.PASSWORD}).status_code == 302
    return client


def test_poly_staff_without_totp_are_sent_to_a_styled_authenticator_setup(client, poly_admin, settings):
    reauthenticated(client, poly_admin)
    settings.POLYPLUS_REQUIRE_STAFF_MFA = True
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    html = client.get(response["Location"]).content.decode()
    assert "/static/css/portal.css" in html
    assert 'class="qr"' in html
    assert 'name="code"' in html


def test_a_wrong_totp_code_is_shown_next_to_the_code_field(client, poly_admin):
    reauthenticated(client, poly_admin)
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 200
    field = html[html.index('id="field-code"'):]
    assert "field-errors" in field[:800]


def test_the_two_factor_overview_renders_in_the_shell(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).get("/accounts/2fa/")
    assert response.status_code == 200
    assert "Authenticator App" in response.content.decode()


def test_a_forbidden_page_is_a_styled_403(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).get("/users/")
    assert response.status_code == 403
    assert "You may not do this" in response.content.decode()


def test_a_missing_page_is_a_styled_404(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).get("/customers/999999/")
    assert response.status_code == 404
    assert "Not found" in response.content.decode()


def test_favicon_ico_answers_with_the_portals_icon(client, db):
    from django.contrib.staticfiles import finders

    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    icon = finders.find("favicon.ico")
    assert icon is not None
    with open(icon, "rb") as file:
        assert file.read(4) == b"\x00\x00\x01\x00"  # an ICO file's header


def test_every_page_names_its_icon(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in html
