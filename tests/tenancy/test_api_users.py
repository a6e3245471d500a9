"""users/: partner admins manage their own partner's people, within the roles they may grant."""

import pytest

from polyplus.tenancy.models import Role, User
from tests import factories


def test_a_partner_admin_creates_an_engineer_in_its_own_partner(api_for, partner_a_admin):
    response = api_for(partner_a_admin).post(
        "/api/v1/users/", {"email": "New@Nordic.example", "full_name": "Åsa Öberg", "role": "partner_engineer",
                           "password": "a-long-unusual-passphrase-42"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["email"], body["partner"], body["role"], body["customer"]) == (
        "new@nordic.example", partner_a_admin.partner_id, "partner_engineer", None)
    assert "password" not in body
    assert User.objects.get(pk=body["id"]).check_password("a-long-unusual-passphrase-42")


def test_a_partner_admin_creates_a_viewer_for_its_own_customer(api_for, partner_a_admin, customer_a):
    response = api_for(partner_a_admin).post(
        "/api/v1/users/", {"email": "it2@volvo.example", "full_name": "IT", "role": "customer_viewer",
                           "customer": customer_a.pk}, format="json")
    assert response.status_code == 201
    assert response.json()["customer"] == customer_a.pk


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"partner": "partner_b"}, "partner"),
        ({"role": "poly_admin"}, "role"),
        ({"role": "csm"}, "role"),
        ({"role": "owner"}, "role"),
        ({"role": "customer_viewer", "customer": "customer_b"}, "customer"),
        ({"role": "customer_viewer"}, "customer"),
        ({"email": "eng@wisla.example"}, "email"),
        ({"email": "not an email"}, "email"),
        ({"password": "123"}, "password"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_a_partner_admin_cannot_create_a_user_it_may_not_and_nothing_is_written(
        api_for, partner_a_admin, partner_b_engineer, customer_b, overrides, field):
    body = {"email": "new@nordic.example", "full_name": "New", "role": "partner_engineer"}
    body.update(overrides)
    fixtures = {"partner_b": partner_b_engineer.partner_id, "customer_b": customer_b.pk}
    body = {k: fixtures.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    count = User.objects.count()

    response = api_for(partner_a_admin).post("/api/v1/users/", body, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert User.objects.count() == count
    assert "Wisła" not in response.content.decode()


def test_a_poly_admin_creates_poly_staff_and_partner_users(api_for, poly_admin, partner_b):
    client = api_for(poly_admin)
    staff = client.post("/api/v1/users/", {"email": "csm2@poly.example", "full_name": "C", "role": "csm"},
                        format="json")
    assert staff.status_code == 201 and staff.json()["partner"] is None
    partner_user = client.post("/api/v1/users/", {"email": "x@wisla.example", "full_name": "X",
                                                  "role": "partner_admin", "partner": partner_b.pk}, format="json")
    assert partner_user.status_code == 201
    orphan = client.post("/api/v1/users/", {"email": "y@wisla.example", "full_name": "Y",
                                            "role": "partner_engineer"}, format="json")
    assert orphan.status_code == 400 and "partner" in orphan.json()


def test_a_partner_admin_changes_a_role_and_deactivates_a_user(api_for, partner_a_admin, partner_a_engineer):
    client = api_for(partner_a_admin)
    response = client.patch(f"/api/v1/users/{partner_a_engineer.pk}/", {"role": "partner_admin"}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "partner_admin"
    response = client.patch(f"/api/v1/users/{partner_a_engineer.pk}/", {"is_active": False}, format="json")
    assert response.status_code == 200
    partner_a_engineer.refresh_from_db()
    assert (partner_a_engineer.role, partner_a_engineer.is_active) == (Role.PARTNER_ADMIN, False)


def test_a_viewer_promoted_to_engineer_drops_its_customer(api_for, partner_a_admin, customer_viewer):
    response = api_for(partner_a_admin).patch(f"/api/v1/users/{customer_viewer.pk}/", {"role": "partner_engineer"},
                                              format="json")
    assert response.status_code == 200, response.content
    assert response.json()["customer"] is None


@pytest.mark.parametrize(
    "body",
    [{"role": "poly_admin"}, {"email": "changed@nordic.example"}, {"partner": "partner_b"},
     {"customer": "customer_b"}, {"password": "a-long-unusual-passphrase-42"}, {"is_active": "maybe"}],
)
def test_a_user_update_that_is_not_allowed_answers_400_and_changes_nothing(api_for, partner_a_admin,
                                                                          partner_a_engineer, customer_b, body):
    fixtures = {"partner_b": customer_b.partner_id, "customer_b": customer_b.pk}
    body = {k: fixtures.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    before = User.objects.filter(pk=partner_a_engineer.pk).values().get()

    response = api_for(partner_a_admin).patch(f"/api/v1/users/{partner_a_engineer.pk}/", body, format="json")

    assert response.status_code == 400, response.content
    assert User.objects.filter(pk=partner_a_engineer.pk).values().get() == before


def test_nobody_demotes_or_deactivates_themselves(api_for, partner_a_admin):
    client = api_for(partner_a_admin)
    assert client.patch(f"/api/v1/users/{partner_a_admin.pk}/", {"is_active": False},
                        format="json").status_code == 400
    assert client.patch(f"/api/v1/users/{partner_a_admin.pk}/", {"role": "partner_engineer"},
                        format="json").status_code == 400
    partner_a_admin.refresh_from_db()
    assert partner_a_admin.is_active and partner_a_admin.role == Role.PARTNER_ADMIN


def test_users_filter_by_role_and_search_by_name(api_for, partner_a_admin, partner_a_engineer, customer_viewer):
    factories.UserFactory(partner=partner_a_admin.partner, full_name="Zofia Ström", email="zofia@nordic.example")
    client = api_for(partner_a_admin)
    assert [u["id"] for u in client.get("/api/v1/users/", {"role": "customer_viewer"}).json()["results"]] == [
        customer_viewer.pk]
    assert [u["email"] for u in client.get("/api/v1/users/", {"search": "STRÖM"}).json()["results"]] == [
        "zofia@nordic.example"]
    assert client.get("/api/v1/users/", {"role": "emperor"}).status_code == 400
