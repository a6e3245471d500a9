"""In-process: the SQL statements each measured request runs, and the plans of the two big lists.

Each endpoint is requested once to warm up, then once more through Django's test client
(the whole middleware stack, the same session or token as the load) while every
statement is captured. The case lists' page query and COUNT, exactly as captured, are then
run under EXPLAIN ANALYZE as the app role, inside the same person's tenant context.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from polyplus.bench.endpoints import STAFF, TOKEN, Endpoint, endpoints_for
from polyplus.tenancy.context import SIGN_IN, tenant_context, user_context
from polyplus.tenancy.models import User

EXPLAINED = {"partner_cases": "partner engineer's case list", "queue": "Poly queue, first page"}


def request_once(endpoint: Endpoint, seeded: dict) -> tuple[int, list[str]]:
    client = Client(HTTP_HOST="127.0.0.1")
    extra = {}
    if endpoint.auth == TOKEN:
        extra["HTTP_AUTHORIZATION"] = f"Token {seeded['engineer_token']}"
    else:
        client.cookies[settings.SESSION_COOKIE_NAME] = seeded[f"{endpoint.who}_session"]
    path = endpoint.url_path(seeded)
    client.get(path, **extra)  # warm: the first request fills per-process caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    return response.status_code, [query["sql"] for query in captured.captured_queries]


def case_list_queries(statements: list[str]) -> dict[str, str]:
    """The page query and the paginator's COUNT among a case list's statements."""
    found = {}
    for sql in statements:
        if 'FROM "tickets_case"' not in sql:
            continue
        if "COUNT(*)" in sql and "count" not in found:
            found["count"] = sql
        elif " LIMIT " in sql and "page" not in found:
            found["page"] = sql
    return found


def explain(user: User, sql: str) -> str:
    with transaction.atomic(), user_context(user, reason="benchmark plan"), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    return plan


def user_by_email(email: str) -> User:
    with tenant_context(SIGN_IN):  # as sign-in finds a person, before any tenant is known
        return User.objects.get(email=email)


def probe(seeded: dict) -> dict:
    results, plans = {}, {}
    for endpoint in endpoints_for(seeded["scale"]):
        status, statements = request_once(endpoint, seeded)
        results[endpoint.key] = {"status": status, "statements": len(statements), "sql": statements}
        if endpoint.key not in EXPLAINED:
            continue
        person = user_by_email(seeded["staff_email" if endpoint.who == STAFF else "engineer_email"])
        for part, sql in case_list_queries(statements).items():
            plans[f"{endpoint.key}_{part}"] = {"title": f"{EXPLAINED[endpoint.key]}: {part} query",
                                               "sql": sql, "plan": explain(person, sql)}
    return {"endpoints": results, "plans": plans}
