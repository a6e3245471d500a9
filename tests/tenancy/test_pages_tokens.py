"""The API tokens page: a person lists, creates and revokes their own tokens."""

import hashlib
import re

import pytest

from polyplus.tenancy import services
from polyplus.tenancy.models import ApiToken


def test_a_person_lists_their_own_tokens_only(client_for, partner_a_engineer, partner_a_admin):
    services.api_token_create(user=partner_a_engineer, name="ServiceNow")
    services.api_token_create(user=partner_a_admin, name="Admin script")
    response = client_for(partner_a_engineer).get("/account/tokens/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "ServiceNow" in html
    assert "Admin script" not in html


def test_a_new_token_is_shown_once_with_a_copy_button_and_only_its_hash_is_kept(client_for, partner_a_engineer):
    client = client_for(partner_a_engineer)
    response = client.post("/account/tokens/", {"name": "Autotask"})
    html = response.content.decode()
    key = re.search(r'<code id="new-token-key">(pp_[^<]+)</code>', html).group(1)
    assert 'data-copy-target="new-token-key"' in html
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=partner_a_engineer)
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in client.get("/account/tokens/").content.decode()


def test_a_token_without_a_name_is_an_error_next_to_the_name(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).post("/account/tokens/", {"name": "   "})
    html = response.content.decode()
    assert response.status_code == 200
    assert "field-errors" in html[html.index('id="field-name"'):][:600]
    assert not ApiToken.objects.filter(user=partner_a_engineer).exists()


def test_a_person_revokes_their_own_token(client_for, partner_a_engineer):
    token, _ = services.api_token_create(user=partner_a_engineer, name="Old tool")
    response = client_for(partner_a_engineer).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("other", ["partner_a_admin", "partner_b_engineer", "poly_admin"])
def test_someone_elses_token_is_not_found_and_stays_active(db, request, client_for, partner_a_engineer, other):
    token, _ = services.api_token_create(user=partner_a_engineer, name="Mine")
    response = client_for(request.getfixturevalue(other)).post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(client_for, partner_a_engineer):
    token, _ = services.api_token_create(user=partner_a_engineer, name="Mine")
    assert client_for(partner_a_engineer).get(f"/account/tokens/{token.pk}/revoke/").status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/account/tokens/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_token_list_costs_the_same_queries_for_3_or_30_tokens(client_for, partner_a_engineer,
                                                                 django_assert_max_num_queries):
    for n in range(3):
        services.api_token_create(user=partner_a_engineer, name=f"tool {n}")
    client = client_for(partner_a_engineer)
    with django_assert_max_num_queries(20) as few:
        client.get("/account/tokens/")
    for n in range(27):
        services.api_token_create(user=partner_a_engineer, name=f"more {n}")
    with django_assert_max_num_queries(20) as many:
        client.get("/account/tokens/")
    assert len(many) == len(few)
