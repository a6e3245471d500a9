"""One lock-out per account for every way in (sign-in form, API token, two-factor step), and
client addresses that a made-up X-Forwarded-For cannot change."""

import secrets
import time

import pytest
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from polyplus.tenancy.context import read_context, tenant_context
from polyplus.tenancy.lockout import account_locked, client_ip
from polyplus.tenancy.models import ApiToken
from tests.factories import PASSWORD

LIMIT = 5


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.POLYPLUS_SIGN_IN_FAILURE_LIMIT = LIMIT
    settings.POLYPLUS_SIGN_IN_LOCKOUT_SECONDS = 300


def an_address() -> str:
    return "10." + ".".join(str(b) for b in secrets.token_bytes(3))


def form_sign_in(email, password, *, client=None) -> Client:
    """Posts the sign-in form (as a browser would, from an address of its own); the client keeps the session."""
    client = client or Client(REMOTE_ADDR=an_address())
    # Signing in switches the request's context; the test keeps its own staff context.
    with tenant_context(read_context()):
        client.post("/accounts/login/", {"login": email, "password": password})
    return client


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def obtain_token(email, password=PASSWORD):
    client = APIClient(REMOTE_ADDR=an_address())
    return client.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def wrong_code(secret: str) -> str:
    right = current_code(secret)
    return "000000" if right != "000000" else "111111"


@pytest.fixture
def engineer_with_totp(partner_a_engineer):
    secret = generate_totp_secret()
    TOTP.activate(partner_a_engineer, secret)
    partner_a_engineer.totp_secret = secret
    return partner_a_engineer


def submit_code(client, code):
    with tenant_context(read_context()):
        return client.post("/accounts/2fa/authenticate/", {"code": code})


# ---- the sign-in form and the token exchange share one lock ------------------------------------

def test_the_right_password_signs_in_on_the_form(partner_a_engineer):
    assert signed_in(form_sign_in(partner_a_engineer.email, PASSWORD))


def test_an_account_locked_on_the_form_gets_no_token_even_with_the_right_password(partner_a_engineer):
    for _ in range(LIMIT):
        assert not signed_in(form_sign_in(partner_a_engineer.email, "wrong-password"))

    response = obtain_token(partner_a_engineer.email.upper())

    assert response.status_code == 429
    assert response.json() == {"detail": "Too many failed sign-ins for this account; try again later.",
                               "code": "account_locked"}
    assert not ApiToken.objects.exists()


def test_an_account_locked_through_the_api_cannot_sign_in_on_the_form(partner_a_engineer):
    for _ in range(LIMIT):
        assert obtain_token(partner_a_engineer.email, "wrong-password").status_code == 400

    client = Client(REMOTE_ADDR=an_address())
    with tenant_context(read_context()):
        response = client.post("/accounts/login/", {"login": partner_a_engineer.email, "password": PASSWORD})

    assert response.status_code == 200 and not signed_in(client)
    assert "Too many failed login attempts" in response.content.decode()


def test_failures_below_the_limit_do_not_lock(partner_a_engineer):
    for _ in range(LIMIT - 1):
        obtain_token(partner_a_engineer.email, "wrong-password")

    assert obtain_token(partner_a_engineer.email).status_code == 201


def test_a_lock_is_per_account(partner_a_engineer, partner_a_admin):
    for _ in range(LIMIT):
        obtain_token(partner_a_engineer.email, "wrong-password")

    assert account_locked(partner_a_engineer.email)
    assert obtain_token(partner_a_admin.email).status_code == 201
    assert signed_in(form_sign_in(partner_a_admin.email, PASSWORD))


def test_the_lock_lifts_after_the_lockout_period(settings, partner_a_engineer):
    settings.POLYPLUS_SIGN_IN_LOCKOUT_SECONDS = 1
    for _ in range(LIMIT):
        obtain_token(partner_a_engineer.email, "wrong-password")
    assert obtain_token(partner_a_engineer.email).status_code == 429

    time.sleep(1.2)

    assert obtain_token(partner_a_engineer.email).status_code == 201


# ---- the two-factor step shares it too ---------------------------------------------------------

def test_the_right_code_completes_a_two_factor_sign_in(engineer_with_totp):
    client = form_sign_in(engineer_with_totp.email, PASSWORD)
    assert not signed_in(client)

    response = submit_code(client, current_code(engineer_with_totp.totp_secret))

    assert response.status_code == 302 and signed_in(client)


def test_wrong_codes_lock_the_account_for_the_code_the_form_and_the_api(engineer_with_totp):
    secret = engineer_with_totp.totp_secret
    client = form_sign_in(engineer_with_totp.email, PASSWORD)
    for _ in range(LIMIT):
        assert submit_code(client, wrong_code(secret)).status_code == 200

    response = submit_code(client, current_code(secret))

    assert response.status_code == 200 and not signed_in(client)
    assert "Too many failed login attempts" in response.content.decode()
    assert obtain_token(engineer_with_totp.email).status_code == 429
    assert not signed_in(form_sign_in(engineer_with_totp.email, PASSWORD))


def test_an_account_locked_through_the_api_is_refused_at_the_two_factor_step(engineer_with_totp):
    client = form_sign_in(engineer_with_totp.email, PASSWORD)
    for _ in range(LIMIT):
        obtain_token(engineer_with_totp.email, "wrong-password")

    response = submit_code(client, current_code(engineer_with_totp.totp_secret))

    assert response.status_code == 200 and not signed_in(client)


# ---- client addresses ---------------------------------------------------------------------------

def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "192.0.2.1"),                       # no trusted proxy: the header is ignored
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.9, 203.0.113.7", "203.0.113.7"),       # what the client wrote itself is left of it
        (2, "198.51.100.9, 203.0.113.7, 10.0.0.2", "203.0.113.7"),
        (2, "203.0.113.7", "192.0.2.1"),                       # fewer hops than proxies: the connection
        (1, "not-an-address", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(settings, proxies, forwarded, expected):
    settings.POLYPLUS_TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_from("192.0.2.1", forwarded)) == expected


def test_made_up_forwarded_addresses_do_not_evade_the_token_throttle(partner_a_engineer):
    client = APIClient(REMOTE_ADDR=an_address())

    answers = [
        client.post("/api/v1/auth/token/", {"email": f"nobody{n}@nordic.example", "password": "x"},
                    format="json", HTTP_X_FORWARDED_FOR=an_address()).status_code
        for n in range(11)
    ]

    assert answers[:10] == [400] * 10 and answers[10] == 429


def test_behind_one_trusted_proxy_each_client_address_has_its_own_throttle(settings, partner_a_engineer):
    settings.POLYPLUS_TRUSTED_PROXY_COUNT = 1
    proxy = an_address()
    first, second = an_address(), an_address()
    client = APIClient(REMOTE_ADDR=proxy)

    def attempt(address):
        email = f"nobody-{secrets.token_hex(4)}@nordic.example"  # a new one each time: no account lock
        return client.post("/api/v1/auth/token/", {"email": email, "password": "x"},
                           format="json", HTTP_X_FORWARDED_FOR=f"{an_address()}, {address}").status_code

    assert [attempt(first) for _ in range(10)] == [400] * 10
    assert attempt(first) == 429
    assert attempt(second) == 400


def test_made_up_forwarded_addresses_do_not_evade_the_sign_in_form_limit(db):
    client = Client(REMOTE_ADDR=an_address())
    for n in range(10):
        with tenant_context(read_context()):
            client.post("/accounts/login/", {"login": f"nobody{n}@nordic.example", "password": "x"},
                        HTTP_X_FORWARDED_FOR=an_address())

    with tenant_context(read_context()):
        response = client.post("/accounts/login/", {"login": "someone-new@nordic.example", "password": "x"},
                               HTTP_X_FORWARDED_FOR=an_address())

    assert "Too many failed login attempts" in response.content.decode()
