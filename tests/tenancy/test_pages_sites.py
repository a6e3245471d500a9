"""Site pages: add and edit a customer's sites; isolation and every kind of bad input."""

import re

import pytest

from polyplus.tenancy.models import Site
from tests import factories

GOOD = {"site_id": "se-sto-042", "name": "Stockholm HQ", "address": "Kungsgatan 1\n111 43 Stockholm",
        "country": "SE", "subdivision": "se-ab", "timezone": "Europe/Stockholm"}


def field_html(response, name: str) -> str:
    """The rendered field group of one form field: its label, input and errors."""
    html = response.content.decode()
    start = html.index(f'id="field-{name}"')
    return html[start:html.index('<div class="field', start + 10) if '<div class="field' in html[start + 10:]
                else len(html)]


def test_partner_admin_gets_the_site_form_with_country_and_time_zone_selects(client_for, partner_a_admin,
                                                                             customer_a):
    response = client_for(partner_a_admin).get(f"/customers/{customer_a.pk}/sites/new/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="SE">Sweden</option>' in html
    assert '<option value="Europe/Stockholm">Europe/Stockholm</option>' in html
    assert 'hx-get="/sites/subdivisions/"' in html


def test_partner_admin_adds_a_site_to_its_customer(client_for, partner_a_admin, customer_a):
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/sites/new/", GOOD)
    assert response.status_code == 302
    site = Site.objects.get(site_id="SE-STO-042")
    assert (site.customer, site.partner_id, site.subdivision) == (customer_a, customer_a.partner_id, "SE-AB")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("country", "XX", "Select a valid choice."),
    ("timezone", "Mars/Olympus_Mons", "Select a valid choice."),
    ("subdivision", "PL-14", "is not an ISO 3166-2 subdivision of SE"),
    ("site_id", "no spaces", "Use 3–40 capital letters, digits and hyphens."),
    ("name", "", "This field is required."),
])
def test_bad_site_input_is_an_error_next_to_its_field_and_writes_nothing(client_for, partner_a_admin, customer_a,
                                                                        field, value, message):
    before = Site.objects.count()
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/sites/new/", {**GOOD, field: value})
    assert response.status_code == 200
    assert message in field_html(response, field)
    assert Site.objects.count() == before


def test_a_site_id_taken_by_the_same_partner_is_an_error_next_to_the_site_id(client_for, partner_a_admin,
                                                                             customer_a, site_a):
    before = Site.objects.count()
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/sites/new/",
                                                {**GOOD, "site_id": site_a.site_id})
    assert "This Site ID is already in use." in field_html(response, "site_id")
    assert Site.objects.count() == before


def test_a_site_id_held_by_another_partner_is_refused_without_naming_the_owner(client_for, partner_a_admin,
                                                                               customer_a, site_b):
    before = Site.objects.count()
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/sites/new/",
                                                {**GOOD, "site_id": site_b.site_id.lower()})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This Site ID is already in use." in field_html(response, "site_id")
    assert site_b.customer.name not in html
    assert site_b.partner.name not in html
    assert site_b.name not in html
    assert Site.objects.count() == before


def test_partner_admin_edits_a_site_found_by_its_site_id(client_for, partner_a_admin, site_a):
    client = client_for(partner_a_admin)
    assert client.get(f"/sites/{site_a.site_id}/edit/").status_code == 200
    response = client.post(f"/sites/{site_a.site_id}/edit/", {**GOOD, "site_id": site_a.site_id,
                                                                "timezone": "Europe/Berlin", "country": "DE",
                                                                "subdivision": "DE-BE"})
    assert response.status_code == 302
    site_a.refresh_from_db()
    assert (site_a.country, site_a.timezone, site_a.subdivision) == ("DE", "Europe/Berlin", "DE-BE")


def test_an_invalid_edit_leaves_the_site_unchanged(client_for, partner_a_admin, site_a, site_b):
    response = client_for(partner_a_admin).post(f"/sites/{site_a.site_id}/edit/", {**GOOD, "site_id": site_b.site_id})
    assert response.status_code == 200
    assert "This Site ID is already in use." in field_html(response, "site_id")
    site_a.refresh_from_db()
    assert site_a.site_id == "SE-GOT-001"


def test_another_partners_site_and_customer_are_not_found(client_for, partner_b_admin, customer_a, site_a):
    client = client_for(partner_b_admin)
    before = Site.objects.count()
    assert client.get(f"/sites/{site_a.site_id}/edit/").status_code == 404
    assert client.post(f"/sites/{site_a.site_id}/edit/", {**GOOD, "site_id": site_a.site_id}).status_code == 404
    assert client.get(f"/customers/{customer_a.pk}/sites/new/").status_code == 404
    assert client.post(f"/customers/{customer_a.pk}/sites/new/", GOOD).status_code == 404
    assert Site.objects.count() == before


def test_a_partner_engineer_may_not_add_or_edit_sites(client_for, partner_a_engineer, customer_a, site_a):
    client = client_for(partner_a_engineer)
    assert client.get(f"/customers/{customer_a.pk}/sites/new/").status_code == 403
    assert client.post(f"/customers/{customer_a.pk}/sites/new/", GOOD).status_code == 403
    assert client.post(f"/sites/{site_a.site_id}/edit/", GOOD).status_code == 403
    assert not Site.objects.filter(site_id="SE-STO-042").exists()


def test_poly_admin_adds_a_site_to_any_partners_customer(client_for, poly_admin, customer_b):
    response = client_for(poly_admin).post(f"/customers/{customer_b.pk}/sites/new/",
                                           {**GOOD, "site_id": "PL-WAW-001", "country": "PL", "subdivision": "",
                                            "timezone": "Europe/Warsaw"})
    assert response.status_code == 302
    assert Site.objects.get(site_id="PL-WAW-001").partner_id == customer_b.partner_id


def test_the_subdivision_suggestions_follow_the_country(client_for, partner_a_admin):
    html = client_for(partner_a_admin).get("/sites/subdivisions/", {"country": "SE"},
                                           HTTP_HX_REQUEST="true").content.decode()
    assert '<option value="SE-AB">' in html
    assert "PL-14" not in html


def test_an_unknown_country_has_no_subdivision_suggestions(client_for, partner_a_admin):
    response = client_for(partner_a_admin).get("/sites/subdivisions/", {"country": "<script>"})
    assert response.status_code == 200
    assert "<option" not in response.content.decode()


def test_a_site_with_an_unlisted_time_zone_can_still_be_edited(client_for, partner_a_admin, customer_a):
    site = factories.SiteFactory(customer=customer_a, timezone="Etc/GMT-2")
    html = client_for(partner_a_admin).get(f"/sites/{site.site_id}/edit/").content.decode()
    assert '<option value="Etc/GMT-2" selected>' in html


# ---- a taken Site ID is reported on the first submit, with the other errors --------------------

@pytest.mark.parametrize("taken", ["site_a", "site_b"])
def test_a_taken_site_id_is_reported_together_with_the_forms_other_errors(request, client_for, partner_a_admin,
                                                                          customer_a, taken):
    site = request.getfixturevalue(taken)
    before = Site.objects.count()
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/sites/new/",
                                                {**GOOD, "site_id": site.site_id, "name": "", "country": "XX"})
    assert response.status_code == 200
    assert "This Site ID is already in use." in field_html(response, "site_id")
    assert "This field is required." in field_html(response, "name")
    assert "Select a valid choice." in field_html(response, "country")
    assert Site.objects.count() == before


def test_a_taken_site_id_is_reported_together_with_the_services_errors(client_for, partner_a_admin, customer_a,
                                                                      site_b):
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/sites/new/",
                                                {**GOOD, "site_id": site_b.site_id, "subdivision": "PL-14"})
    assert "This Site ID is already in use." in field_html(response, "site_id")
    assert "is not an ISO 3166-2 subdivision of SE" in field_html(response, "subdivision")


def test_checking_a_site_id_writes_nothing_not_even_history(client_for, partner_a_admin, customer_a):
    from pghistory.models import Events

    before = (Site.objects.count(), Events.objects.filter(pgh_obj_model="tenancy.Site").count())
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/sites/new/",
                                                {**GOOD, "site_id": "SE-NEW-001", "name": ""})
    assert "This Site ID is already in use." not in response.content.decode()
    assert (Site.objects.count(), Events.objects.filter(pgh_obj_model="tenancy.Site").count()) == before


def test_a_site_keeping_its_own_site_id_is_not_called_taken(client_for, partner_a_admin, site_a):
    response = client_for(partner_a_admin).post(f"/sites/{site_a.site_id}/edit/",
                                                {**GOOD, "site_id": site_a.site_id, "name": ""})
    assert "This field is required." in field_html(response, "name")
    assert "This Site ID is already in use." not in response.content.decode()


# ---- picking the country proposes its time zone ----------------------------------------------

def country_choices(client, **params) -> str:
    return client.get("/sites/subdivisions/", params, HTTP_HX_REQUEST="true").content.decode()


@pytest.mark.parametrize(("country", "zone"), [("PL", "Europe/Warsaw"), ("SE", "Europe/Stockholm"),
                                               ("US", "America/New_York"), ("se", "Europe/Stockholm")])
def test_picking_a_country_proposes_its_main_time_zone(client_for, partner_a_admin, country, zone):
    html = country_choices(client_for(partner_a_admin), country=country, timezone="")
    assert 'hx-swap-oob="true"' in html
    assert f'<option value="{zone}" selected>' in html
    assert f"Time zone set to {zone}." in html


def test_a_zone_already_chosen_in_that_country_is_kept(client_for, partner_a_admin):
    html = country_choices(client_for(partner_a_admin), country="US", timezone="America/Denver")
    assert "hx-swap-oob" not in html


def test_a_zone_of_another_country_is_replaced_by_the_new_countrys(client_for, partner_a_admin):
    html = country_choices(client_for(partner_a_admin), country="PL", timezone="Europe/Stockholm")
    assert '<option value="Europe/Warsaw" selected>' in html


# ---- after a refused submit, the list of what to fix comes first --------------------------------

def test_a_refused_site_form_lists_each_error_at_the_top_linking_to_its_field(client_for, partner_a_admin,
                                                                              customer_a, site_b):
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/sites/new/",
                                                {**GOOD, "site_id": site_b.site_id, "name": ""})
    html = response.content.decode()
    summary = html[html.index('id="error-summary"'):html.index("</ul>", html.index('id="error-summary"'))]
    assert 'data-error-summary' in html[html.index('<div class="error-summary"'):][:300]
    assert '<a href="#id_site_id">Site ID: This Site ID is already in use.</a>' in summary
    assert '<a href="#id_name">Name: This field is required.</a>' in summary
    assert html.index('id="error-summary"') < html.index('id="field-site_id"')


def test_the_site_form_says_what_the_star_on_required_fields_means(client_for, partner_a_admin, customer_a):
    html = client_for(partner_a_admin).get(f"/customers/{customer_a.pk}/sites/new/").content.decode()
    assert "are required." in html
    assert re.search(r'<label for="id_name">Name<span class="required-mark" aria-hidden="true">\*</span></label>',
                     html)
    assert re.search(r'<input type="text" name="name"[^>]* required', html)
    assert '<label for="id_subdivision">Subdivision</label>' in html  # optional: no star
