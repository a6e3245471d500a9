"""Row-level security the planner can use: on a seeded table of realistic shape, the largest
lists read an index and stop at one page, as the app role and under its policies.

The cases are committed (the statistics the planner reads come from ANALYZE, which only the
table's owner may run), then each list's own SQL is explained as the app role would run it.
"""

import json

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from polyplus.tenancy.context import TenantContext, staff_context, tenant_context
from polyplus.tenancy.models import Role
from tests import factories
from tickets import selectors

CASES = 20_000
SITES = 20
PAGE = 25


def owner_dsn() -> str:
    owner = settings.DATABASE_OWNER
    return psycopg.conninfo.make_conninfo(
        dbname=connection.settings_dict["NAME"], user=owner["USER"], password=owner.get("PASSWORD") or "",
        host=owner.get("HOST") or "", port=owner.get("PORT") or "",
    )


def seed_cases(sites) -> None:
    """CASES cases over the sites, 45% open, due times spread over a month (one statement)."""
    with connection.cursor() as cursor:
        for index, site in enumerate(sites):
            cursor.execute(
                """
                INSERT INTO tickets_case (partner_id, customer_id, site_id, number, category, severity, subject,
                    description, status, source, hardware_replacement, health_alert_kind, entitled,
                    entitlement_reason, entitlement_explanation, entitlement_flags, offering, opened_at,
                    escalation_level, first_response_due, resolution_due, next_due_at, priority)
                SELECT %(partner)s, %(customer)s, %(site)s, 'PLAN-' || %(index)s || '-' || n, 'video', 1 + n %% 4,
                    'Seeded', '', (ARRAY['new','in_progress','waiting_on_partner','resolved','closed',
                                         'closed','resolved','new','closed','resolved',
                                         'closed','in_progress','closed','resolved','closed',
                                         'resolved','waiting_on_partner','closed','resolved','new'])[1 + n %% 20],
                    'portal', false, '', true, 'covered', '', '[]', 'poly_plus',
                    now() - make_interval(mins => n), 1, now() + make_interval(mins => n %% 43200),
                    now() + make_interval(mins => n %% 43200 + 600), now() + make_interval(mins => n %% 43200),
                    n %% 2
                FROM generate_series(1, %(count)s) AS n
                """,
                {"partner": site.partner_id, "customer": site.customer_id, "site": site.pk, "index": index,
                 "count": CASES // len(sites)},
            )


def case_scans(plan: dict) -> list[dict]:
    found = [plan] if plan.get("Relation Name") == "tickets_case" else []
    for child in plan.get("Plans", []):
        found += case_scans(child)
    return found


def case_rows_read(plan: dict) -> int:
    """Rows the plan took out of tickets_case, over every node that scans it."""
    total = 0
    if plan.get("Relation Name") == "tickets_case":
        total += plan["Actual Rows"] * plan.get("Actual Loops", 1) + plan.get("Rows Removed by Filter", 0)
    for child in plan.get("Plans", []):
        total += case_rows_read(child)
    return total


@pytest.fixture
def seeded_queue(transactional_db):
    with staff_context(reason="test setup: a queue of realistic size"):
        partners = [factories.PartnerFactory(), factories.PartnerFactory()]
        sites = [factories.SiteFactory(customer=factories.CustomerFactory(partner=partners[n % 2]))
                 for n in range(SITES)]
        poly = factories.PolyStaffFactory(role=Role.POLY_SUPPORT)
        engineer = factories.UserFactory(role=Role.PARTNER_ENGINEER, partner=partners[0])
        seed_cases(sites)
    with psycopg.connect(owner_dsn(), autocommit=True) as owner:  # the committed rows' statistics
        owner.execute("ANALYZE tickets_case, tenancy_site, tenancy_customer, tenancy_partner")
    return poly, engineer


def plan_of_first_page(user, *, as_staff: bool) -> dict:
    context = TenantContext(staff=as_staff, partner_id=None if as_staff else user.partner_id, user_id=user.pk)
    with tenant_context(context), connection.cursor() as cursor:
        page = selectors.case_queue(user)[:PAGE]
        sql, params = page.query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        document = cursor.fetchone()[0]
        return (json.loads(document) if isinstance(document, str) else document)[0]["Plan"]


def test_the_queue_and_a_partners_list_read_an_index_and_stop_at_the_first_page(seeded_queue):
    poly, engineer = seeded_queue
    staff_plan = plan_of_first_page(poly, as_staff=True)
    assert staff_plan["Node Type"] == "Limit"
    # The planner knows most open cases pass the policy (an estimate of one row made it sort them all).
    assert [scan["Plan Rows"] >= 1000 for scan in case_scans(staff_plan)] == [True], json.dumps(staff_plan)
    assert case_rows_read(staff_plan) < 20 * PAGE, json.dumps(staff_plan, indent=1)  # not the 9,000 open cases

    partner_plan = plan_of_first_page(engineer, as_staff=False)
    assert partner_plan["Node Type"] == "Limit"
    assert [scan["Plan Rows"] >= 1000 for scan in case_scans(partner_plan)] == [True], json.dumps(partner_plan)
    # At most this partner's open cases (4,500 of the 9,000 open), never the other partner's or the closed ones.
    assert case_rows_read(partner_plan) <= CASES * 0.45 / 2 + PAGE, json.dumps(partner_plan, indent=1)
