"""The tenant context costs a request two statements: the sign-in lookup, then the person's
context; it is never read back, as the request is the whole transaction.

These run without the test's own transaction (transactional_db), as in production, where
the middleware's block is the whole transaction.
"""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Role
from polyplus.tenancy.services import api_token_create
from tests import factories


def context_statements(queries) -> list[str]:
    """The tenant context's own statements (pghistory's audit context rides on writes, not counted)."""
    return [q["sql"] for q in queries if "set_config('role'" in q["sql"] or "current_setting('app." in q["sql"]]


@pytest.fixture
def people(transactional_db):
    with staff_context(reason="test setup: people"):
        partner = factories.PartnerFactory()
        engineer = factories.UserFactory(partner=partner, role=Role.PARTNER_ENGINEER)
        support = factories.PolyStaffFactory(role=Role.POLY_SUPPORT)
        _, key = api_token_create(user=engineer, name="PSA")
    return engineer, support, key


@pytest.mark.parametrize("who", [0, 1])
def test_a_signed_in_page_sets_its_context_in_two_statements_and_reads_none(people, who):
    client = Client()
    with staff_context(reason="test setup: sign in"):
        client.force_login(people[who])
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    statements = context_statements(queries.captured_queries)
    assert len(statements) == 2, statements
    assert all("current_setting(" not in sql for sql in statements)


def test_an_api_call_with_a_token_sets_its_context_in_two_statements(people):
    _, _, key = people
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/customers/").status_code == 200
    statements = context_statements(queries.captured_queries)
    assert len(statements) == 2, "\n".join(q["sql"][:150] for q in queries.captured_queries)


def test_a_kept_connection_carries_no_context_into_the_next_request(people):
    """Connections live on between requests (CONN_MAX_AGE): the role and settings must not."""
    _, support, _ = people
    client = Client()
    with staff_context(reason="test setup: sign in"):
        client.force_login(support)
    assert client.get("/dashboard/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, current_setting('app.current_partner', true),"
                       " current_setting('app.current_user', true), count(*) FROM tenancy_partner")
        assert cursor.fetchone() == (connection.settings_dict["USER"], "", "", 0)
