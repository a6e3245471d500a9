"""The cases/ list (the partner's list and Poly's queue) and a case's replies cost a fixed number of
queries whatever the row count (see tests/tenancy/test_api_queries.py for one request's overhead)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import Offering
from tests import factories
from tests.tickets import cover, open_case
from tickets import services


def add_cases(n, *, engineer, site, **_):
    for i in range(n):
        case = open_case(engineer, site, severity=1 + i % 4, hardware_replacement=i % 3 == 0,
                         serial=f"SEGOT{i % 3:04d}" if i % 3 == 0 else "")
        if i % 5 == 0:
            services.case_transition(by=engineer, case=case, to_status="resolved")


def add_comments(n, *, engineer, case, poly_support, **_):
    for i in range(n):
        services.case_comment_add(by=poly_support if i % 2 else engineer, case=case, body=f"Reply {i}",
                                  internal=i % 4 == 1)


# (path, who asks, how rows are added, the pinned number of queries)
CASES = [
    ("cases/", "partner_a_engineer", add_cases, 9),
    ("cases/", "customer_viewer", add_cases, 9),
    ("cases/", "poly_support", add_cases, 9),
    ("cases/", "csm", add_cases, 9),
    ("cases/?breached=false&search=Codec&status=new", "poly_support", add_cases, 9),
    ("cases/{case}/comments/", "partner_a_engineer", add_comments, 11),
    ("cases/{case}/comments/", "poly_support", add_comments, 11),
]


def queries_for(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()["count"]


@pytest.mark.parametrize(("path", "persona", "add_rows", "pinned"), CASES,
                         ids=[f"{path}-{persona}" for path, persona, _, _ in CASES])
def test_a_list_costs_the_same_queries_for_3_rows_as_for_30(request, api_for, site_a, partner_a_engineer, poly_support,
                                                           path, persona, add_rows, pinned):
    actor = request.getfixturevalue(persona)
    if persona == "csm":
        factories.CsmAssignmentFactory(customer=site_a.customer, csm=actor)
    cover(site_a, offering=Offering.POLY_PLUS)
    for i in range(3):
        factories.DeviceFactory(site=site_a, serial=f"SEGOT{i:04d}")
    case = open_case(partner_a_engineer, site_a)
    url = "/api/v1/" + path.format(case=case.pk)
    client = api_for(actor)
    rows = {"engineer": partner_a_engineer, "site": site_a, "case": case, "poly_support": poly_support}
    add_rows(3, **rows)
    few, few_count = queries_for(client, url)

    add_rows(27, **rows)
    many, many_count = queries_for(client, url)

    assert many_count > few_count
    assert many == few == pinned, (few, many)
