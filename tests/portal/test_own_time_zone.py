"""A person chooses their own time zone; Poly staff then see case times in it too."""

import pytest

from polyplus.tenancy import services


def test_a_person_sets_their_own_time_zone(client_for, poly_support):
    client = client_for(poly_support)
    page = client.get("/account/time-zone/").content.decode()
    assert '<option value="UTC" selected>' in page and "Europe/Stockholm" in page
    response = client.post("/account/time-zone/", {"time_zone": "Asia/Tokyo"})
    assert response.status_code == 302
    poly_support.refresh_from_db()
    assert poly_support.time_zone == "Asia/Tokyo"
    assert "(Asia/Tokyo)" in client.get("/dashboard/").content.decode()  # the account menu names it


def test_an_unknown_time_zone_is_refused_and_changes_nothing(client_for, partner_a_engineer):
    response = client_for(partner_a_engineer).post("/account/time-zone/", {"time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert 'href="#id_time_zone"' in response.content.decode()
    partner_a_engineer.refresh_from_db()
    assert partner_a_engineer.time_zone == "UTC"


def test_the_service_refuses_a_zone_that_does_not_exist(partner_a_engineer):
    with pytest.raises(Exception, match="not a known time zone"):
        services.user_time_zone_set(by=partner_a_engineer, time_zone="Europe/Atlantis")


def test_signed_out_visitors_are_sent_to_sign_in(client, db):
    assert client.get("/account/time-zone/").status_code == 302
