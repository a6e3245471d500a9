"""partners/ and partners/{id}/certifications/: Poly admins write, partners read their own."""

import datetime

import pytest

from polyplus.tenancy.models import Certification, Partner, PartnerDomain
from tests import factories

TODAY = datetime.date.today()



def test_a_partner_user_sees_its_own_partner_with_brand(api_for, partner_a_engineer, partner_b):
    PartnerDomain.objects.create(partner=partner_a_engineer.partner, host="support.nordic.example")
    response = api_for(partner_a_engineer).get("/api/v1/partners/")
    assert response.status_code == 200
    [partner] = response.json()["results"]
    assert partner["id"] == partner_a_engineer.partner_id
    assert partner["brand"]["display_name"] == "Nordic Collaboration AB"
    assert partner["brand"]["primary_color"] == "#123456"
    assert partner["brand"]["host"] == "support.nordic.example"
    assert set(partner["brand"]) >= {"display_name", "logo", "primary_color", "host"}


def test_a_poly_admin_registers_a_partner_and_its_brand(api_for, poly_admin):
    response = api_for(poly_admin).post("/api/v1/partners/", {"name": "Baltic AV", "slug": "baltic-av",
                                                              "display_name": "Baltic Support",
                                                              "primary_color": "#aa0000"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["brand"]["display_name"] == "Baltic Support" and body["brand"]["primary_color"] == "#aa0000"
    assert Partner.objects.get(pk=body["id"]).slug == "baltic-av"


def test_a_poly_admin_renames_and_rebrands_a_partner(api_for, poly_admin, partner_b):
    response = api_for(poly_admin).patch(f"/api/v1/partners/{partner_b.pk}/",
                                         {"name": "Wisła AV", "primary_color": "#006400"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Wisła AV"
    assert response.json()["brand"]["primary_color"] == "#006400"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": "Nordic Collaboration AB", "slug": "other"}, "name"), ({"name": "Other", "slug": "nordic"}, "slug"),
     ({"name": "Other", "slug": "Has Spaces"}, "slug"), ({"name": "Other", "slug": "other", "primary_color": "red"},
                                                         "primary_color"), ({"slug": "other"}, "name")],
)
def test_an_invalid_or_duplicate_partner_answers_400_and_writes_nothing(api_for, poly_admin, partner_a, body,
                                                                        field):
    response = api_for(poly_admin).post("/api/v1/partners/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Partner.objects.count() == 1


def test_certifications_are_listed_per_partner(api_for, partner_a_engineer, partner_a, partner_b):
    factories.CertificationFactory(partner=partner_a, category="video")
    factories.CertificationFactory(partner=partner_a, category="voice",
                                   expires_on=TODAY - datetime.timedelta(days=1))
    factories.CertificationFactory(partner=partner_b, category="headset")
    response = api_for(partner_a_engineer).get(f"/api/v1/partners/{partner_a.pk}/certifications/")
    assert response.status_code == 200
    assert {(c["category"], c["is_current"]) for c in response.json()} == {("video", True), ("voice", False)}


def test_a_poly_admin_certifies_a_partner_and_renews_it(api_for, poly_admin, partner_a):
    client = api_for(poly_admin)
    url = f"/api/v1/partners/{partner_a.pk}/certifications/"
    body = {"category": "video", "certified_on": TODAY.isoformat(),
            "expires_on": (TODAY + datetime.timedelta(days=365)).isoformat()}
    response = client.post(url, body, format="json")
    assert response.status_code == 201
    assert response.json()["is_current"] is True
    renewed = client.post(url, {**body, "expires_on": (TODAY + datetime.timedelta(days=730)).isoformat()},
                          format="json")
    assert renewed.status_code == 201 and renewed.json()["id"] == response.json()["id"]
    assert Certification.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"category": "video", "certified_on": "2025-03-01", "expires_on": "2025-02-28"}, "expires_on"),
        ({"category": "printers", "certified_on": "2025-03-01", "expires_on": "2026-03-01"}, "category"),
        ({"category": "video", "certified_on": "2025-02-30", "expires_on": "2026-03-01"}, "certified_on"),
        ({"category": "video", "certified_on": "yesterday", "expires_on": "2026-03-01"}, "certified_on"),
        ({"category": "video"}, "expires_on"),
        ({"category": ["video"], "certified_on": "2025-03-01", "expires_on": "2026-03-01"}, "category"),
    ],
)
def test_an_invalid_certification_answers_400_and_writes_nothing(api_for, poly_admin, partner_a, body, field):
    response = api_for(poly_admin).post(f"/api/v1/partners/{partner_a.pk}/certifications/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Certification.objects.exists()


def test_partners_search_and_filter(api_for, poly_admin, partner_a, partner_b):
    client = api_for(poly_admin)
    assert [p["id"] for p in client.get("/api/v1/partners/", {"search": "wisła"}).json()["results"]] == [
        partner_b.pk]
    Partner.objects.filter(pk=partner_b.pk).update(is_active=False)
    assert [p["id"] for p in client.get("/api/v1/partners/", {"is_active": "true"}).json()["results"]] == [
        partner_a.pk]


def test_a_poly_admin_records_the_country_a_partner_trades_from(api_for, poly_admin, partner_b):
    client = api_for(poly_admin)
    created = client.post("/api/v1/partners/", {"name": "Baltic AV", "slug": "baltic-av", "country": "ee"},
                          format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["country"] == "EE"
    changed = client.patch(f"/api/v1/partners/{partner_b.pk}/", {"country": "PL"}, format="json")
    assert changed.status_code == 200 and changed.json()["country"] == "PL"


def test_an_unknown_partner_country_is_a_400_naming_the_field(api_for, poly_admin, partner_b):
    response = api_for(poly_admin).patch(f"/api/v1/partners/{partner_b.pk}/", {"country": "XX"}, format="json")
    assert response.status_code == 400
    assert "country" in str(response.json())
    partner_b.refresh_from_db()
    assert partner_b.country == ""
