"""sites/: looked up by Site ID; every bad input is a 400 that writes nothing."""

import pytest

from polyplus.tenancy.models import Site
from tests import factories


@pytest.fixture
def admin_a(api_for, partner_a_admin):
    return api_for(partner_a_admin)


def site_body(owner, **overrides) -> dict:
    body = {"customer": owner.pk, "site_id": "SE-MAL-001", "name": "Malmö office",
            "address": "Stortorget 1, 211 22 Malmö", "country": "SE", "subdivision": "SE-M",
            "timezone": "Europe/Stockholm"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def test_a_partner_admin_creates_a_site_and_finds_it_by_site_id(admin_a, customer_a):
    response = admin_a.post("/api/v1/sites/", site_body(customer_a, site_id="se-mal-001", country="se"),
                            format="json")

    assert response.status_code == 201, response.content
    assert response.json() == {"site_id": "SE-MAL-001", "customer": customer_a.pk, "partner": customer_a.partner_id,
                               "name": "Malmö office", "address": "Stortorget 1, 211 22 Malmö", "country": "SE",
                               "subdivision": "SE-M", "timezone": "Europe/Stockholm"}
    assert admin_a.get("/api/v1/sites/se-mal-001/").json()["name"] == "Malmö office"


def test_a_site_without_subdivision_is_fine(admin_a, customer_a):
    response = admin_a.post("/api/v1/sites/", site_body(customer_a, subdivision=None), format="json")
    assert response.status_code == 201
    assert response.json()["subdivision"] == ""


def test_a_partner_admin_updates_a_site(admin_a, site_a):
    response = admin_a.patch(f"/api/v1/sites/{site_a.site_id}/", {"name": "Torslanda", "timezone": "Europe/Oslo"},
                             format="json")
    assert response.status_code == 200
    site_a.refresh_from_db()
    assert (site_a.name, site_a.timezone, site_a.country) == ("Torslanda", "Europe/Oslo", "SE")


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"country": "XX"}, {"country"}),
        ({"country": "Sweden"}, {"country"}),
        ({"country": ""}, {"country"}),
        ({"subdivision": "PL-14"}, {"subdivision"}),
        ({"subdivision": "SE-ZZ"}, {"subdivision"}),
        ({"country": "PL", "subdivision": "SE-M", "timezone": "Europe/Warsaw"}, {"subdivision"}),
        ({"timezone": "Mars/Olympus"}, {"timezone"}),
        ({"timezone": "UTC+2"}, {"timezone"}),
        ({"site_id": "a"}, {"site_id"}),
        ({"site_id": "SITE ID WITH SPACES"}, {"site_id"}),
        ({"site_id": "S" * 41}, {"site_id"}),
        ({"site_id": None, "name": None, "address": None, "country": None, "timezone": None},
         {"site_id", "name", "address", "country", "timezone"}),
        ({"customer": None}, {"customer"}),
        ({"customer": "abc"}, {"customer"}),
        ({"country": "XX", "timezone": "Nowhere"}, {"country", "timezone"}),
    ],
)
def test_invalid_site_input_answers_400_naming_the_fields_and_writes_nothing(admin_a, customer_a, overrides,
                                                                            fields):
    response = admin_a.post("/api/v1/sites/", site_body(customer_a, **overrides), format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert all(isinstance(messages, list) and messages for messages in response.json().values())
    assert not Site.objects.exists()


def test_an_invalid_update_changes_nothing(admin_a, site_a):
    for body in ({"country": "XX"}, {"subdivision": "PL-14"}, {"timezone": "Nowhere"}, {"site_id": "!"}):
        response = admin_a.patch(f"/api/v1/sites/{site_a.site_id}/", body, format="json")
        assert response.status_code == 400, body
    site_a.refresh_from_db()
    assert (site_a.site_id, site_a.country, site_a.subdivision, site_a.timezone) == (
        "SE-GOT-001", "SE", "SE-AB", "Europe/Stockholm")


def test_a_duplicate_site_id_is_refused_alike_for_own_and_foreign_sites(admin_a, customer_a, site_a, site_b):
    own = admin_a.post("/api/v1/sites/", site_body(customer_a, site_id=site_a.site_id.lower()), format="json")
    foreign = admin_a.post("/api/v1/sites/", site_body(customer_a, site_id=site_b.site_id), format="json")

    assert own.status_code == foreign.status_code == 400
    assert own.json() == foreign.json() == {"site_id": ["This Site ID is already in use."]}
    for secret in (site_b.customer.name, site_b.customer.partner.name, "Wisła", "Orlen"):
        assert secret not in foreign.content.decode()
    assert Site.objects.count() == 2


def test_renaming_a_site_id_onto_another_partners_is_refused(admin_a, site_a, site_b):
    response = admin_a.patch(f"/api/v1/sites/{site_a.site_id}/", {"site_id": site_b.site_id}, format="json")
    assert response.status_code == 400
    assert response.json() == {"site_id": ["This Site ID is already in use."]}
    site_a.refresh_from_db()
    assert site_a.site_id == "SE-GOT-001"


def test_a_site_cannot_move_to_another_customer(admin_a, site_a, partner_a):
    other = factories.CustomerFactory(partner=partner_a)
    response = admin_a.patch(f"/api/v1/sites/{site_a.site_id}/", {"customer": other.pk}, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    site_a.refresh_from_db()
    assert site_a.customer_id != other.pk


def test_sites_filter_by_customer_and_country_and_search_by_name(admin_a, site_a, partner_a):
    other = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a, name="Saab"),
                                  site_id="NO-OSL-001", country="NO", subdivision="", timezone="Europe/Oslo",
                                  name="Oslo depot")
    assert [s["site_id"] for s in admin_a.get("/api/v1/sites/", {"country": "no"}).json()["results"]] == [
        other.site_id]
    assert [s["site_id"] for s in admin_a.get("/api/v1/sites/", {"customer": site_a.customer_id}).json()[
        "results"]] == [site_a.site_id]
    assert admin_a.get("/api/v1/sites/", {"search": "saab"}).json()["count"] == 1
    assert admin_a.get("/api/v1/sites/", {"search": "oslo DEPOT"}).json()["count"] == 1


def test_sites_are_paginated_with_next_and_previous(admin_a, customer_a):
    for n in range(5):
        factories.SiteFactory(customer=customer_a, site_id=f"PAGE-{n:03d}")
    first = admin_a.get("/api/v1/sites/", {"page_size": 2}).json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    second = admin_a.get(first["next"]).json()
    assert second["previous"] and [s["site_id"] for s in second["results"]] == ["PAGE-002", "PAGE-003"]
