"""The performance floor of the per-person queue views: on the realistic table of the RLS plan
test, "mine" and "unassigned" read an index and stop at the first page, as the app role."""

import json

import psycopg
import pytest
from django.db import connection

from polyplus.tenancy.context import TenantContext, staff_context, tenant_context
from polyplus.tenancy.models import Role
from tests import factories
from tests.tenancy.test_rls_plans import PAGE, SITES, case_rows_read, owner_dsn, seed_cases
from tickets import selectors


@pytest.fixture
def owned_queue(transactional_db):
    with staff_context(reason="test setup: a queue of realistic size, a fifth of it owned"):
        partners = [factories.PartnerFactory(), factories.PartnerFactory()]
        sites = [factories.SiteFactory(customer=factories.CustomerFactory(partner=partners[n % 2]))
                 for n in range(SITES)]
        poly = factories.PolyStaffFactory(role=Role.POLY_SUPPORT)
        colleague = factories.PolyStaffFactory(role=Role.POLY_SUPPORT)
        seed_cases(sites)
        with connection.cursor() as cursor:
            # Runs of 7 consecutive ids: the seeded statuses repeat every 20 ids with at most 4 closed in
            # a row, so every run holds open cases, whatever the id the sequence starts from.
            cursor.execute("UPDATE tickets_case SET owner_id = CASE WHEN (id / 7) %% 10 = 0 THEN %s ELSE %s END"
                           " WHERE (id / 7) %% 5 = 0", [poly.pk, colleague.pk])
    with psycopg.connect(owner_dsn(), autocommit=True) as owner:
        owner.execute("ANALYZE tickets_case, tenancy_site, tenancy_customer, tenancy_partner, tenancy_user")
    return poly


def plan_of(user, view: str) -> dict:
    with tenant_context(TenantContext(staff=True, user_id=user.pk)), connection.cursor() as cursor:
        page = selectors.case_queue(user, view=view)[:PAGE]
        sql, params = page.query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
        return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


@pytest.mark.parametrize("view", ["mine", "unassigned", "all"])
def test_each_queue_view_reads_an_index_and_stops_at_the_first_page(owned_queue, view):
    plan = plan_of(owned_queue, view)
    assert plan["Node Type"] == "Limit", json.dumps(plan, indent=1)
    assert case_rows_read(plan) < 20 * PAGE, json.dumps(plan, indent=1)


def test_the_counts_of_the_views_are_one_query(owned_queue, django_assert_num_queries):
    with tenant_context(TenantContext(staff=True, user_id=owned_queue.pk)), django_assert_num_queries(1):
        counts = selectors.queue_counts(owned_queue)
    with tenant_context(TenantContext(staff=True, user_id=owned_queue.pk)):
        expected = {"mine": selectors.case_queue(owned_queue, view="mine").count(),
                    "unassigned": selectors.case_queue(owned_queue, view="unassigned").count(),
                    "all": selectors.case_queue(owned_queue).count()}
    assert {key: counts[key] for key in expected} == expected
    assert 0 < counts["mine"] < counts["unassigned"] < counts["all"]
