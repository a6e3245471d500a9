"""The audit log page: a partner admin sees its own partner's changes, Poly staff all of them."""

import re

import pytest

from tests import factories


def audit_html(client) -> str:
    response = client.get("/audit/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_partner_admin_sees_its_own_partners_changes_only(client_for, partner_a_admin, customer_a, customer_b,
                                                            partner_b_engineer, site_b):
    html = audit_html(client_for(partner_a_admin))
    assert customer_a.name in html
    assert customer_b.name not in html
    assert partner_b_engineer.email not in html
    assert site_b.site_id not in html


def test_a_partner_admin_sees_who_of_its_own_people_changed_what(client_for, partner_a_admin, customer_a):
    client = client_for(partner_a_admin)
    client.post(f"/customers/{customer_a.pk}/edit/", {"name": "Volvo Cars Torslanda"})
    html = audit_html(client)
    row = html[html.index("Volvo Cars Torslanda") - 600:]
    assert "Changed" in row
    assert '<span class="before">Volvo Cars Göteborg</span>' in row
    assert '<span class="after">Volvo Cars Torslanda</span>' in row
    assert partner_a_admin.email in row


def test_changes_by_poly_staff_show_as_poly_staff_to_a_partner_admin(client_for, poly_admin, partner_a_admin,
                                                                     customer_a):
    client_for(poly_admin).post(f"/customers/{customer_a.pk}/edit/", {"name": "Renamed by Poly"})
    html = audit_html(client_for(partner_a_admin))
    assert "Renamed by Poly" in html
    assert "Poly staff" in html
    assert poly_admin.email not in html
    assert "test setup" not in html


def test_poly_staff_see_every_partners_changes_and_who_made_them(client_for, poly_admin, poly_support, customer_a,
                                                                 customer_b):
    client_for(poly_admin).post(f"/customers/{customer_b.pk}/edit/", {"name": "Orlen Płock Refinery"})
    html = audit_html(client_for(poly_support))
    assert customer_a.name in html
    assert "Orlen Płock Refinery" in html
    assert poly_admin.email in html


@pytest.mark.parametrize("persona", ["partner_a_engineer", "customer_viewer", "csm"])
def test_other_roles_may_not_read_the_audit_log(db, request, client_for, persona):
    assert client_for(request.getfixturevalue(persona)).get("/audit/").status_code == 403


def test_the_audit_log_is_newest_first_and_paginated(client_for, partner_a_admin, partner_a):
    for n in range(60):
        factories.CustomerFactory(partner=partner_a, name=f"Audited {n:02d}")
    client = client_for(partner_a_admin)
    html = audit_html(client)
    assert html.index("Audited 59") < html.index("Audited 58")
    assert "Audited 00" not in html
    assert "Audited 00" in client.get("/audit/", {"page": 2}).content.decode()


def test_the_audit_log_costs_the_same_queries_for_3_or_30_events(client_for, partner_a_admin, partner_a,
                                                                django_assert_max_num_queries):
    for _ in range(3):
        factories.CustomerFactory(partner=partner_a)
    client = client_for(partner_a_admin)
    with django_assert_max_num_queries(20) as few:
        client.get("/audit/")
    for _ in range(27):
        factories.CustomerFactory(partner=partner_a)
    with django_assert_max_num_queries(20) as many:
        client.get("/audit/")
    assert len(many) == len(few)


# ---- readable: objects by their own number or name, local times, no storage paths ------------

@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def logged_case(media, site_a, partner_a_engineer, poly_support):
    from tests.tickets import PNG, cover, open_case, upload
    from tickets import services as case_services

    cover(site_a)
    device = factories.DeviceFactory(site=site_a, serial="SEGOTCODEC01")
    case = open_case(partner_a_engineer, site_a)
    case_services.case_comment_add(by=partner_a_engineer, case=case, body="Photo of the rack.",
                                   uploads=(upload("rack.png", PNG),))
    return case, device


def test_objects_are_named_by_their_own_number_serial_or_name(client_for, partner_a_admin, logged_case, csm,
                                                              customer_a):
    case, device = logged_case
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    html = audit_html(client_for(partner_a_admin))
    assert case.number in html
    assert f"on service case {case.number}" in html or f"on case {case.number}" in html
    assert device.serial in html
    assert f"on customer {customer_a.name}" in html
    assert not re.search(r"<strong>#\d+</strong>", html)  # no row is named by a bare id


def test_no_storage_path_is_shown_only_the_files_name(client_for, partner_a_admin, poly_support, logged_case):
    for user in (partner_a_admin, poly_support):
        html = audit_html(client_for(user))
        assert "rack.png" in html
        assert "case-attachments/" not in html and "brand-logos/" not in html


def test_times_are_marked_for_the_readers_own_zone_and_named_until_then(client_for, partner_a_admin, customer_a):
    html = audit_html(client_for(partner_a_admin))
    match = re.search(r'<time datetime="([^"]+)" data-local>([^<]+)</time>', html)
    assert match, html
    assert match.group(1).endswith("+00:00") and match.group(2).endswith(" UTC")


# ---- filters: who, what and when ---------------------------------------------------------------

def test_the_log_filters_by_who(client_for, partner_a_admin, poly_admin, customer_a, site_a):
    client_for(partner_a_admin).post(f"/customers/{customer_a.pk}/edit/", {"name": "Renamed by admin"})
    client_for(poly_admin).post(f"/customers/{customer_a.pk}/edit/", {"name": "Renamed by Poly"})
    client = client_for(partner_a_admin)
    mine = client.get("/audit/", {"who": "admin@nordic"}).content.decode()
    assert "Renamed by admin" in mine and "Renamed by Poly" not in mine and site_a.site_id not in mine
    # A few letters of an address are an address search, even letters that "Poly staff" contains.
    assert "Renamed by admin" in client.get("/audit/", {"who": "a"}).content.decode()
    staff = client.get("/audit/", {"who": "Poly staff"}).content.decode()
    assert "Renamed by Poly" in staff and "Renamed by admin</span>" not in staff.split("Renamed by Poly")[0]
    # A partner admin cannot find Poly's work by a staff member's address.
    assert "Renamed by Poly" not in client.get("/audit/", {"who": poly_admin.email}).content.decode()
    by_poly = client_for(poly_admin).get("/audit/", {"who": poly_admin.email}).content.decode()
    assert "Renamed by Poly" in by_poly


def test_the_log_filters_by_kind_of_object(client_for, partner_a_admin, customer_a, site_a):
    html = client_for(partner_a_admin).get("/audit/", {"kind": "tenancy.Site"}).content.decode()
    assert site_a.site_id in html
    assert f"<strong>{customer_a.name}</strong>" not in html
    assert '<option value="tenancy.Site" selected>Site</option>' in html


def test_the_log_filters_by_day(client_for, partner_a_admin, customer_a):
    import datetime

    client = client_for(partner_a_admin)
    today = datetime.datetime.now(datetime.UTC).date()
    assert customer_a.name in client.get("/audit/", {"since": today, "until": today}).content.decode()
    tomorrow = today + datetime.timedelta(days=1)
    later = client.get("/audit/", {"since": tomorrow}).content.decode()
    assert customer_a.name not in later and "No changes recorded" in later


@pytest.mark.parametrize("params", [{"since": "2026-02-30"}, {"until": "yesterday"}, {"who": "a\x00b"},
                                    {"kind": "tickets.Nope"}, {"since": "99999-01-01"}])
def test_a_bad_filter_is_an_error_next_to_its_field_never_a_500(client_for, partner_a_admin, customer_a, params):
    response = client_for(partner_a_admin).get("/audit/", params)
    assert response.status_code == 200
    assert 'class="errorlist field-errors"' in response.content.decode()


def test_the_audit_log_costs_the_same_queries_for_3_or_30_cases_comments_and_devices(
        client_for, partner_a_admin, site_a, partner_a_engineer, media, django_assert_max_num_queries):
    from tests.tickets import cover, open_case
    from tickets import services as case_services

    cover(site_a)

    def add(count):
        for _ in range(count):
            case = open_case(partner_a_engineer, site_a)
            case_services.case_comment_add(by=partner_a_engineer, case=case, body="More logs.")
            factories.DeviceFactory(site=site_a)

    add(1)
    client = client_for(partner_a_admin)
    with django_assert_max_num_queries(30) as few:
        client.get("/audit/")
    add(10)
    with django_assert_max_num_queries(30) as many:
        client.get("/audit/")
    assert len(many) == len(few)
