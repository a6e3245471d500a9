"""One dashboard per persona: its own data, never another partner's."""

import datetime

import pytest
from django.utils import timezone

from polyplus.tenancy.models import Role, ServiceCategory
from tests import factories


def dashboard_html(client_for, user) -> str:
    response = client_for(user).get("/dashboard/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("persona", [
    "poly_admin", "poly_support", "escalation_manager", "csm",
    "partner_a_admin", "partner_a_engineer", "customer_viewer",
])
def test_each_persona_lands_on_its_own_dashboard(request, client_for, persona, customer_a, customer_b):
    user = request.getfixturevalue(persona)
    html = dashboard_html(client_for, user)
    assert f'<main class="page" id="content" data-dashboard="{user.role}">' in html
    assert "<h1>" in html


def test_the_root_address_redirects_to_the_dashboard(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_poly_admin_sees_partners_expiring_certifications_and_user_counts(client_for, poly_admin, partner_a,
                                                                          partner_b, partner_a_engineer):
    today = timezone.localdate()
    factories.CertificationFactory(partner=partner_a, category=ServiceCategory.VIDEO,
                                   certified_on=today - datetime.timedelta(days=300),
                                   expires_on=today + datetime.timedelta(days=20))
    factories.CertificationFactory(partner=partner_b, category=ServiceCategory.VOICE,
                                   certified_on=today - datetime.timedelta(days=400),
                                   expires_on=today - datetime.timedelta(days=3))
    factories.CertificationFactory(partner=partner_b, category=ServiceCategory.HEADSET)
    html = dashboard_html(client_for, poly_admin)
    assert partner_a.name in html and partner_b.name in html
    assert "Expires in 20 days" in html
    assert "Lapsed" in html
    assert "Partner engineer" in html
    assert "/partners/new/" in html


def test_poly_support_sees_certification_flags_lapsed_certifications_and_recent_changes(
        client_for, poly_support, partner_a, partner_b, customer_a):
    today = timezone.localdate()
    factories.CertificationFactory(partner=partner_b, category=ServiceCategory.VIDEO,
                                   certified_on=today - datetime.timedelta(days=400),
                                   expires_on=today - datetime.timedelta(days=1))
    html = dashboard_html(client_for, poly_support)
    assert "Video: lapsed" in html
    assert partner_a.name in html
    assert "Recent changes" in html
    assert customer_a.name in html  # the customer's creation is a recent audit event
    assert "case queue" not in html.lower()


def test_escalation_manager_shares_the_support_dashboard(client_for, escalation_manager, partner_a):
    html = dashboard_html(client_for, escalation_manager)
    assert "Escalation manager" in html
    assert partner_a.name in html


def test_csm_sees_only_assigned_customers_with_partner_and_site_count(client_for, csm, customer_a, customer_b):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    factories.SiteFactory(customer=customer_a)
    factories.SiteFactory(customer=customer_a)
    html = dashboard_html(client_for, csm)
    assert customer_a.name in html
    assert customer_a.partner.name in html
    assert customer_b.name not in html


def test_partner_admin_sees_its_customers_users_certifications_and_brand(client_for, partner_a_admin,
                                                                         partner_a_engineer, customer_a,
                                                                         customer_b, partner_a):
    factories.CertificationFactory(partner=partner_a, category=ServiceCategory.HEADSET)
    html = dashboard_html(client_for, partner_a_admin)
    assert customer_a.name in html
    assert partner_a_engineer.email in html
    assert "Headsets and personal devices" in html
    assert "Your brand" in html and "#123456" in html
    assert customer_b.name not in html
    assert customer_b.partner.name not in html


def test_partner_engineer_sees_its_customers_and_a_site_search_box(client_for, partner_a_engineer, customer_a,
                                                                   customer_b):
    html = dashboard_html(client_for, partner_a_engineer)
    assert customer_a.name in html
    assert 'hx-get="/sites/search/"' in html
    assert customer_b.name not in html


def test_customer_viewer_sees_its_sites_and_the_partners_support_contacts_under_the_partner_brand(
        client_for, customer_viewer, site_a, site_b, customer_a, partner_a, csm):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    brand = partner_a.brand
    brand.display_name, brand.support_email, brand.support_phone = "Nordic Care", "help@nordic.example", "+46 8 123"
    brand.save()
    other_site_same_partner = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a))
    html = dashboard_html(client_for, customer_viewer)
    assert site_a.site_id in html
    assert "help@nordic.example" in html and "+46 8 123" in html
    assert "Nordic Care" in html
    assert "--brand-primary: #123456" in html
    assert site_b.site_id not in html and other_site_same_partner.site_id not in html
    assert csm.email not in html and csm.full_name not in html
    assert "Poly" not in html


def test_the_dashboard_costs_the_same_queries_for_3_or_30_customers(client_for, partner_a_admin, partner_a,
                                                                    django_assert_max_num_queries):
    for _ in range(3):
        factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a))
    client = client_for(partner_a_admin)
    with django_assert_max_num_queries(25) as few:
        client.get("/dashboard/")
    for _ in range(27):
        factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a))
    with django_assert_max_num_queries(25) as many:
        client.get("/dashboard/")
    assert len(many) == len(few)


@pytest.mark.parametrize("role", [Role.POLY_ADMIN, Role.POLY_SUPPORT])
def test_poly_dashboards_cost_the_same_queries_for_3_or_30_partners(db, client_for, role, monkeypatch,
                                                                   django_assert_max_num_queries):
    # The latest-changes card names its rows with one query per kind of row among its 8 events;
    # which tables' events come last within one transaction follows their id sequences (so the
    # tests run before this one), not the partner count: that card is left out of the comparison.
    from polyplus.tenancy import selectors

    newest = selectors.audit_events_newest_first
    monkeypatch.setattr(selectors, "audit_events_newest_first", lambda user: newest(user).none())
    staff = factories.PolyStaffFactory(role=role)
    for _ in range(3):
        factories.CertificationFactory(partner=factories.CustomerFactory().partner)
    client = client_for(staff)
    with django_assert_max_num_queries(30) as few:
        client.get("/dashboard/")
    for _ in range(27):
        factories.CertificationFactory(partner=factories.CustomerFactory().partner)
    with django_assert_max_num_queries(30) as many:
        client.get("/dashboard/")
    assert len(many) == len(few)


def test_the_customers_landing_names_a_brand_ending_in_support_without_doubling_the_word(
        client_for, customer_viewer, site_a, partner_a):
    brand = partner_a.brand
    brand.display_name = "Nordic Collaboration Support"
    brand.save()
    html = dashboard_html(client_for, customer_viewer)
    assert "Nordic Collaboration Support" in html
    assert "support support" not in html.lower()
