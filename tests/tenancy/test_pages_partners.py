"""Poly's partner pages: partners, their certifications per category, and their host names."""

import datetime
import re

import pytest
from django.utils import timezone

from polyplus.tenancy.models import Certification, Partner, PartnerDomain, ServiceCategory
from tests import factories


def field_html(response, name: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 10)
    return html[start:end if end != -1 else len(html)]


TODAY = timezone.localdate()


# ---- list and detail --------------------------------------------------------------------------

@pytest.mark.parametrize("persona", ["poly_admin", "poly_support", "escalation_manager"])
def test_poly_staff_list_partners_with_their_certification_flags(db, request, client_for, persona, partner_a,
                                                                 partner_b):
    factories.CertificationFactory(partner=partner_a, category=ServiceCategory.VOICE,
                                   certified_on=TODAY - datetime.timedelta(days=500),
                                   expires_on=TODAY - datetime.timedelta(days=10))
    response = client_for(request.getfixturevalue(persona)).get("/partners/")
    html = response.content.decode()
    assert response.status_code == 200
    assert partner_a.name in html and partner_b.name in html
    assert "Voice: lapsed" in html


def user_count_cell(html: str, partner_name: str) -> str:
    """The Users column of a partner's row in the partner table."""
    row = html[html.index(partner_name):]
    row = row[:row.index("</tr>")]
    return re.findall(r'<td class="num">(\d+)</td>', row)[-1]


@pytest.mark.parametrize("persona", ["poly_admin", "poly_support", "escalation_manager"])
@pytest.mark.parametrize("path", ["/partners/", "/dashboard/"])
def test_poly_staff_see_each_partners_real_count_of_active_users(db, request, client_for, persona, path, partner_a,
                                                                partner_b, partner_a_admin, partner_a_engineer,
                                                                customer_viewer, partner_b_engineer):
    factories.UserFactory(partner=partner_b, is_active=False)
    html = client_for(request.getfixturevalue(persona)).get(path).content.decode()
    assert user_count_cell(html, partner_a.name) == "3"
    assert user_count_cell(html, partner_b.name) == "1"


@pytest.mark.parametrize("persona", ["partner_a_admin", "partner_a_engineer", "customer_viewer", "csm"])
def test_people_outside_poly_support_and_admin_may_not_see_partner_pages(db, request, client_for, persona,
                                                                        partner_a):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/partners/").status_code == 403
    assert client.get(f"/partners/{partner_a.pk}/").status_code == 403


@pytest.mark.parametrize("persona", ["poly_admin", "poly_support"])
def test_the_partner_list_costs_the_same_queries_for_3_or_30_partners(db, request, client_for, persona,
                                                                     django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            customer = factories.CustomerFactory()
            factories.CertificationFactory(partner=customer.partner)
            factories.UserFactory(partner=customer.partner)

    add(3)
    client = client_for(request.getfixturevalue(persona))
    with django_assert_max_num_queries(20) as few:
        client.get("/partners/")
    add(27)
    with django_assert_max_num_queries(20) as many:
        client.get("/partners/")
    assert len(many) == len(few)


def test_poly_admin_sees_a_partners_certifications_domains_users_and_customers(client_for, poly_admin, partner_a,
                                                                              partner_a_engineer, customer_a):
    factories.CertificationFactory(partner=partner_a, category=ServiceCategory.HEADSET)
    PartnerDomain.objects.create(partner=partner_a, host="support.nordic.example")
    html = client_for(poly_admin).get(f"/partners/{partner_a.pk}/").content.decode()
    assert "Headsets and personal devices" in html
    assert "support.nordic.example" in html
    assert partner_a_engineer.email in html
    assert customer_a.name in html


def test_a_partners_page_stays_in_polys_own_brand(client_for, poly_admin, partner_a):
    html = client_for(poly_admin).get(f"/partners/{partner_a.pk}/").content.decode()
    assert "--brand-primary: #0b3d91" in html
    assert "#123456" in html  # the partner's colour shows in its brand preview only


def test_poly_support_sees_a_partner_without_the_admin_controls(client_for, poly_support, partner_a):
    html = client_for(poly_support).get(f"/partners/{partner_a.pk}/").content.decode()
    assert f"/partners/{partner_a.pk}/edit/" not in html
    assert f"/partners/{partner_a.pk}/certifications/" not in html


def test_a_missing_partner_is_not_found(client_for, poly_admin):
    assert client_for(poly_admin).get("/partners/987654/").status_code == 404


def test_the_partner_page_costs_the_same_queries_for_3_or_30_customers(client_for, poly_admin, partner_a,
                                                                      django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a))
            factories.UserFactory(partner=partner_a)

    add(3)
    client = client_for(poly_admin)
    with django_assert_max_num_queries(20) as few:
        client.get(f"/partners/{partner_a.pk}/")
    add(27)
    with django_assert_max_num_queries(20) as many:
        client.get(f"/partners/{partner_a.pk}/")
    assert len(many) == len(few)


# ---- create and edit --------------------------------------------------------------------------

def test_poly_admin_registers_a_partner_with_its_brand_colours(client_for, poly_admin):
    response = client_for(poly_admin).post("/partners/new/", {
        "name": "Baltic AV OÜ", "slug": "baltic-av", "display_name": "Baltic Care",
        "primary_color": "#003366", "accent_color": "#ffcc00",
    })
    partner = Partner.objects.get(slug="baltic-av")
    assert response.status_code == 302 and response["Location"] == f"/partners/{partner.pk}/"
    assert (partner.brand.display_name, partner.brand.primary_color) == ("Baltic Care", "#003366")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("slug", "Not A Slug", "Use lower-case letters, digits and hyphens."),
    ("name", "Nordic Collaboration AB", "A partner with this name exists."),
    ("slug", "nordic", "A partner with this slug exists."),
    ("primary_color", "blue", "Enter a colour as #RRGGBB."),
])
def test_bad_partner_input_is_an_error_next_to_its_field_and_writes_nothing(client_for, poly_admin, partner_a,
                                                                           field, value, message):
    before = Partner.objects.count()
    data = {"name": "Fresh AB", "slug": "fresh", "primary_color": "#003366", "accent_color": "#ffcc00", field: value}
    response = client_for(poly_admin).post("/partners/new/", data)
    assert response.status_code == 200
    assert message in field_html(response, field)
    assert Partner.objects.count() == before


def test_partner_admins_may_not_register_partners(client_for, partner_a_admin):
    before = Partner.objects.count()
    assert client_for(partner_a_admin).post("/partners/new/", {"name": "Mine", "slug": "mine",
                                                               "primary_color": "#000000",
                                                               "accent_color": "#000000"}).status_code == 403
    assert Partner.objects.count() == before


def test_poly_admin_edits_a_partner_and_its_colours_together(client_for, poly_admin, partner_a):
    response = client_for(poly_admin).post(f"/partners/{partner_a.pk}/edit/", {
        "name": "Nordic Collaboration Group AB", "slug": "nordic", "display_name": "Nordic",
        "primary_color": "#101010", "accent_color": "#202020",
    })
    assert response.status_code == 302
    partner_a.refresh_from_db()
    assert (partner_a.name, partner_a.is_active, partner_a.brand.primary_color) == (
        "Nordic Collaboration Group AB", False, "#101010")


def test_a_failed_partner_edit_changes_neither_the_partner_nor_its_colours(client_for, poly_admin, partner_a,
                                                                          partner_b):
    response = client_for(poly_admin).post(f"/partners/{partner_a.pk}/edit/", {
        "name": "Nordic", "slug": partner_b.slug, "is_active": "on", "display_name": "x",
        "primary_color": "#101010", "accent_color": "#202020",
    })
    assert "A partner with this slug exists." in field_html(response, "slug")
    partner_a.refresh_from_db()
    assert (partner_a.name, partner_a.slug, partner_a.brand.primary_color) == ("Nordic Collaboration AB", "nordic",
                                                                              "#123456")


# ---- certifications ---------------------------------------------------------------------------

def test_poly_admin_adds_then_renews_a_certification_per_category(client_for, poly_admin, partner_a):
    client = client_for(poly_admin)
    data = {"category": ServiceCategory.VIDEO, "certified_on": "2025-01-01", "expires_on": "2026-01-01"}
    assert client.post(f"/partners/{partner_a.pk}/certifications/", data).status_code == 302
    assert client.post(f"/partners/{partner_a.pk}/certifications/",
                       {**data, "expires_on": "2027-06-30"}).status_code == 302
    certification = Certification.objects.get(partner=partner_a)
    assert certification.expires_on == datetime.date(2027, 6, 30)


def test_a_certification_expiring_before_it_starts_is_an_error_next_to_the_expiry(client_for, poly_admin,
                                                                                  partner_a):
    response = client_for(poly_admin).post(f"/partners/{partner_a.pk}/certifications/", {
        "category": ServiceCategory.VIDEO, "certified_on": "2025-06-01", "expires_on": "2025-01-01",
    })
    assert response.status_code == 200
    assert "Must be on or after the certified on." in field_html(response, "expires_on")
    assert not Certification.objects.filter(partner=partner_a).exists()


def test_an_unknown_certification_category_is_refused(client_for, poly_admin, partner_a):
    response = client_for(poly_admin).post(f"/partners/{partner_a.pk}/certifications/", {
        "category": "teleportation", "certified_on": "2025-01-01", "expires_on": "2026-01-01",
    })
    assert "Select a valid choice." in field_html(response, "category")
    assert not Certification.objects.filter(partner=partner_a).exists()


def test_poly_admin_deletes_a_certification(client_for, poly_admin, partner_a):
    certification = factories.CertificationFactory(partner=partner_a)
    response = client_for(poly_admin).post(f"/certifications/{certification.pk}/delete/")
    assert response.status_code == 302
    assert not Certification.objects.filter(pk=certification.pk).exists()


def test_only_a_poly_admin_changes_certifications(client_for, poly_support, partner_a_admin, partner_a):
    certification = factories.CertificationFactory(partner=partner_a)
    for user in (poly_support, partner_a_admin):
        client = client_for(user)
        assert client.post(f"/partners/{partner_a.pk}/certifications/", {
            "category": ServiceCategory.VOICE, "certified_on": "2025-01-01", "expires_on": "2026-01-01",
        }).status_code == 403
        assert client.post(f"/certifications/{certification.pk}/delete/").status_code == 403
    assert Certification.objects.filter(partner=partner_a).count() == 1


def test_deleting_a_missing_certification_is_not_found(client_for, poly_admin):
    assert client_for(poly_admin).post("/certifications/424242/delete/").status_code == 404


# ---- host names -------------------------------------------------------------------------------

def test_poly_admin_adds_and_removes_a_host_name(client_for, poly_admin, partner_a):
    client = client_for(poly_admin)
    assert client.post(f"/partners/{partner_a.pk}/domains/", {"host": "Support.Nordic.example"}).status_code == 302
    domain = PartnerDomain.objects.get(partner=partner_a)
    assert domain.host == "support.nordic.example"
    assert client.post(f"/domains/{domain.pk}/delete/").status_code == 302
    assert not PartnerDomain.objects.filter(partner=partner_a).exists()


@pytest.mark.parametrize(("host", "message"), [
    ("not a host", "Enter a host name."),
    ("support.wisla.example", "This host name is already in use."),
])
def test_a_bad_or_taken_host_name_is_an_error_next_to_the_field(client_for, poly_admin, partner_a, partner_b,
                                                               host, message):
    PartnerDomain.objects.create(partner=partner_b, host="support.wisla.example")
    response = client_for(poly_admin).post(f"/partners/{partner_a.pk}/domains/", {"host": host})
    assert response.status_code == 200
    assert message in field_html(response, "host")
    assert not PartnerDomain.objects.filter(partner=partner_a).exists()


def test_only_a_poly_admin_changes_host_names(client_for, poly_support, partner_a):
    domain = PartnerDomain.objects.create(partner=partner_a, host="support.nordic.example")
    client = client_for(poly_support)
    assert client.post(f"/partners/{partner_a.pk}/domains/", {"host": "x.nordic.example"}).status_code == 403
    assert client.post(f"/domains/{domain.pk}/delete/").status_code == 403
    assert PartnerDomain.objects.filter(partner=partner_a).count() == 1


def test_poly_admin_sets_the_country_a_partner_trades_from(client_for, poly_admin, partner_a):
    response = client_for(poly_admin).post(f"/partners/{partner_a.pk}/edit/", {
        "name": partner_a.name, "slug": partner_a.slug, "is_active": "on", "country": "SE",
        "display_name": "Nordic", "primary_color": "#101010", "accent_color": "#202020",
    })
    assert response.status_code == 302
    partner_a.refresh_from_db()
    assert partner_a.country == "SE"


def test_an_unknown_partner_country_is_an_error_next_to_its_field(client_for, poly_admin):
    response = client_for(poly_admin).post("/partners/new/", {
        "name": "Fresh AB", "slug": "fresh", "country": "XX", "primary_color": "#003366", "accent_color": "#ffcc00",
    })
    assert response.status_code == 200
    assert "Select a valid choice" in field_html(response, "country")
    assert not Partner.objects.filter(slug="fresh").exists()
