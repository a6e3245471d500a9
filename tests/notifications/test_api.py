"""The API of owners, following, notifications and preferences: same rules as the pages,
another partner's case or notification is a 404, bad input a 400 that changes nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from polyplus.notifications.models import Notification, NotificationPreference
from polyplus.tenancy.models import Role
from tests import factories
from tests.notifications import fan_out_pending
from tests.tickets import cover, open_case
from tickets import services
from tickets.models import Case, CaseFollower, CaseOwnerChange


@pytest.fixture
def case(partner_a_engineer, site_a):
    cover(site_a)
    return open_case(partner_a_engineer, site_a)


def assign(client, case, **body):
    return client.post(f"/api/v1/cases/{case.pk}/assign/", body, format="json")


def test_poly_takes_a_case_and_the_partner_names_its_engineer(api_for, poly_support, partner_a_admin,
                                                             partner_a_engineer, case):
    taken = assign(api_for(poly_support), case, owner=poly_support.pk)
    assert taken.status_code == 200, taken.content
    assert (taken.json()["owner"], taken.json()["owner_name"]) == (poly_support.pk, poly_support.full_name
                                                                   or poly_support.email)

    named = assign(api_for(partner_a_admin), case, partner_owner=partner_a_engineer.pk, note="Yours.")
    assert named.status_code == 200, named.content
    body = named.json()
    # A partner reads who owns it for Poly as "Poly support", and no Poly user id.
    assert (body["owner"], body["owner_name"], body["partner_owner"]) == (None, "Poly support", partner_a_engineer.pk)
    assert CaseOwnerChange.objects.filter(case=case).count() == 2


def test_poly_puts_a_case_back_in_the_pool(api_for, poly_support, case):
    assign(api_for(poly_support), case, owner=poly_support.pk)
    response = assign(api_for(poly_support), case, owner=None)
    assert response.status_code == 200 and response.json()["owner"] is None


def test_a_partner_may_not_name_the_poly_owner(api_for, partner_a_engineer, poly_support, case):
    response = assign(api_for(partner_a_engineer), case, owner=poly_support.pk)
    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).owner_id is None


@pytest.mark.parametrize("body, field", [
    ({}, "owner"),
    ({"owner": "abc"}, "owner"),
    ({"owner": -1}, "owner"),
    ({"partner_owner": 10**30}, "partner_owner"),
    ({"note": "x" * 501, "owner": None}, "note"),
])
def test_bad_assignments_are_400_and_change_nothing(api_for, poly_support, case, body, field):
    response = assign(api_for(poly_support), case, **body)
    assert response.status_code == 400 and field in response.json()
    assert not CaseOwnerChange.objects.exists()


def test_owners_must_fit_their_side(api_for, poly_support, partner_a_engineer, partner_b_engineer, csm, case):
    assert assign(api_for(poly_support), case, owner=partner_a_engineer.pk).json() == {
        "owner": ["Choose one of Poly's support engineers or escalation managers."]}
    assert assign(api_for(poly_support), case, owner=csm.pk).status_code == 400
    refused = assign(api_for(poly_support), case, partner_owner=partner_b_engineer.pk)
    assert refused.json() == {"partner_owner": ["Choose one of the partner's own engineers."]}


def test_a_partner_cannot_name_another_partners_engineer_and_learns_nothing(api_for, partner_a_admin,
                                                                           partner_b_engineer, case):
    response = assign(api_for(partner_a_admin), case, partner_owner=partner_b_engineer.pk)
    assert response.status_code == 400
    assert response.json() == {"partner_owner": ["Choose one of the partner's own engineers."]}
    assert "wisla" not in response.content.decode().lower()


def test_another_partner_gets_404_for_assign_and_follow(api_for, partner_b_admin, partner_b_engineer, case):
    assert assign(api_for(partner_b_admin), case, partner_owner=partner_b_engineer.pk).status_code == 404
    assert api_for(partner_b_admin).post(f"/api/v1/cases/{case.pk}/follow/", {}, format="json").status_code == 404
    assert not CaseFollower.objects.exists()


def test_anyone_who_sees_a_case_may_follow_it(api_for, customer_viewer, case):
    client = api_for(customer_viewer)
    assert client.post(f"/api/v1/cases/{case.pk}/follow/", {}, format="json").json() == {"follow": True}
    assert CaseFollower.objects.filter(case=case, user=customer_viewer).exists()
    assert client.post(f"/api/v1/cases/{case.pk}/follow/", {"follow": False}, format="json").json() == {
        "follow": False}
    assert not CaseFollower.objects.exists()


def test_notifications_are_the_readers_own_and_can_be_marked_read(api_for, poly_support, partner_a_engineer,
                                                                  partner_b_engineer, customer_viewer, case):
    services.case_comment_add(by=poly_support, case=case, body="Please send logs.")
    fan_out_pending()
    client = api_for(partner_a_engineer)

    listed = client.get("/api/v1/notifications/").json()["results"]
    assert [(n["kind"], n["case"], n["read"]) for n in listed] == [("case_reply", case.pk, False)]
    assert client.get("/api/v1/notifications/unread-count/").json() == {"unread": 1}
    mine = listed[0]["id"]
    viewer_id = Notification.objects.get(recipient=customer_viewer).pk
    # Another person's notification, even of the same partner, is a 404; so for another partner.
    assert client.post(f"/api/v1/notifications/{viewer_id}/mark-read/").status_code == 404
    assert api_for(partner_b_engineer).get(f"/api/v1/notifications/{mine}/").status_code == 404

    marked = client.post(f"/api/v1/notifications/{mine}/mark-read/")
    assert marked.status_code == 200 and marked.json()["read"] is True
    assert client.get("/api/v1/notifications/?read=false").json()["results"] == []
    assert not Notification.objects.get(pk=viewer_id).read


def test_mark_all_read_and_bad_input(api_for, poly_support, partner_a_engineer, case):
    services.case_comment_add(by=poly_support, case=case, body="One.")
    services.case_comment_add(by=poly_support, case=case, body="Two.")
    fan_out_pending()
    client = api_for(partner_a_engineer)
    assert client.post("/api/v1/notifications/mark-read/", {"ids": ["x"]}, format="json").status_code == 400
    assert client.get("/api/v1/notifications/?read=maybe").status_code == 400
    assert client.post("/api/v1/notifications/mark-read/", {}, format="json").json() == {"marked": 2, "unread": 0}


def test_preferences_list_every_kind_and_change(api_for, partner_a_engineer, poly_support):
    client = api_for(partner_a_engineer)
    listed = client.get("/api/v1/notifications/preferences/").json()
    kinds = {item["kind"]: item["delivery"] for item in listed}
    assert kinds["case_reply"] == "immediate" and "case_internal_note" not in kinds  # Poly's alone

    changed = client.put("/api/v1/notifications/preferences/", [{"kind": "case_reply", "delivery": "digest"}],
                         format="json")
    assert changed.status_code == 200
    assert {i["kind"]: i["delivery"] for i in changed.json()}["case_reply"] == "digest"
    assert "case_internal_note" in {i["kind"] for i in api_for(poly_support).get(
        "/api/v1/notifications/preferences/").json()}


@pytest.mark.parametrize("body", [
    [{"kind": "nonsense", "delivery": "off"}],
    [{"kind": "case_reply", "delivery": "sometimes"}],
    [{"kind": "case_internal_note", "delivery": "off"}],
    {"kind": "case_reply"},
])
def test_bad_preferences_are_400_and_change_nothing(api_for, partner_a_engineer, body):
    response = api_for(partner_a_engineer).put("/api/v1/notifications/preferences/", body, format="json")
    assert response.status_code == 400, response.content
    assert not NotificationPreference.objects.exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_notification_list_costs_the_same_at_any_length(api_for, partner_a, partner_a_engineer, rows):
    for number in range(rows):
        Notification.objects.create(key=f"k{number}", partner=partner_a, recipient=partner_a_engineer,
                                    kind="case_reply", title=f"Reply {number}")
    client = api_for(partner_a_engineer)
    client.get("/api/v1/notifications/")  # warm
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/notifications/")
    assert len(response.json()["results"]) == rows
    assert len(queries) <= 8


def test_the_case_list_shows_owners_for_a_fixed_number_of_queries(api_for, poly_support, partner_a_engineer,
                                                                  site_a, case):
    engineer = factories.UserFactory(partner=site_a.partner, role=Role.PARTNER_ENGINEER, email="e2@nordic.example")
    for _ in range(3):
        other = open_case(partner_a_engineer, site_a)
        services.case_assign(by=poly_support, case=other, owner=poly_support, partner_owner=engineer)
    client = api_for(poly_support)
    client.get("/api/v1/cases/")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/cases/")
    for _ in range(10):
        other = open_case(partner_a_engineer, site_a)
        services.case_assign(by=poly_support, case=other, owner=poly_support, partner_owner=engineer)
    with CaptureQueriesContext(connection) as many:
        results = client.get("/api/v1/cases/").json()["results"]
    assert len(many) == len(few)
    assert {r["partner_owner_name"] for r in results} >= {engineer.full_name or engineer.email}
