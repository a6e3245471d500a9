"""`manage.py create_api_token`: a new token, printed once, made in an explicit staff context."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from polyplus.tenancy.context import NO_TENANT, read_context, tenant_context
from polyplus.tenancy.models import ApiToken
from polyplus.tenancy.selectors import audit_events_visible_to


def create_api_token(*args) -> str:
    out = StringIO()
    # A command starts with no tenant context; it must set its own.
    with tenant_context(NO_TENANT):
        call_command("create_api_token", *args, stdout=out)
        assert read_context() == NO_TENANT
    return out.getvalue().strip()


def test_it_prints_a_working_token_for_the_user(partner_a_engineer, customer_a, customer_b):
    key = create_api_token(partner_a_engineer.email.upper(), "--name", "ServiceNow")

    token = ApiToken.objects.get()
    assert (token.user, token.name, token.partner_id) == (partner_a_engineer, "ServiceNow", customer_a.partner_id)
    response = APIClient().get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["results"]] == [customer_a.pk]


def test_it_works_for_poly_staff_too(poly_support):
    key = create_api_token(poly_support.email)
    assert ApiToken.objects.get().name == "command line"
    assert APIClient().get("/api/v1/tokens/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_it_records_the_staff_context_and_its_reason_in_the_audit_log(partner_a_engineer, poly_admin):
    create_api_token(partner_a_engineer.email)
    event = audit_events_visible_to(poly_admin).filter(pgh_obj_model="tenancy.ApiToken").get()
    assert event.pgh_context["staff_context"] is True
    assert "create_api_token" in event.pgh_context["reason"]


def test_it_refuses_an_unknown_email(db):
    with pytest.raises(CommandError, match="No user"):
        create_api_token("nobody@nowhere.example")
    assert not ApiToken.objects.exists()


def test_it_refuses_an_inactive_user_or_a_blank_name(partner_a_engineer):
    with pytest.raises(CommandError, match="name"):
        create_api_token(partner_a_engineer.email, "--name", "   ")
    partner_a_engineer.is_active = False
    partner_a_engineer.save()
    with pytest.raises(CommandError, match="inactive"):
        create_api_token(partner_a_engineer.email)
    assert not ApiToken.objects.exists()
