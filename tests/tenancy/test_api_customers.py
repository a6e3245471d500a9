"""customers/: a partner admin's own customers; names unique per partner, not across partners."""

import pytest

from polyplus.tenancy.models import Customer
from tests import factories


def test_a_partner_admin_creates_a_customer_for_its_own_partner(api_for, partner_a_admin):
    response = api_for(partner_a_admin).post("/api/v1/customers/", {"name": "Scania", "master_account_id": "sc-1"},
                                             format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["partner"], body["name"], body["master_account_id"], body["csm"]) == (
        partner_a_admin.partner_id, "Scania", "SC-1", None)
    assert Customer.objects.get(pk=body["id"]).partner_id == partner_a_admin.partner_id


def test_a_poly_admin_names_the_partner_of_a_new_customer(api_for, poly_admin, partner_b):
    client = api_for(poly_admin)
    response = client.post("/api/v1/customers/", {"name": "PKN"}, format="json")
    assert response.status_code == 400 and "partner" in response.json()
    response = client.post("/api/v1/customers/", {"name": "PKN", "partner": partner_b.pk}, format="json")
    assert response.status_code == 201 and response.json()["partner"] == partner_b.pk


def test_a_duplicate_customer_name_is_refused_within_a_partner_and_allowed_across(api_for, partner_a_admin,
                                                                                 partner_b_admin, customer_a):
    response = api_for(partner_a_admin).post("/api/v1/customers/", {"name": customer_a.name}, format="json")
    assert response.status_code == 400
    assert response.json() == {"name": ["This partner already has a customer with this name."]}
    assert Customer.objects.filter(name=customer_a.name).count() == 1

    response = api_for(partner_b_admin).post("/api/v1/customers/", {"name": customer_a.name}, format="json")
    assert response.status_code == 201
    assert Customer.objects.filter(name=customer_a.name).count() == 2


def test_renaming_onto_a_sibling_customers_name_is_refused(api_for, partner_a_admin, customer_a, partner_a):
    other = factories.CustomerFactory(partner=partner_a, name="Saab")
    response = api_for(partner_a_admin).patch(f"/api/v1/customers/{other.pk}/", {"name": customer_a.name},
                                              format="json")
    assert response.status_code == 400 and "name" in response.json()
    other.refresh_from_db()
    assert other.name == "Saab"


@pytest.mark.parametrize(
    ("body", "field"),
    [({"name": ""}, "name"), ({}, "name"), ({"name": "x" * 201}, "name"), ({"name": "Ok", "master_account_id": "M A"},
                                                                           "master_account_id"),
     ({"name": ["list"]}, "name"), ({"name": {"dict": 1}}, "name"), ({"name": "Ok", "partner": "abc"}, "partner")],
)
def test_invalid_customer_input_answers_400_and_writes_nothing(api_for, partner_a_admin, body, field):
    response = api_for(partner_a_admin).post("/api/v1/customers/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Customer.objects.exists()


def test_a_customer_cannot_move_to_another_partner(api_for, poly_admin, customer_a, partner_b):
    response = api_for(poly_admin).patch(f"/api/v1/customers/{customer_a.pk}/", {"partner": partner_b.pk},
                                         format="json")
    assert response.status_code == 400 and "partner" in response.json()
    customer_a.refresh_from_db()
    assert customer_a.partner_id != partner_b.pk


def test_malformed_json_answers_400_and_writes_nothing(api_for, partner_a_admin):
    response = api_for(partner_a_admin).post("/api/v1/customers/", b'{"name": "Half', content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert not Customer.objects.exists()


def test_customers_filter_and_search(api_for, poly_admin, customer_a, customer_b):
    client = api_for(poly_admin)
    assert [c["id"] for c in client.get("/api/v1/customers/", {"partner": customer_b.partner_id}).json()[
        "results"]] == [customer_b.pk]
    assert [c["id"] for c in client.get("/api/v1/customers/", {"search": "płock"}).json()["results"]] == [
        customer_b.pk]
    assert client.get("/api/v1/customers/", {"search": "nothing like it"}).json()["count"] == 0
    assert [c["name"] for c in client.get("/api/v1/customers/", {"ordering": "-name"}).json()["results"]] == [
        customer_a.name, customer_b.name]
