"""Pages: owners on the case page, the queue's per-person views, the notification list and the
preferences. Same rules as the API: another partner's case is a 404, a role that may not act a 403."""

import pytest

from polyplus.notifications import services as notification_services
from polyplus.notifications.models import Notification, NotificationPreference
from polyplus.tenancy.models import Role
from tests import factories
from tests.notifications import fan_out_pending
from tests.tickets import cover, open_case
from tickets import services
from tickets.models import Case, CaseFollower, CaseOwnerChange, SeverityOneFollower


@pytest.fixture
def case(partner_a_engineer, site_a):
    cover(site_a)
    return open_case(partner_a_engineer, site_a, subject="Codec reboots every hour")


def test_poly_takes_a_case_from_its_page_and_it_shows_on_the_timeline(client_for, poly_support, case):
    client = client_for(poly_support)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="take-case"' in page and "Unassigned" in page

    response = client.post(f"/cases/{case.pk}/owner/", {"action": "take"})

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).owner == poly_support
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Owner: " in page and 'id="release-case"' in page and 'id="take-case"' not in page


def test_poly_hands_over_with_a_note_and_puts_back(client_for, poly_support, case):
    colleague = factories.PolyStaffFactory(role=Role.POLY_SUPPORT, email="night@poly.example", full_name="Night Shift")
    client = client_for(poly_support)
    client.post(f"/cases/{case.pk}/owner/", {"action": "hand_over", "owner": colleague.pk,
                                             "note": "Customer calls back at 22:00."})
    assert Case.objects.get(pk=case.pk).owner == colleague
    assert "Customer calls back at 22:00." in client.get(f"/cases/{case.pk}/").content.decode()

    client.post(f"/cases/{case.pk}/owner/", {"action": "release"})
    assert Case.objects.get(pk=case.pk).owner is None
    assert CaseOwnerChange.objects.filter(case=case).count() == 2


def test_handing_over_to_nobody_shows_the_error_and_changes_nothing(client_for, poly_support, case):
    response = client_for(poly_support).post(f"/cases/{case.pk}/owner/", {"action": "hand_over", "owner": ""})
    assert response.status_code == 200 and "Choose who takes the case over." in response.content.decode()
    assert not CaseOwnerChange.objects.exists()


def test_a_partner_names_its_engineer_but_not_the_poly_owner(client_for, partner_a_admin, partner_a_engineer,
                                                              poly_support, case):
    client = client_for(partner_a_admin)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="take-case"' not in page and 'id="save-partner-owner"' in page
    client.post(f"/cases/{case.pk}/owner/", {"action": "partner_owner", "partner_owner": partner_a_engineer.pk})
    assert Case.objects.get(pk=case.pk).partner_owner == partner_a_engineer

    assert client.post(f"/cases/{case.pk}/owner/", {"action": "take"}).status_code == 403
    assert client.post(f"/cases/{case.pk}/owner/", {"action": "hand_over",
                                                    "owner": poly_support.pk}).status_code == 403
    assert Case.objects.get(pk=case.pk).owner is None


def test_a_partner_reads_the_poly_owner_as_poly_support(client_for, poly_support, partner_a_engineer, case):
    services.case_assign(by=poly_support, case=case, owner=poly_support)
    page = client_for(partner_a_engineer).get(f"/cases/{case.pk}/").content.decode()
    assert "Poly support" in page and poly_support.email not in page


def test_another_partner_gets_404_for_owner_and_follow(client_for, partner_b_admin, partner_b_engineer, case):
    client = client_for(partner_b_admin)
    assert client.post(f"/cases/{case.pk}/owner/", {"action": "partner_owner",
                                                    "partner_owner": partner_b_engineer.pk}).status_code == 404
    assert client.post(f"/cases/{case.pk}/follow/", {"follow": "1"}).status_code == 404
    assert not CaseFollower.objects.exists() and not CaseOwnerChange.objects.exists()


def test_a_partner_cannot_pick_another_partners_engineer(client_for, partner_a_admin, partner_b_engineer, case):
    response = client_for(partner_a_admin).post(f"/cases/{case.pk}/owner/", {
        "action": "partner_owner", "partner_owner": partner_b_engineer.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert Case.objects.get(pk=case.pk).partner_owner is None


def test_an_unknown_owner_action_is_refused_in_words(client_for, poly_support, case):
    response = client_for(poly_support).post(f"/cases/{case.pk}/owner/", {"action": "steal"})
    assert response.status_code == 200 and "Choose what should happen" in response.content.decode()


def test_a_customer_viewer_may_follow_its_case(client_for, customer_viewer, case):
    client = client_for(customer_viewer)
    assert 'id="follow-case"' in client.get(f"/cases/{case.pk}/").content.decode()
    client.post(f"/cases/{case.pk}/follow/", {"follow": "1"})
    assert CaseFollower.objects.filter(user=customer_viewer, case=case).exists()
    client.post(f"/cases/{case.pk}/follow/", {"follow": "0"})
    assert not CaseFollower.objects.exists()


def test_a_partner_admin_follows_every_severity_one_case_from_the_list(client_for, partner_a_admin,
                                                                       partner_a_engineer):
    client = client_for(partner_a_admin)
    assert 'id="follow-severity-one"' in client.get("/cases/").content.decode()
    client.post("/cases/follow-severity-1/", {"follow": "1"})
    assert SeverityOneFollower.objects.filter(user=partner_a_admin).exists()
    assert client_for(partner_a_engineer).post("/cases/follow-severity-1/", {"follow": "1"}).status_code == 403


def test_the_queue_views_count_and_narrow(client_for, poly_support, partner_a_engineer, site_a, case):
    mine = open_case(partner_a_engineer, site_a, subject="Mine")
    services.case_assign(by=poly_support, case=mine, owner=poly_support)
    client = client_for(poly_support)

    page = client.get("/cases/queue/").content.decode()
    assert 'data-view="mine"' in page and 'data-view="unassigned"' in page and 'data-view="escalations"' in page

    mine_page = client.get("/cases/queue/?view=mine").content.decode()
    assert mine.number in mine_page and case.number not in mine_page
    unassigned = client.get("/cases/queue/?view=unassigned").content.decode()
    assert case.number in unassigned and mine.number not in unassigned
    by_owner = client.get(f"/cases/queue/?owner={poly_support.pk}").content.decode()
    assert mine.number in by_owner and case.number not in by_owner
    assert client.get("/cases/queue/?owner=nonsense&view=bogus").status_code == 200


def test_my_escalations_are_the_escalated_cases_i_own_or_follow(client_for, poly_support, escalation_manager,
                                                                 partner_a_engineer, site_a, case):
    services.case_assign(by=poly_support, case=case, owner=poly_support)
    services.case_escalate(by=poly_support, case=case, reason="Needs a specialist.")
    other = open_case(partner_a_engineer, site_a, subject="Someone else's")
    services.case_escalate(by=escalation_manager, case=other, reason="Loud customer.")

    followed = client_for(poly_support).get("/cases/queue/?view=escalations").content.decode()
    assert case.number in followed and other.number not in followed
    owned = client_for(escalation_manager).get("/cases/queue/?view=escalations").content.decode()
    assert case.number in owned and other.number in owned


def test_the_queue_costs_the_same_queries_with_owners(client_for, poly_support, partner_a_engineer, site_a,
                                                      django_assert_max_num_queries):
    def add(count):
        for _ in range(count):
            services.case_assign(by=poly_support, case=open_case(partner_a_engineer, site_a), owner=poly_support)

    add(3)
    client = client_for(poly_support)
    with django_assert_max_num_queries(20) as few:
        client.get("/cases/queue/?view=mine")
    add(27)
    with django_assert_max_num_queries(20) as many:
        client.get("/cases/queue/?view=mine")
    assert len(many) == len(few)


def test_the_notification_list_badge_and_marking_read(client_for, poly_support, partner_a_engineer,
                                                      partner_b_engineer, case):
    services.case_comment_add(by=poly_support, case=case, body="Please send logs.")
    fan_out_pending()
    client = client_for(partner_a_engineer)

    assert 'data-unread="1"' in client.get("/notifications/unread/").content.decode()
    page = client.get("/notifications/").content.decode()
    assert "Poly support replied" in page and "1 unread" in page
    mine = Notification.objects.get(recipient=partner_a_engineer)
    assert client_for(partner_b_engineer).post(f"/notifications/{mine.pk}/open/").status_code == 404

    opened = client.post(f"/notifications/{mine.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.pk}/"
    assert Notification.objects.get(pk=mine.pk).read
    assert "data-unread" not in client.get("/notifications/unread/").content.decode()


def test_mark_all_read(client_for, poly_support, partner_a_engineer, case):
    services.case_comment_add(by=poly_support, case=case, body="One.")
    services.case_comment_add(by=poly_support, case=case, body="Two.")
    fan_out_pending()
    client_for(partner_a_engineer).post("/notifications/read/")
    assert not Notification.objects.filter(recipient=partner_a_engineer, read_at__isnull=True).exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_notification_list_costs_the_same_queries(client_for, partner_a, partner_a_engineer, rows,
                                                      django_assert_max_num_queries):
    for number in range(rows):
        Notification.objects.create(key=f"k{number}", partner=partner_a, recipient=partner_a_engineer,
                                    kind="case_reply", title=f"Reply {number}")
    client = client_for(partner_a_engineer)
    with django_assert_max_num_queries(12):
        assert client.get("/notifications/").status_code == 200


def test_preferences_page_saves_each_kind(client_for, partner_a_engineer):
    client = client_for(partner_a_engineer)
    page = client.get("/notifications/preferences/").content.decode()
    assert "A public reply on a case" in page and "internal note" not in page

    kinds = dict(notification_services.kinds_for(partner_a_engineer))
    assert {"case_reply", "case_assigned", "rma_shipped", "ecps_news"} <= set(kinds)
    assert "case_internal_note" not in kinds and "ecps_request" not in kinds  # Poly's alone
    data = dict.fromkeys(kinds, "immediate")
    data["case_reply"] = "digest"
    assert client.post("/notifications/preferences/", data).status_code == 302
    assert NotificationPreference.objects.get(user=partner_a_engineer, kind="case_reply").delivery == "digest"

    data["case_status"] = "sometimes"
    response = client.post("/notifications/preferences/", data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert NotificationPreference.objects.get(user=partner_a_engineer, kind="case_status").delivery == "immediate"


def test_the_navigation_links_to_notifications(client_for, customer_viewer):
    page = client_for(customer_viewer).get("/notifications/").content.decode()
    assert 'href="/notifications/"' in page and 'hx-get="/notifications/unread/"' in page
