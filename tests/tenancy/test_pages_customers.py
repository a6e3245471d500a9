"""Customer pages: list, search, create, edit, detail; isolation and bad input."""

import pytest

from polyplus.tenancy.models import Customer
from tests import factories

# ---- list -------------------------------------------------------------------------------------

def test_partner_admin_lists_its_customers_and_not_another_partners(client_for, partner_a_admin, customer_a,
                                                                     customer_b):
    response = client_for(partner_a_admin).get("/customers/")
    html = response.content.decode()
    assert response.status_code == 200
    assert customer_a.name in html
    assert customer_b.name not in html


def test_the_customer_search_filters_by_name_and_answers_htmx_with_the_results_only(client_for, partner_a_admin,
                                                                                   partner_a, customer_a):
    other = factories.CustomerFactory(partner=partner_a, name="Ericsson Kista")
    response = client_for(partner_a_admin).get("/customers/", {"q": "volvo"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert customer_a.name in html and other.name not in html
    assert "<html" not in html


def test_poly_support_sees_every_partners_customers_with_the_partner(client_for, poly_support, customer_a,
                                                                     customer_b):
    html = client_for(poly_support).get("/customers/").content.decode()
    assert customer_a.name in html and customer_b.name in html
    assert customer_b.partner.name in html


def test_the_customer_list_is_paginated(client_for, partner_a_admin, partner_a):
    for n in range(30):
        factories.CustomerFactory(partner=partner_a, name=f"Customer {n:02d}")
    html = client_for(partner_a_admin).get("/customers/", {"page": 2}).content.decode()
    assert "Customer 29" in html and "Customer 00" not in html
    assert "Page 2 of 2" in html


def test_a_customer_viewer_may_not_list_customers(client_for, customer_viewer):
    assert client_for(customer_viewer).get("/customers/").status_code == 403


def test_the_customer_list_costs_the_same_queries_for_3_or_30_customers(client_for, partner_a_admin, partner_a,
                                                                       csm, django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            customer = factories.CustomerFactory(partner=partner_a)
            factories.SiteFactory(customer=customer)
            factories.CsmAssignmentFactory(customer=customer, csm=csm)

    add(3)
    client = client_for(partner_a_admin)
    with django_assert_max_num_queries(20) as few:
        assert client.get("/customers/").status_code == 200
    add(27)
    with django_assert_max_num_queries(20) as many:
        assert client.get("/customers/").status_code == 200
    assert len(many) == len(few)


# ---- detail -----------------------------------------------------------------------------------

def test_partner_engineer_sees_a_customer_with_its_sites(client_for, partner_a_engineer, customer_a, site_a):
    response = client_for(partner_a_engineer).get(f"/customers/{customer_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert site_a.site_id in html
    assert f"/customers/{customer_a.pk}/edit/" not in html


def test_another_partners_customer_is_not_found(client_for, partner_b_admin, partner_b_engineer, customer_a):
    assert client_for(partner_b_admin).get(f"/customers/{customer_a.pk}/").status_code == 404
    assert client_for(partner_b_engineer).get(f"/customers/{customer_a.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["/customers/99999999999999999999999/", "/customers/99999999999999999999999/edit/",
                                  "/customers/?partner=99999999999999999999999&page=zz"])
def test_absurd_numbers_in_addresses_are_answered_without_an_error(client_for, poly_admin, path):
    assert client_for(poly_admin).get(path).status_code in {200, 404}


def test_a_csm_sees_only_assigned_customers(client_for, csm, customer_a, customer_b):
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    client = client_for(csm)
    assert client.get(f"/customers/{customer_a.pk}/").status_code == 200
    assert client.get(f"/customers/{customer_b.pk}/").status_code == 404


def test_the_customer_page_costs_the_same_queries_for_3_or_30_sites(client_for, partner_a_admin, customer_a,
                                                                   django_assert_max_num_queries):
    for _ in range(3):
        factories.SiteFactory(customer=customer_a)
        factories.CustomerViewerFactory(customer=customer_a)
    client = client_for(partner_a_admin)
    with django_assert_max_num_queries(20) as few:
        client.get(f"/customers/{customer_a.pk}/")
    for _ in range(27):
        factories.SiteFactory(customer=customer_a)
        factories.CustomerViewerFactory(customer=customer_a)
    with django_assert_max_num_queries(20) as many:
        client.get(f"/customers/{customer_a.pk}/")
    assert len(many) == len(few)


# ---- create and edit --------------------------------------------------------------------------

def test_partner_admin_adds_a_customer_to_its_own_partner(client_for, partner_a_admin, partner_a):
    response = client_for(partner_a_admin).post("/customers/new/", {"name": "Saab Linköping",
                                                                    "master_account_id": "saab-001"})
    customer = Customer.objects.get(name="Saab Linköping")
    assert response.status_code == 302
    assert response["Location"] == f"/customers/{customer.pk}/"
    assert customer.partner == partner_a
    assert customer.master_account_id == "SAAB-001"


def test_a_partner_admin_cannot_choose_another_partner_for_a_customer(client_for, partner_a_admin, partner_a,
                                                                      partner_b):
    client_for(partner_a_admin).post("/customers/new/", {"name": "Sneaky", "partner": partner_b.pk})
    assert Customer.objects.get(name="Sneaky").partner == partner_a


def test_poly_admin_adds_a_customer_to_a_chosen_partner(client_for, poly_admin, partner_b):
    response = client_for(poly_admin).post("/customers/new/", {"partner": partner_b.pk, "name": "PKN Gdańsk"})
    assert response.status_code == 302
    assert Customer.objects.get(name="PKN Gdańsk").partner == partner_b


def test_a_duplicate_customer_name_is_an_error_next_to_the_name_and_writes_nothing(client_for, partner_a_admin,
                                                                                   customer_a):
    before = Customer.objects.count()
    response = client_for(partner_a_admin).post("/customers/new/", {"name": customer_a.name})
    html = response.content.decode()
    assert response.status_code == 200
    assert "This partner already has a customer with this name." in html[html.index('id="field-name"'):]
    assert Customer.objects.count() == before


def test_a_badly_formed_master_account_id_is_an_error_next_to_it(client_for, partner_a_admin):
    before = Customer.objects.count()
    response = client_for(partner_a_admin).post("/customers/new/", {"name": "Bad Id AB",
                                                                    "master_account_id": "no spaces!"})
    html = response.content.decode()
    assert "Use capital letters, digits and hyphens." in html[html.index('id="field-master_account_id"'):]
    assert Customer.objects.count() == before


def test_a_partner_engineer_may_not_add_or_edit_customers(client_for, partner_a_engineer, customer_a):
    client = client_for(partner_a_engineer)
    before = Customer.objects.count()
    assert client.get("/customers/new/").status_code == 403
    assert client.post("/customers/new/", {"name": "Nope"}).status_code == 403
    assert client.post(f"/customers/{customer_a.pk}/edit/", {"name": "Renamed"}).status_code == 403
    assert Customer.objects.count() == before
    customer_a.refresh_from_db()
    assert customer_a.name == "Volvo Cars Göteborg"


def test_partner_admin_renames_its_customer(client_for, partner_a_admin, customer_a):
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/edit/",
                                                {"name": "Volvo Cars Torslanda", "master_account_id": ""})
    assert response.status_code == 302
    customer_a.refresh_from_db()
    assert customer_a.name == "Volvo Cars Torslanda"


def test_another_partners_admin_cannot_edit_the_customer(client_for, partner_b_admin, customer_a):
    client = client_for(partner_b_admin)
    assert client.get(f"/customers/{customer_a.pk}/edit/").status_code == 404
    assert client.post(f"/customers/{customer_a.pk}/edit/", {"name": "Hijacked"}).status_code == 404
    customer_a.refresh_from_db()
    assert customer_a.name == "Volvo Cars Göteborg"


def test_renaming_to_a_taken_name_keeps_the_old_name(client_for, partner_a_admin, partner_a, customer_a):
    factories.CustomerFactory(partner=partner_a, name="Taken AB")
    response = client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/edit/", {"name": "Taken AB"})
    assert response.status_code == 200
    assert "already has a customer with this name" in response.content.decode()
    customer_a.refresh_from_db()
    assert customer_a.name == "Volvo Cars Göteborg"
