"""Share links: a partner admin gives a read-only link to a customer's status page that expires on
a chosen day and can be withdrawn; the link shows nothing after either; every use is recorded."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from polyplus.portal import services
from polyplus.portal.models import StatusShareLink, StatusShareLinkUse
from polyplus.tenancy.models import PartnerDomain
from tests.tickets import cover, open_case
from tickets import services as case_services

INTERNAL = "Internal: firmware crash, bug PLY-4711"


@pytest.fixture
def open_cases(site_a, partner_a_engineer, poly_support):
    cover(site_a)
    case = open_case(partner_a_engineer, site_a, subject="Boardroom codec down")
    case_services.case_comment_add(by=poly_support, case=case, body=INTERNAL, internal=True)
    return case


def in_days(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def create(client, customer, expires_on):
    return client.post(f"/status/{customer.pk}/share-links/", {"expires_on": expires_on})


def link_url(response) -> str:
    return re.search(r'id="new-share-link-url">http://testserver(/s/[^<]+)<', response.content.decode()).group(1)


def test_a_partner_admin_shares_the_page_and_anyone_with_the_link_reads_it(client_for, partner_a_admin,
                                                                          customer_a, open_cases):
    response = create(client_for(partner_a_admin), customer_a, in_days(7))
    assert response.status_code == 200
    url = link_url(response)
    shared = Client().get(url)
    html = shared.content.decode()
    assert shared.status_code == 200
    assert open_cases.number in html and customer_a.name in html
    assert INTERNAL not in html
    assert f'href="/cases/{open_cases.pk}/"' not in html  # read-only: no way into the portal's pages
    assert shared["Cache-Control"] == "no-store"
    link = StatusShareLink.objects.get()
    assert link.key_hash not in html and link.expires_on.isoformat() == in_days(7)


def test_every_use_is_recorded_and_counted_on_the_page(client_for, partner_a_admin, customer_a, open_cases):
    url = link_url(create(client_for(partner_a_admin), customer_a, in_days(1)))
    Client().get(url, HTTP_USER_AGENT="Mail preview")
    Client().get(url)
    uses = list(StatusShareLinkUse.objects.order_by("at"))
    assert [use.user_agent for use in uses] == ["Mail preview", ""]
    assert uses[0].address == "127.0.0.1"
    html = client_for(partner_a_admin).get(f"/status/{customer_a.pk}/").content.decode()
    assert "2 times" in html


def test_a_withdrawn_link_shows_nothing(client_for, partner_a_admin, customer_a, open_cases):
    client = client_for(partner_a_admin)
    url = link_url(create(client, customer_a, in_days(30)))
    link = StatusShareLink.objects.get()
    assert client.post(f"/status/share-links/{link.pk}/revoke/").status_code == 302
    gone = Client().get(url)
    assert gone.status_code == 404
    html = gone.content.decode()
    assert "This link shows nothing" in html and customer_a.name not in html and open_cases.number not in html
    assert not StatusShareLinkUse.objects.exists()


def test_an_expired_link_shows_nothing(client_for, partner_a_admin, customer_a, open_cases):
    url = link_url(create(client_for(partner_a_admin), customer_a, in_days(0)))
    assert Client().get(url).status_code == 200  # the chosen day itself still counts
    StatusShareLink.objects.update(expires_on=timezone.localdate() - datetime.timedelta(days=1))
    gone = Client().get(url)
    assert gone.status_code == 404 and customer_a.name not in gone.content.decode()


@pytest.mark.parametrize(("value", "message"), [
    ("", "This field is required."),
    ("yesterday", "Enter a valid date."),
    ("1999-12-31", ""),
    ("2000-01-01", "Choose today or a later day."),
    ("in_400_days", "A link can last a year at most"),
])
def test_a_bad_expiry_is_refused_next_to_the_field_and_nothing_is_made(client_for, partner_a_admin, customer_a,
                                                                       value, message):
    if value == "in_400_days":
        value = in_days(400)
    response = create(client_for(partner_a_admin), customer_a, value)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not StatusShareLink.objects.exists()


@pytest.mark.parametrize("persona", ["partner_a_engineer", "customer_viewer"])
def test_only_the_partners_admin_shares_the_page(client_for, request, persona, customer_a):
    assert create(client_for(request.getfixturevalue(persona)), customer_a, in_days(3)).status_code == 403
    assert not StatusShareLink.objects.exists()


def test_another_partners_admin_can_neither_share_nor_withdraw_nor_see_links(client_for, partner_a_admin,
                                                                            partner_b_admin, customer_a):
    link, _key = services.share_link_create(by=partner_a_admin, customer=customer_a,
                                            expires_on=timezone.localdate())
    other = client_for(partner_b_admin)
    assert create(other, customer_a, in_days(3)).status_code == 404
    assert other.post(f"/status/share-links/{link.pk}/revoke/").status_code == 404
    link.refresh_from_db()
    assert link.revoked_at is None and StatusShareLink.objects.count() == 1


@pytest.mark.parametrize("key", ["x", "not-a-key-at-all-but-long-enough", "%00" * 10, "a" * 200])
def test_unknown_or_odd_keys_show_nothing(db, key):
    assert Client().get(f"/s/{key}/").status_code == 404


def test_a_link_of_one_partner_shows_nothing_on_another_partners_host(settings, client_for, partner_a_admin,
                                                                     customer_a, partner_b, open_cases):
    settings.ALLOWED_HOSTS = ["testserver", ".example"]
    PartnerDomain.objects.create(partner=partner_b, host="pomoc.wisla.example")
    PartnerDomain.objects.create(partner=customer_a.partner, host="support.nordic.example")
    url = link_url(create(client_for(partner_a_admin), customer_a, in_days(3)))
    gone = Client(HTTP_HOST="pomoc.wisla.example").get(url)
    assert gone.status_code == 404 and customer_a.name not in gone.content.decode()
    assert Client(HTTP_HOST="support.nordic.example").get(url).status_code == 200


def test_the_shared_page_costs_the_same_queries_for_3_or_30_cases(client_for, partner_a_admin, customer_a, site_a,
                                                                 partner_a_engineer, django_assert_max_num_queries):
    cover(site_a)
    url = link_url(create(client_for(partner_a_admin), customer_a, in_days(3)))
    for i in range(3):
        open_case(partner_a_engineer, site_a, subject=f"Case {i}")
    with django_assert_max_num_queries(20) as few:
        Client().get(url)
    for i in range(27):
        open_case(partner_a_engineer, site_a, subject=f"More {i}")
    with django_assert_max_num_queries(20) as many:
        Client().get(url)
    assert len(many) == len(few)
