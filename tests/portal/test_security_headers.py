"""Content-Security-Policy on every page, and HTTPS settings with production defaults."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in header.split(";") if part.strip())}


@pytest.mark.parametrize("persona", ["poly_admin", "partner_a_admin", "partner_a_engineer", "customer_viewer",
                                     "csm"])
def test_every_dashboard_carries_a_policy_that_allows_no_inline_script(request, client_for, persona, site_a):
    response = client_for(request.getfixturevalue(persona)).get("/dashboard/")

    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline script would be blocked"
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler would be blocked"


def test_the_pages_own_style_element_carries_the_nonce_the_policy_names(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).get("/dashboard/")

    nonces = re.findall(r'<style nonce="([^"]+)"', response.content.decode())
    assert nonces and len(set(nonces)) == 1
    assert f"'nonce-{nonces[0]}'" in directives(response)["style-src"]
    assert "<style>" not in response.content.decode()
    assert Client().get("/dashboard/")["Content-Security-Policy"]  # also on the way to signing in


def test_the_nonce_is_new_for_every_response(client_for, partner_a_engineer):
    client = client_for(partner_a_engineer)
    first, second = (directives(client.get("/dashboard/"))["style-src"] for _ in range(2))
    assert first != second


def test_the_sign_in_page_carries_the_policy(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]


def test_an_http_request_is_redirected_to_https_when_the_redirect_is_on(settings, db):
    settings.SECURE_SSL_REDIRECT = True

    response = Client().get("/accounts/login/")

    assert response.status_code == 301 and response["Location"] == "https://testserver/accounts/login/"


def test_behind_a_trusted_proxy_its_https_counts_as_https(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000

    response = Client().get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_check_deploy_with_production_defaults_has_no_https_warnings():
    environment = {key: value for key, value in os.environ.items()
                   if not key.startswith("DJANGO_SECURE") and key != "DJANGO_DEBUG"}
    environment["DJANGO_SECRET_KEY"] = "a-long-production-like-secret-" + "x" * 40
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "CRITICAL"],
                            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for warning in ("security.W004", "security.W005", "security.W008", "security.W021", "security.W012",
                    "security.W016"):
        assert warning not in output, output
