from allauth.mfa.models import Authenticator


def test_poly_staff_without_totp_are_sent_to_set_it_up_when_required(settings, client_for, poly_support):
    settings.POLYPLUS_REQUIRE_STAFF_MFA = True

    response = client_for(poly_support).get("/dashboard/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_poly_staff_with_totp_reach_the_portal_when_required(settings, client_for, poly_support):
    settings.POLYPLUS_REQUIRE_STAFF_MFA = True
    Authenticator.objects.create(user=poly_support, type=Authenticator.Type.TOTP, data={"secret": "x"})

    response = client_for(poly_support).get("/dashboard/")

    assert response.status_code == 200


def test_partner_users_are_not_forced_into_totp(settings, client_for, partner_a_engineer):
    settings.POLYPLUS_REQUIRE_STAFF_MFA = True

    response = client_for(partner_a_engineer).get("/dashboard/")

    assert response.status_code == 200
