"""Query counts of the list endpoints are pinned, and do not grow with the rows listed.

The count of one request is mostly fixed overhead: the tenancy middleware's savepoints and
context switches (`set_config`, with the audit context pghistory attaches to each), then
the page count and the page itself (partners: one more, for their host names).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from polyplus.tenancy import services
from polyplus.tenancy.models import PartnerDomain, Role
from tests import factories


def add_partners(n, **_):
    for _ in range(n):
        partner = factories.PartnerFactory()
        PartnerDomain.objects.create(partner=partner, host=f"support.{partner.slug}.example")
        factories.CertificationFactory(partner=partner)


def add_customers(n, *, partner, csm=None, **_):
    for _ in range(n):
        customer = factories.CustomerFactory(partner=partner)
        factories.CsmAssignmentFactory(customer=customer, **({"csm": csm} if csm else {}))


def add_sites(n, *, partner, **_):
    customer = factories.CustomerFactory(partner=partner)
    for _ in range(n):
        factories.SiteFactory(customer=customer)


def add_users(n, *, partner, **_):
    customer = factories.CustomerFactory(partner=partner)
    for i in range(n):
        if i % 2:
            factories.CustomerViewerFactory(customer=customer)
        else:
            factories.UserFactory(partner=partner, role=Role.PARTNER_ENGINEER)


def add_tokens(n, *, actor, **_):
    for i in range(n):
        services.api_token_create(user=actor, name=f"tool {i}")


def add_certifications(n, *, partner, **_):
    for category in ("video", "voice", "headset")[:n]:
        factories.CertificationFactory(partner=partner, category=category)


# (list path, who asks, how rows are added, the pinned number of queries)
CASES = [
    ("partners/", "poly_admin", add_partners, 9),
    ("partners/", "poly_support", add_partners, 9),
    ("customers/", "partner_a_admin", add_customers, 8),
    ("customers/", "poly_admin", add_customers, 8),
    ("customers/", "csm", add_customers, 8),
    ("sites/", "partner_a_engineer", add_sites, 8),
    ("sites/", "poly_support", add_sites, 8),
    ("users/", "partner_a_admin", add_users, 8),
    ("users/", "poly_admin", add_users, 8),
    ("tokens/", "partner_a_engineer", add_tokens, 8),
]


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(captured.captured_queries), response.json()["count"]


@pytest.mark.parametrize(("path", "persona", "add_rows", "pinned"), CASES,
                         ids=[f"{path}-{persona}" for path, persona, _, _ in CASES])
def test_a_list_costs_the_same_queries_for_3_rows_as_for_30(request, db, api_for, partner_a, path, persona,
                                                           add_rows, pinned, django_assert_max_num_queries):
    actor = request.getfixturevalue(persona)
    client = api_for(actor)
    add_rows(3, partner=partner_a, actor=actor, csm=actor if persona == "csm" else None)
    few, few_count = queries_for(client, f"/api/v1/{path}")

    add_rows(27, partner=partner_a, actor=actor, csm=actor if persona == "csm" else None)
    with django_assert_max_num_queries(pinned):
        many, many_count = queries_for(client, f"/api/v1/{path}")

    assert many_count >= few_count + 27
    assert many == few


def test_certifications_of_a_partner_cost_a_fixed_number_of_queries(api_for, partner_a_engineer, partner_a,
                                                                    django_assert_max_num_queries):
    add_certifications(3, partner=partner_a)
    client = api_for(partner_a_engineer)
    with django_assert_max_num_queries(8):
        response = client.get(f"/api/v1/partners/{partner_a.pk}/certifications/")
    assert len(response.json()) == 3
