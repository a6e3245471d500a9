"""User pages: a partner admin manages its people; roles and customers limited to what it may grant."""

import pytest

from polyplus.tenancy.models import Role, User
from tests import factories


def field_html(response, name: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 10)
    return html[start:end if end != -1 else len(html)]


# ---- list -------------------------------------------------------------------------------------

def test_partner_admin_lists_its_own_people_only(client_for, partner_a_admin, partner_a_engineer,
                                                 partner_b_engineer, customer_viewer):
    response = client_for(partner_a_admin).get("/users/")
    html = response.content.decode()
    assert response.status_code == 200
    assert partner_a_engineer.email in html and customer_viewer.email in html
    assert partner_b_engineer.email not in html


def test_poly_admin_lists_everyone_and_filters_by_partner(client_for, poly_admin, partner_a_engineer,
                                                          partner_b_engineer, partner_b):
    client = client_for(poly_admin)
    html = client.get("/users/").content.decode()
    assert partner_a_engineer.email in html and partner_b_engineer.email in html
    html = client.get("/users/", {"partner": partner_b.pk}).content.decode()
    assert partner_a_engineer.email not in html and partner_b_engineer.email in html


@pytest.mark.parametrize("persona", ["partner_a_engineer", "customer_viewer", "poly_support", "csm"])
def test_only_admins_may_manage_users(db, request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/users/").status_code == 403
    assert client.get("/users/new/").status_code == 403


def test_the_user_list_costs_the_same_queries_for_3_or_30_users(client_for, partner_a_admin, partner_a, customer_a,
                                                               django_assert_max_num_queries):
    def add(count):
        for n in range(count):
            if n % 2:
                factories.UserFactory(partner=partner_a)
            else:
                factories.CustomerViewerFactory(customer=customer_a)

    add(3)
    client = client_for(partner_a_admin)
    with django_assert_max_num_queries(20) as few:
        client.get("/users/")
    add(27)
    with django_assert_max_num_queries(20) as many:
        client.get("/users/")
    assert len(many) == len(few)


# ---- create -----------------------------------------------------------------------------------

def test_the_role_choices_are_those_the_admin_may_grant(client_for, partner_a_admin):
    html = client_for(partner_a_admin).get("/users/new/").content.decode()
    role_field = html[html.index('id="field-role"'):html.index('id="field-customer"')]
    assert 'value="partner_engineer"' in role_field and 'value="customer_viewer"' in role_field
    assert 'value="poly_admin"' not in role_field and 'value="csm"' not in role_field


def test_the_customer_choices_are_the_partners_own_customers(client_for, partner_a_admin, customer_a, customer_b):
    html = client_for(partner_a_admin).get("/users/new/").content.decode()
    assert customer_a.name in html
    assert customer_b.name not in html


def test_partner_admin_adds_an_engineer_to_its_partner(client_for, partner_a_admin, partner_a):
    response = client_for(partner_a_admin).post("/users/new/", {
        "email": "New.Engineer@Nordic.example", "full_name": "Nils Nilsson", "role": Role.PARTNER_ENGINEER,
    })
    assert response.status_code == 302
    created = User.objects.get(email="new.engineer@nordic.example")
    assert (created.partner, created.role, created.has_usable_password()) == (partner_a, Role.PARTNER_ENGINEER,
                                                                              False)


def test_partner_admin_adds_a_customer_viewer_for_its_customer(client_for, partner_a_admin, customer_a):
    response = client_for(partner_a_admin).post("/users/new/", {
        "email": "it2@volvo.example", "full_name": "Vera", "role": Role.CUSTOMER_VIEWER, "customer": customer_a.pk,
        "password": "a-long-and-unusual-passphrase",
    })
    assert response.status_code == 302
    viewer = User.objects.get(email="it2@volvo.example")
    assert viewer.customer == customer_a and viewer.check_password("a-long-and-unusual-passphrase")


def test_a_role_the_partner_admin_may_not_grant_is_an_error_next_to_the_role(client_for, partner_a_admin):
    before = User.objects.count()
    response = client_for(partner_a_admin).post("/users/new/", {
        "email": "boss@nordic.example", "full_name": "Boss", "role": Role.POLY_ADMIN,
    })
    assert response.status_code == 200
    assert "Select a valid choice." in field_html(response, "role")
    assert User.objects.count() == before


def test_another_partners_customer_for_a_viewer_is_an_error_next_to_the_customer(client_for, partner_a_admin,
                                                                                customer_b):
    before = User.objects.count()
    response = client_for(partner_a_admin).post("/users/new/", {
        "email": "spy@nordic.example", "full_name": "Spy", "role": Role.CUSTOMER_VIEWER, "customer": customer_b.pk,
    })
    assert response.status_code == 200
    assert "Select a valid choice." in field_html(response, "customer")
    assert customer_b.name not in response.content.decode()
    assert User.objects.count() == before


def test_a_customer_viewer_without_a_customer_is_an_error_next_to_the_customer(client_for, partner_a_admin):
    before = User.objects.count()
    response = client_for(partner_a_admin).post("/users/new/", {
        "email": "nobody@nordic.example", "full_name": "Nobody", "role": Role.CUSTOMER_VIEWER,
    })
    assert "A customer viewer needs a customer." in field_html(response, "customer")
    assert User.objects.count() == before


def test_a_taken_email_is_an_error_next_to_the_email(client_for, partner_a_admin, partner_b_engineer):
    before = User.objects.count()
    response = client_for(partner_a_admin).post("/users/new/", {
        "email": partner_b_engineer.email, "full_name": "Copy", "role": Role.PARTNER_ENGINEER,
    })
    assert "A user with this email address exists." in field_html(response, "email")
    assert User.objects.count() == before


def test_a_weak_password_is_an_error_next_to_the_password(client_for, partner_a_admin):
    before = User.objects.count()
    response = client_for(partner_a_admin).post("/users/new/", {
        "email": "weak@nordic.example", "full_name": "Weak", "role": Role.PARTNER_ENGINEER, "password": "123",
    })
    assert "field-errors" in field_html(response, "password")
    assert User.objects.count() == before


def test_poly_admin_adds_a_partner_admin_to_a_chosen_partner(client_for, poly_admin, partner_b):
    response = client_for(poly_admin).post("/users/new/", {
        "email": "admin2@wisla.example", "full_name": "Anna", "role": Role.PARTNER_ADMIN, "partner": partner_b.pk,
    })
    assert response.status_code == 302
    assert User.objects.get(email="admin2@wisla.example").partner == partner_b


def test_poly_admin_must_choose_a_partner_for_a_partner_role(client_for, poly_admin):
    before = User.objects.count()
    response = client_for(poly_admin).post("/users/new/", {
        "email": "orphan@example.com", "full_name": "Orphan", "role": Role.PARTNER_ENGINEER,
    })
    assert "A partner user needs a partner." in field_html(response, "partner")
    assert User.objects.count() == before


# ---- edit -------------------------------------------------------------------------------------

def test_partner_admin_changes_a_role_and_deactivates_a_person(client_for, partner_a_admin, partner_a_engineer):
    response = client_for(partner_a_admin).post(f"/users/{partner_a_engineer.pk}/edit/", {
        "full_name": "Erik Engineer", "role": Role.PARTNER_ADMIN,
    })
    assert response.status_code == 302
    partner_a_engineer.refresh_from_db()
    assert (partner_a_engineer.role, partner_a_engineer.is_active) == (Role.PARTNER_ADMIN, False)


def test_another_partners_person_is_not_found(client_for, partner_b_admin, partner_a_engineer):
    client = client_for(partner_b_admin)
    assert client.get(f"/users/{partner_a_engineer.pk}/edit/").status_code == 404
    response = client.post(f"/users/{partner_a_engineer.pk}/edit/", {"full_name": "x", "role": Role.PARTNER_ADMIN,
                                                                     "is_active": "on"})
    assert response.status_code == 404
    partner_a_engineer.refresh_from_db()
    assert partner_a_engineer.role == Role.PARTNER_ENGINEER


def test_a_partner_admin_cannot_reach_poly_staff(client_for, partner_a_admin, poly_admin):
    assert client_for(partner_a_admin).get(f"/users/{poly_admin.pk}/edit/").status_code == 404


def test_an_admin_cannot_demote_themself(client_for, partner_a_admin):
    response = client_for(partner_a_admin).post(f"/users/{partner_a_admin.pk}/edit/", {
        "full_name": "Me", "role": Role.PARTNER_ENGINEER, "is_active": "on",
    })
    assert response.status_code == 200
    assert "You cannot change your own role" in field_html(response, "role")
    partner_a_admin.refresh_from_db()
    assert partner_a_admin.role == Role.PARTNER_ADMIN


def test_switching_a_viewer_to_another_partners_customer_is_refused(client_for, partner_a_admin, customer_viewer,
                                                                   customer_b, customer_a):
    response = client_for(partner_a_admin).post(f"/users/{customer_viewer.pk}/edit/", {
        "full_name": "Vera", "role": Role.CUSTOMER_VIEWER, "customer": customer_b.pk, "is_active": "on",
    })
    assert "Select a valid choice." in field_html(response, "customer")
    customer_viewer.refresh_from_db()
    assert customer_viewer.customer == customer_a
