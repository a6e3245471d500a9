"""The audit log page: a partner admin sees its own partner's changes, Poly staff all of them."""

import pytest

from polyplus.tenancy.context import read_context, tenant_context
from tests import factories


@pytest.fixture
def client_for(client_for):
    """A signed-in test client; signing it in leaves the test's own tenant context as it was."""

    def make(user):
        with tenant_context(read_context()):
            return client_for(user)

    return make


def audit_html(client) -> str:
    response = client.get("/audit/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_partner_admin_sees_its_own_partners_changes_only(client_for, partner_a_admin, customer_a, customer_b,
                                                            partner_b_engineer, site_b):
    html = audit_html(client_for(partner_a_admin))
    assert customer_a.name in html
    assert customer_b.name not in html
    assert partner_b_engineer.email not in html
    assert site_b.site_id not in html


def test_a_partner_admin_sees_who_of_its_own_people_changed_what(client_for, partner_a_admin, customer_a):
    client = client_for(partner_a_admin)
    client.post(f"/customers/{customer_a.pk}/edit/", {"name": "Volvo Cars Torslanda"})
    html = audit_html(client)
    row = html[html.index("Volvo Cars Torslanda") - 600:]
    assert "Changed" in row
    assert '<span class="before">Volvo Cars Göteborg</span>' in row
    assert '<span class="after">Volvo Cars Torslanda</span>' in row
    assert partner_a_admin.email in row


def test_changes_by_poly_staff_show_as_poly_staff_to_a_partner_admin(client_for, poly_admin, partner_a_admin,
                                                                     customer_a):
    client_for(poly_admin).post(f"/customers/{customer_a.pk}/edit/", {"name": "Renamed by Poly"})
    html = audit_html(client_for(partner_a_admin))
    assert "Renamed by Poly" in html
    assert "Poly staff" in html
    assert poly_admin.email not in html
    assert "test setup" not in html


def test_poly_staff_see_every_partners_changes_and_who_made_them(client_for, poly_admin, poly_support, customer_a,
                                                                 customer_b):
    client_for(poly_admin).post(f"/customers/{customer_b.pk}/edit/", {"name": "Orlen Płock Refinery"})
    html = audit_html(client_for(poly_support))
    assert customer_a.name in html
    assert "Orlen Płock Refinery" in html
    assert poly_admin.email in html


@pytest.mark.parametrize("persona", ["partner_a_engineer", "customer_viewer", "csm"])
def test_other_roles_may_not_read_the_audit_log(db, request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get("/audit/").status_code == 403


def test_the_audit_log_is_newest_first_and_paginated(client_for, partner_a_admin, partner_a):
    for n in range(60):
        factories.CustomerFactory(partner=partner_a, name=f"Audited {n:02d}")
    client = client_for(partner_a_admin)
    html = audit_html(client)
    assert html.index("Audited 59") < html.index("Audited 58")
    assert "Audited 00" not in html
    assert "Audited 00" in client.get("/audit/", {"page": 2}).content.decode()


def test_the_audit_log_costs_the_same_queries_for_3_or_30_events(client_for, partner_a_admin, partner_a,
                                                                django_assert_max_num_queries):
    for _ in range(3):
        factories.CustomerFactory(partner=partner_a)
    client = client_for(partner_a_admin)
    with django_assert_max_num_queries(20) as few:
        client.get("/audit/")
    for _ in range(27):
        factories.CustomerFactory(partner=partner_a)
    with django_assert_max_num_queries(20) as many:
        client.get("/audit/")
    assert len(many) == len(few)
