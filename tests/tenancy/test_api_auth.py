"""Signing in to the API: token exchange, token use, revocation, and answers without credentials.

These tests use real token authentication (`Authorization: Token <key>`), so the context
switch that token authentication makes is exercised exactly as a partner's PSA tool would.
"""

import secrets

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from polyplus.tenancy import services
from polyplus.tenancy.context import read_context, tenant_context
from polyplus.tenancy.models import ApiToken
from tests.factories import PASSWORD


@pytest.fixture
def anonymous():
    """A client from an address of its own, so the sign-in throttle counts this test only."""
    address = "10." + ".".join(str(b) for b in secrets.token_bytes(3))
    cache.delete(f"throttle_token_{address}")
    return APIClient(REMOTE_ADDR=address)


def sign_in(client, user):
    """A browser session for `user`. Signing in switches the context (tenancy's apps.py), so
    it happens in a block of its own and the test keeps its own staff context."""
    with tenant_context(read_context()):
        client.force_login(user)
    return client


def with_token(key: str) -> APIClient:
    return APIClient(HTTP_AUTHORIZATION=f"Token {key}")


def obtain(client, email, password=PASSWORD, **extra):
    return client.post("/api/v1/auth/token/", {"email": email, "password": password, **extra}, format="json")


# ---- exchanging a password for a token -----------------------------------------------------

def test_an_engineer_exchanges_email_and_password_for_a_working_token(anonymous, partner_a_engineer, customer_a,
                                                                      customer_b):
    response = obtain(anonymous, partner_a_engineer.email.upper(), name="ServiceNow")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "id", "name"} and body["name"] == "ServiceNow"
    token = ApiToken.objects.get(pk=body["id"])
    assert token.user == partner_a_engineer and body["token"] not in token.key_hash
    customers = with_token(body["token"]).get("/api/v1/customers/")
    assert customers.status_code == 200
    assert [c["id"] for c in customers.json()["results"]] == [customer_a.pk]


@pytest.mark.parametrize(
    ("email", "password"),
    [("eng@nordic.example", "wrong-password"), ("nobody@nordic.example", PASSWORD), ("eng@nordic.example", "")],
)
def test_wrong_credentials_answer_400_with_a_code_and_create_nothing(anonymous, partner_a_engineer, email,
                                                                     password):
    response = obtain(anonymous, email, password)

    assert response.status_code == 400
    body = response.json()
    if password:
        assert body == {"detail": "Wrong email or password.", "code": "invalid_credentials"}
    else:
        assert "password" in body
    assert not ApiToken.objects.exists()


def test_an_inactive_user_gets_no_token(anonymous, partner_a_engineer):
    partner_a_engineer.is_active = False
    partner_a_engineer.save()
    response = obtain(anonymous, partner_a_engineer.email)
    assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [{}, {"email": "not-an-email", "password": "x"}, {"email": ["a@b.c"], "password": "x"},
     {"email": "a@b.c", "password": {"x": 1}}, {"email": "a@b.c", "password": "x", "name": "n" * 101}],
)
def test_a_malformed_token_request_answers_400_by_field(anonymous, db, payload):
    response = anonymous.post("/api/v1/auth/token/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) <= {"email", "password", "name"}


def test_malformed_json_answers_400_with_a_code(anonymous, db):
    response = anonymous.post("/api/v1/auth/token/", b'{"email": "a@b.c", ', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_token_requests_are_throttled_per_address(anonymous, partner_a_engineer):
    # Another email address each time, so no account reaches its own lock-out (tests/tenancy/test_lockout.py).
    answers = [obtain(anonymous, f"guess{n}@nordic.example", "wrong").status_code for n in range(10)]
    assert set(answers) == {400}
    response = obtain(anonymous, partner_a_engineer.email)  # even the right password, now
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"
    assert not ApiToken.objects.exists()


def test_poly_staff_get_tokens_in_the_portal_after_two_factor_sign_in(anonymous, poly_support, settings):
    settings.POLYPLUS_REQUIRE_STAFF_MFA = True
    response = obtain(anonymous, poly_support.email)
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not ApiToken.objects.exists()

    settings.POLYPLUS_REQUIRE_STAFF_MFA = False
    assert obtain(anonymous, poly_support.email).status_code == 201


def test_a_signed_in_browser_session_does_not_change_whose_token_is_made(anonymous, partner_a_engineer,
                                                                         partner_b_engineer):
    browser = sign_in(anonymous, partner_b_engineer)
    response = obtain(browser, partner_a_engineer.email)
    assert response.status_code == 201
    assert ApiToken.objects.get().user == partner_a_engineer


# ---- using and revoking tokens ---------------------------------------------------------------

URLS = ["/api/v1/partners/", "/api/v1/customers/", "/api/v1/sites/", "/api/v1/users/", "/api/v1/tokens/",
        "/api/v1/partners/1/", "/api/v1/customers/1/", "/api/v1/sites/SE-GOT-001/", "/api/v1/users/1/",
        "/api/v1/partners/1/certifications/"]


@pytest.mark.parametrize("url", URLS)
def test_without_credentials_every_endpoint_answers_401(anonymous, site_a, url):
    response = anonymous.get(url)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response.headers["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    "header",
    ["Token", "Token pp_nonsense", "Token pp_a pp_b", "Token not-a-key", "token pp_" + "x" * 5000,
     "Token pp_\u00e9t\u00e9"],
)
def test_a_bad_token_answers_401(partner_a_engineer, header, customer_a):
    response = APIClient(HTTP_AUTHORIZATION=header).get("/api/v1/customers/")
    assert response.status_code == 401
    assert set(response.json()) == {"detail", "code"}


def test_a_token_sees_only_its_owners_partner(partner_b_engineer, customer_a, customer_b, site_a, site_b):
    _, key = services.api_token_create(user=partner_b_engineer, name="PSA")
    client = with_token(key)
    assert [c["id"] for c in client.get("/api/v1/customers/").json()["results"]] == [customer_b.pk]
    assert [s["site_id"] for s in client.get("/api/v1/sites/").json()["results"]] == [site_b.site_id]
    assert client.get(f"/api/v1/customers/{customer_a.pk}/").status_code == 404
    assert client.get(f"/api/v1/sites/{site_a.site_id}/").status_code == 404


def test_revoking_the_current_token_makes_it_fail_with_401(partner_a_engineer, customer_a):
    token, key = services.api_token_create(user=partner_a_engineer, name="PSA")
    client = with_token(key)
    assert client.get("/api/v1/customers/").status_code == 200

    assert client.post("/api/v1/auth/token/revoke/").status_code == 204

    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.get("/api/v1/customers/")
    assert response.status_code == 401
    assert client.post("/api/v1/auth/token/revoke/").status_code == 401


def test_revoking_the_current_token_needs_a_token(api_for, partner_a_engineer):
    assert APIClient().post("/api/v1/auth/token/revoke/").status_code == 401
    session = sign_in(Client(), partner_a_engineer)
    assert session.post("/api/v1/auth/token/revoke/").status_code == 401


def test_revoking_a_token_by_id_stops_it_and_leaves_the_others(partner_a_engineer):
    first, first_key = services.api_token_create(user=partner_a_engineer, name="One")
    _, second_key = services.api_token_create(user=partner_a_engineer, name="Two")
    client = with_token(second_key)

    response = client.post(f"/api/v1/tokens/{first.pk}/revoke/")

    assert response.status_code == 200 and response.json()["revoked_at"]
    assert with_token(first_key).get("/api/v1/tokens/").status_code == 401
    listed = client.get("/api/v1/tokens/").json()
    assert {t["name"] for t in listed["results"]} == {"One", "Two"}
    assert "key_hash" not in listed["results"][0] and "token" not in listed["results"][0]


def test_deactivating_a_user_makes_their_tokens_fail_with_401(partner_a_admin, partner_a_engineer):
    _, engineer_key = services.api_token_create(user=partner_a_engineer, name="PSA")
    _, admin_key = services.api_token_create(user=partner_a_admin, name="Admin tool")
    assert with_token(engineer_key).get("/api/v1/sites/").status_code == 200

    response = with_token(admin_key).patch(f"/api/v1/users/{partner_a_engineer.pk}/", {"is_active": False},
                                           format="json")

    assert response.status_code == 200 and response.json()["is_active"] is False
    assert with_token(engineer_key).get("/api/v1/sites/").status_code == 401
    assert ApiToken.objects.get(user=partner_a_engineer).revoked_at is not None


def test_a_deactivated_users_token_fails_even_if_it_was_not_revoked(partner_a_engineer):
    _, key = services.api_token_create(user=partner_a_engineer, name="PSA")
    type(partner_a_engineer).objects.filter(pk=partner_a_engineer.pk).update(is_active=False)
    assert with_token(key).get("/api/v1/sites/").status_code == 401


def test_a_token_write_is_audited_as_its_owner(partner_a_admin, poly_admin):
    from polyplus.tenancy.selectors import audit_events_visible_to

    _, key = services.api_token_create(user=partner_a_admin, name="PSA")
    response = with_token(key).post("/api/v1/customers/", {"name": "Audited via API"}, format="json")
    assert response.status_code == 201
    event = audit_events_visible_to(poly_admin).filter(pgh_data__name="Audited via API").get()
    assert event.pgh_context["user"] == partner_a_admin.pk


def test_the_browser_session_works_for_the_api_and_needs_csrf_to_write(partner_a_admin, customer_a):
    browser = sign_in(APIClient(enforce_csrf_checks=True), partner_a_admin)
    assert browser.get("/api/v1/customers/").json()["count"] == 1
    response = browser.post("/api/v1/customers/", {"name": "No CSRF"}, format="json")
    assert response.status_code == 403
    assert not partner_a_admin.partner.customers.filter(name="No CSRF").exists()


def test_a_poly_staff_session_reaches_the_api_only_with_two_factor_set_up(poly_support, customer_a, settings):
    from allauth.mfa.models import Authenticator

    settings.POLYPLUS_REQUIRE_STAFF_MFA = True
    browser = sign_in(APIClient(), poly_support)
    response = browser.get("/api/v1/customers/")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"

    Authenticator.objects.create(user=poly_support, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert browser.get("/api/v1/customers/").json()["count"] == 1
