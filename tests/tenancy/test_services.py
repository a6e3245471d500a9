"""Every permission and validation branch of the tenancy services.

Each write runs in the acting person's own context (as a request would), so row-level
security takes part; each refusal is checked to have written nothing.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from polyplus.tenancy import services
from polyplus.tenancy.context import user_context
from polyplus.tenancy.models import (
    ApiToken,
    Certification,
    CsmAssignment,
    Customer,
    Partner,
    PartnerDomain,
    Role,
    ServiceCategory,
    Site,
    TrainingRecord,
    User,
)
from tests import factories

TODAY = datetime.date(2025, 3, 1)



def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def site_fields(**overrides) -> dict:
    fields = {"site_id": "SE-STO-100", "name": "Stockholm HQ", "address": "Kungsgatan 1, Stockholm",
              "country": "SE", "subdivision": "SE-AB", "timezone_name": "Europe/Stockholm"}
    return {**fields, **overrides}


# ---- who may act ---------------------------------------------------------------------------

def test_roles_a_partner_admin_may_grant_are_the_partner_roles_only(partner_a_admin, poly_admin, partner_a_engineer):
    assert set(services.roles_grantable_by(partner_a_admin)) == {
        Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER, Role.CUSTOMER_VIEWER}
    assert set(services.roles_grantable_by(poly_admin)) == set(Role.values)
    assert services.roles_grantable_by(partner_a_engineer) == []


def test_a_partner_admin_administers_only_its_own_partner(partner_a_admin, partner_b, poly_admin):
    services.require_partner_admin_of(partner_a_admin, partner_a_admin.partner)
    services.require_partner_admin_of(poly_admin, partner_b)
    with pytest.raises(PermissionDenied):
        services.require_partner_admin_of(partner_a_admin, partner_b)


@pytest.mark.parametrize("persona", ["poly_support", "csm", "escalation_manager", "partner_a_admin"])
def test_only_a_poly_admin_passes_the_poly_admin_check(request, db, persona):
    with pytest.raises(PermissionDenied):
        services.require_poly_admin(request.getfixturevalue(persona))


# ---- validation helpers --------------------------------------------------------------------

@pytest.mark.parametrize("code", ["", "XX", "SWE", "Sweden", "s", "ÅÖ", "1"])
def test_it_refuses_what_is_not_an_iso_country_code(code):
    with pytest.raises(ValidationError) as excinfo:
        services.validate_country(code)
    assert "country" in errors_of(excinfo)


def test_it_normalises_a_country_code(db):
    assert services.validate_country(" se ") == "SE"


@pytest.mark.parametrize(("country", "code"), [("SE", "PL-14"), ("SE", "SE-ZZ"), ("PL", "XX-YY"), ("SE", "Ö")])
def test_it_refuses_a_subdivision_that_is_not_the_countrys(country, code):
    with pytest.raises(ValidationError) as excinfo:
        services.validate_subdivision(country, code)
    assert country in errors_of(excinfo)["subdivision"][0]


def test_a_subdivision_is_optional_and_normalised():
    assert services.validate_subdivision("SE", "") == ""
    assert services.validate_subdivision("SE", "se-ab") == "SE-AB"


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "europe/stockholm", "CET+1", "Europe/Stockholmé"])
def test_it_refuses_an_unknown_time_zone(name):
    with pytest.raises(ValidationError) as excinfo:
        services.validate_timezone(name)
    assert "timezone" in errors_of(excinfo)


def test_it_accepts_an_iana_time_zone_name():
    assert services.validate_timezone(" Europe/Stockholm ") == "Europe/Stockholm"


# ---- partners ------------------------------------------------------------------------------

def test_a_poly_admin_registers_a_partner_with_its_brand(poly_admin):
    with user_context(poly_admin):
        partner = services.partner_create(by=poly_admin, name=" Baltic AV ", slug="baltic-av",
                                          primary_color="#112233")
    assert partner.name == "Baltic AV"
    assert partner.brand.display_name == "Baltic AV" and partner.brand.primary_color == "#112233"


@pytest.mark.parametrize("persona", ["poly_support", "partner_a_admin"])
def test_only_a_poly_admin_registers_or_renames_partners(request, db, persona, partner_b):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.partner_create(by=actor, name="Sneaky", slug="sneaky")
    with pytest.raises(PermissionDenied):
        services.partner_update(by=actor, partner=partner_b, name="Renamed", slug="renamed", is_active=True)
    assert not Partner.objects.filter(slug__in=["sneaky", "renamed"]).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "Nordic Collaboration AB", "slug": "fresh"}, "name"),
        ({"name": "Fresh", "slug": "nordic"}, "slug"),
        ({"name": "Fresh", "slug": "Not A Slug"}, "slug"),
        ({"name": "", "slug": "fresh"}, "name"),
        ({"name": "Fresh", "slug": "fresh", "primary_color": "blue"}, "primary_color"),
    ],
)
def test_it_refuses_a_duplicate_or_invalid_partner(poly_admin, partner_a, fields, field):
    count = Partner.objects.count()
    with user_context(poly_admin), pytest.raises(ValidationError) as excinfo:
        services.partner_create(by=poly_admin, **fields)
    assert field in errors_of(excinfo)
    assert Partner.objects.count() == count


def test_a_partner_update_refuses_another_partners_name(poly_admin, partner_a, partner_b):
    with user_context(poly_admin), pytest.raises(ValidationError) as excinfo:
        services.partner_update(by=poly_admin, partner=partner_b, name=partner_a.name, slug="wisla", is_active=True)
    assert "name" in errors_of(excinfo)


def test_a_partner_admin_rebrands_its_own_partner_but_no_other(partner_a_admin, partner_b):
    with user_context(partner_a_admin):
        brand = services.partner_brand_update(by=partner_a_admin, partner=partner_a_admin.partner,
                                              display_name="Nordic Support", primary_color="#000000",
                                              accent_color="#ffffff")
    assert brand.display_name == "Nordic Support"
    with pytest.raises(PermissionDenied):
        services.partner_brand_update(by=partner_a_admin, partner=partner_b, display_name="Hijacked",
                                      primary_color="#000000", accent_color="#ffffff")
    with user_context(partner_a_admin), pytest.raises(ValidationError) as excinfo:
        services.partner_brand_update(by=partner_a_admin, partner=partner_a_admin.partner, display_name="x",
                                      primary_color="red", accent_color="#ffffff")
    assert "primary_color" in errors_of(excinfo)


def test_a_host_name_serves_one_partner_only(poly_admin, partner_a, partner_b, partner_a_admin):
    with user_context(poly_admin):
        services.partner_domain_add(by=poly_admin, partner=partner_a, host="Support.Nordic.example")
        with pytest.raises(ValidationError) as excinfo:
            services.partner_domain_add(by=poly_admin, partner=partner_b, host="support.nordic.example")
        assert errors_of(excinfo) == {"host": ["This host name is already in use."]}
        with pytest.raises(ValidationError):
            services.partner_domain_add(by=poly_admin, partner=partner_b, host="not a host")
    with pytest.raises(PermissionDenied):
        services.partner_domain_add(by=partner_a_admin, partner=partner_a, host="other.nordic.example")
    domain = PartnerDomain.objects.get()
    with pytest.raises(PermissionDenied):
        services.partner_domain_remove(by=partner_a_admin, domain=domain)
    with user_context(poly_admin):
        services.partner_domain_remove(by=poly_admin, domain=domain)
    assert not PartnerDomain.objects.exists()


# ---- certifications and training -----------------------------------------------------------

def test_a_poly_admin_certifies_a_partner_and_renews_in_place(poly_admin, partner_a):
    with user_context(poly_admin):
        first = services.certification_set(by=poly_admin, partner=partner_a, category=ServiceCategory.VIDEO,
                                           certified_on=TODAY, expires_on=TODAY + datetime.timedelta(days=365))
        renewed = services.certification_set(by=poly_admin, partner=partner_a, category=ServiceCategory.VIDEO,
                                             certified_on=TODAY, expires_on=TODAY + datetime.timedelta(days=730))
    assert renewed.pk == first.pk
    assert Certification.objects.get().expires_on == TODAY + datetime.timedelta(days=730)


def test_a_certification_can_expire_on_the_day_it_starts(poly_admin, partner_a):
    with user_context(poly_admin):
        certification = services.certification_set(by=poly_admin, partner=partner_a, category="voice",
                                                   certified_on=TODAY, expires_on=TODAY)
    assert certification.is_current(TODAY)


@pytest.mark.parametrize(
    ("category", "expires_on", "field"),
    [("video", TODAY - datetime.timedelta(days=1), "expires_on"), ("printers", TODAY, "category"),
     ("", TODAY, "category")],
)
def test_it_refuses_an_unknown_category_or_an_expiry_before_the_start(poly_admin, partner_a, category, expires_on,
                                                                        field):
    with user_context(poly_admin), pytest.raises(ValidationError) as excinfo:
        services.certification_set(by=poly_admin, partner=partner_a, category=category, certified_on=TODAY,
                                   expires_on=expires_on)
    assert field in errors_of(excinfo)
    assert not Certification.objects.exists()


def test_only_a_poly_admin_certifies_or_removes_a_certification(partner_a_admin, partner_a):
    with pytest.raises(PermissionDenied):
        services.certification_set(by=partner_a_admin, partner=partner_a, category="video", certified_on=TODAY,
                                   expires_on=TODAY)
    certification = factories.CertificationFactory(partner=partner_a)
    with pytest.raises(PermissionDenied):
        services.certification_delete(by=partner_a_admin, certification=certification)
    assert Certification.objects.filter(pk=certification.pk).exists()


def test_training_is_recorded_for_a_partners_engineers_only(poly_admin, partner_a_engineer, customer_viewer,
                                                             poly_support):
    with user_context(poly_admin):
        record = services.training_record_create(by=poly_admin, engineer=partner_a_engineer, category="video",
                                                 course="Video 101", completed_on=TODAY, expires_on=TODAY)
        assert record.partner_id == partner_a_engineer.partner_id
        for someone in (customer_viewer, poly_support):
            with pytest.raises(ValidationError) as excinfo:
                services.training_record_create(by=poly_admin, engineer=someone, category="video", course="x",
                                                completed_on=TODAY, expires_on=TODAY)
            assert "engineer" in errors_of(excinfo)
        with pytest.raises(ValidationError) as excinfo:
            services.training_record_create(by=poly_admin, engineer=partner_a_engineer, category="video",
                                            course="x", completed_on=TODAY, expires_on=TODAY - datetime.timedelta(1))
        assert "expires_on" in errors_of(excinfo)
        with pytest.raises(ValidationError) as excinfo:
            services.training_record_create(by=poly_admin, engineer=partner_a_engineer, category="fax",
                                            course="x", completed_on=TODAY, expires_on=TODAY)
        assert "category" in errors_of(excinfo)
    with pytest.raises(PermissionDenied):
        services.training_record_create(by=partner_a_engineer, engineer=partner_a_engineer, category="video",
                                        course="Self-certified", completed_on=TODAY, expires_on=TODAY)
    with pytest.raises(PermissionDenied):
        services.training_record_delete(by=partner_a_engineer, record=record)
    assert TrainingRecord.objects.count() == 1


# ---- customers -----------------------------------------------------------------------------

def test_a_partner_admin_adds_a_customer_to_its_partner(partner_a_admin):
    with user_context(partner_a_admin):
        customer = services.customer_create(by=partner_a_admin, partner=partner_a_admin.partner,
                                            name=" Saab AB ", master_account_id=" ma-001 ")
    assert (customer.name, customer.master_account_id) == ("Saab AB", "MA-001")


@pytest.mark.parametrize("persona", ["partner_a_engineer", "customer_viewer", "poly_support", "csm",
                                     "partner_b_admin"])
def test_only_the_partners_admin_or_a_poly_admin_adds_or_renames_its_customers(request, db, persona, customer_a):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.customer_create(by=actor, partner=customer_a.partner, name="Sneaky")
    with pytest.raises(PermissionDenied):
        services.customer_update(by=actor, customer=customer_a, name="Renamed")
    customer_a.refresh_from_db()
    assert customer_a.name == "Volvo Cars Göteborg"
    assert not Customer.objects.filter(name="Sneaky").exists()


def test_a_customer_name_is_unique_per_partner_but_free_across_partners(partner_a_admin, partner_b_admin,
                                                                        customer_a):
    with user_context(partner_a_admin), pytest.raises(ValidationError) as excinfo:
        services.customer_create(by=partner_a_admin, partner=partner_a_admin.partner, name=customer_a.name)
    assert errors_of(excinfo) == {"name": ["This partner already has a customer with this name."]}
    with user_context(partner_b_admin):
        other = services.customer_create(by=partner_b_admin, partner=partner_b_admin.partner, name=customer_a.name)
    assert other.partner == partner_b_admin.partner
    assert Customer.objects.filter(name=customer_a.name).count() == 2


def test_a_master_account_id_is_unique_per_partner_and_well_formed(partner_a_admin, customer_a):
    with user_context(partner_a_admin):
        services.customer_update(by=partner_a_admin, customer=customer_a, name=customer_a.name,
                                 master_account_id="MA-1")
        with pytest.raises(ValidationError) as excinfo:
            services.customer_create(by=partner_a_admin, partner=partner_a_admin.partner, name="Other",
                                     master_account_id="ma-1")
        assert "master_account_id" in errors_of(excinfo)
        with pytest.raises(ValidationError) as excinfo:
            services.customer_create(by=partner_a_admin, partner=partner_a_admin.partner, name="Other",
                                     master_account_id="MA 1!")
        assert "master_account_id" in errors_of(excinfo)
    assert not Customer.objects.filter(name="Other").exists()


# ---- sites ---------------------------------------------------------------------------------

def test_a_partner_admin_adds_a_site_with_normalised_codes(partner_a_admin, customer_a):
    with user_context(partner_a_admin):
        site = services.site_create(by=partner_a_admin, customer=customer_a,
                                    **site_fields(site_id="se-sto-100", country="se", subdivision="se-ab"))
    assert (site.site_id, site.country, site.subdivision, site.partner_id) == (
        "SE-STO-100", "SE", "SE-AB", customer_a.partner_id)


def test_a_site_needs_no_subdivision(partner_a_admin, customer_a):
    with user_context(partner_a_admin):
        site = services.site_create(by=partner_a_admin, customer=customer_a, **site_fields(subdivision=""))
    assert site.subdivision == ""


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"country": "XX"}, {"country"}),
        ({"country": "Sweden"}, {"country"}),
        ({"subdivision": "PL-14"}, {"subdivision"}),
        ({"subdivision": "SE-ZZ"}, {"subdivision"}),
        ({"timezone_name": "Mars/Olympus"}, {"timezone"}),
        ({"site_id": "a b"}, {"site_id"}),
        ({"site_id": "AB"}, {"site_id"}),
        ({"name": ""}, {"name"}),
        ({"country": "XX", "timezone_name": "Nowhere", "site_id": "!"}, {"country", "timezone", "site_id"}),
    ],
)
def test_it_refuses_an_invalid_site_and_names_every_bad_field(partner_a_admin, customer_a, overrides, fields):
    with user_context(partner_a_admin), pytest.raises(ValidationError) as excinfo:
        services.site_create(by=partner_a_admin, customer=customer_a, **site_fields(**overrides))
    assert set(errors_of(excinfo)) == fields
    assert not Site.objects.exists()


def test_a_site_id_taken_by_another_partner_is_refused_without_saying_whose(partner_a_admin, customer_a, site_b):
    with user_context(partner_a_admin):
        with pytest.raises(ValidationError) as foreign:
            services.site_create(by=partner_a_admin, customer=customer_a, **site_fields(site_id=site_b.site_id))
        factories.SiteFactory(customer=customer_a, site_id="SE-OWN-001")
        with pytest.raises(ValidationError) as own:
            services.site_create(by=partner_a_admin, customer=customer_a, **site_fields(site_id="se-own-001"))
    assert errors_of(foreign) == errors_of(own) == {"site_id": ["This Site ID is already in use."]}
    assert Site.objects.filter(site_id=site_b.site_id).get().partner_id == site_b.partner_id


def test_a_site_is_changed_only_by_its_partners_admin(partner_a_admin, partner_b_admin, partner_a_engineer, site_a):
    for actor in (partner_b_admin, partner_a_engineer):
        with pytest.raises(PermissionDenied):
            services.site_update(by=actor, site=site_a, **site_fields())
        with pytest.raises(PermissionDenied):
            services.site_create(by=actor, customer=site_a.customer, **site_fields())
    with user_context(partner_a_admin):
        services.site_update(by=partner_a_admin, site=site_a, **site_fields(site_id="SE-GOT-002"))
    site_a.refresh_from_db()
    assert site_a.site_id == "SE-GOT-002"


def test_a_site_update_refuses_invalid_codes_and_keeps_the_old_ones(partner_a_admin, site_a):
    with user_context(partner_a_admin), pytest.raises(ValidationError):
        services.site_update(by=partner_a_admin, site=site_a, **site_fields(country="ZZ"))
    site_a.refresh_from_db()
    assert site_a.country == "SE"


# ---- users ---------------------------------------------------------------------------------

def test_a_partner_admin_creates_an_engineer_of_its_own_partner(partner_a_admin):
    with user_context(partner_a_admin):
        user = services.user_create(by=partner_a_admin, email=" New.Eng@Nordic.Example ", full_name="New Eng",
                                    role=Role.PARTNER_ENGINEER, partner=partner_a_admin.partner)
    assert user.email == "new.eng@nordic.example"
    assert not user.has_usable_password()


def test_a_partner_admin_creates_a_customer_viewer_for_its_own_customer(partner_a_admin, customer_a):
    with user_context(partner_a_admin):
        user = services.user_create(by=partner_a_admin, email="viewer@volvo.example", full_name="Viewer",
                                    role=Role.CUSTOMER_VIEWER, partner=partner_a_admin.partner, customer=customer_a,
                                    password="a-long-unusual-passphrase-42")
    assert user.check_password("a-long-unusual-passphrase-42")


@pytest.mark.parametrize(
    ("role", "partner", "customer", "field"),
    [
        (Role.POLY_ADMIN, None, None, "role"),
        (Role.POLY_SUPPORT, None, None, "role"),
        (Role.CSM, None, None, "role"),
        ("superuser", "own", None, "role"),
        (Role.CUSTOMER_VIEWER, "own", None, "customer"),
        (Role.CUSTOMER_VIEWER, "own", "foreign", "customer"),
        (Role.PARTNER_ENGINEER, "own", "own", "customer"),
        (Role.PARTNER_ENGINEER, None, None, "partner"),
    ],
)
def test_a_partner_admin_may_not_grant_a_role_or_tenant_it_does_not_hold(partner_a_admin, customer_a, customer_b,
                                                                         role, partner, customer, field):
    count = User.objects.count()
    with user_context(partner_a_admin), pytest.raises(ValidationError) as excinfo:
        services.user_create(by=partner_a_admin, email="x@nordic.example", full_name="X", role=role,
                             partner=partner_a_admin.partner if partner == "own" else None,
                             customer={"own": customer_a, "foreign": customer_b}.get(customer))
    assert field in errors_of(excinfo)
    assert User.objects.count() == count


def test_a_partner_admin_may_not_create_a_user_for_another_partner(partner_a_admin, partner_b):
    with pytest.raises(PermissionDenied):
        services.user_create(by=partner_a_admin, email="x@wisla.example", full_name="X",
                             role=Role.PARTNER_ENGINEER, partner=partner_b)
    assert not User.objects.filter(email="x@wisla.example").exists()


@pytest.mark.parametrize("persona", ["partner_a_engineer", "customer_viewer", "poly_support", "csm"])
def test_only_admins_manage_users(request, db, persona, partner_a_engineer):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.user_create(by=actor, email="x@nordic.example", full_name="X", role=Role.PARTNER_ENGINEER,
                             partner=partner_a_engineer.partner)
    target = partner_a_engineer if actor != partner_a_engineer else factories.UserFactory(
        partner=partner_a_engineer.partner)
    with pytest.raises(PermissionDenied):
        services.user_update(by=actor, user=target, full_name="Renamed", role=Role.PARTNER_ADMIN, is_active=True)
    target.refresh_from_db()
    assert target.role == Role.PARTNER_ENGINEER


def test_a_poly_admin_creates_poly_staff_who_belong_to_no_partner(poly_admin, partner_a):
    with user_context(poly_admin):
        user = services.user_create(by=poly_admin, email="csm2@poly.example", full_name="CSM 2", role=Role.CSM)
        assert user.partner is None
        with pytest.raises(ValidationError) as excinfo:
            services.user_create(by=poly_admin, email="csm3@poly.example", full_name="CSM 3", role=Role.CSM,
                                 partner=partner_a)
        assert "partner" in errors_of(excinfo)


def test_an_email_address_is_taken_portal_wide_without_saying_by_whom(partner_a_admin, partner_b_engineer):
    with user_context(partner_a_admin), pytest.raises(ValidationError) as excinfo:
        services.user_create(by=partner_a_admin, email=partner_b_engineer.email.upper(), full_name="Dup",
                             role=Role.PARTNER_ENGINEER, partner=partner_a_admin.partner)
    assert errors_of(excinfo) == {"email": ["A user with this email address exists."]}


def test_a_weak_password_is_refused_by_the_password_rules(partner_a_admin):
    with user_context(partner_a_admin), pytest.raises(ValidationError) as excinfo:
        services.user_create(by=partner_a_admin, email="weak@nordic.example", full_name="Weak",
                             role=Role.PARTNER_ENGINEER, partner=partner_a_admin.partner, password="123")
    assert "password" in errors_of(excinfo)


def test_nobody_changes_their_own_role_or_deactivates_themselves(partner_a_admin):
    with user_context(partner_a_admin):
        for role, active in ((Role.PARTNER_ENGINEER, True), (Role.PARTNER_ADMIN, False)):
            with pytest.raises(ValidationError):
                services.user_update(by=partner_a_admin, user=partner_a_admin, full_name="Me", role=role,
                                     is_active=active)


def test_a_partner_admin_may_not_touch_another_partners_user_or_poly_staff(partner_a_admin, partner_b_engineer,
                                                                           csm):
    for target in (partner_b_engineer, csm):
        with pytest.raises(PermissionDenied):
            services.user_update(by=partner_a_admin, user=target, full_name="Hijacked", role=target.role,
                                 is_active=False)
        target.refresh_from_db()
        assert target.is_active


def test_deactivating_a_user_revokes_their_api_tokens(partner_a_admin, partner_a_engineer):
    token, key = services.api_token_create(user=partner_a_engineer, name="PSA")
    with user_context(partner_a_admin):
        services.user_update(by=partner_a_admin, user=partner_a_engineer, full_name=partner_a_engineer.full_name,
                             role=Role.PARTNER_ENGINEER, is_active=False)
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert services.api_token_authenticate(key) is None


def test_a_viewer_promoted_to_engineer_must_drop_the_customer(partner_a_admin, customer_viewer, customer_a):
    with user_context(partner_a_admin):
        with pytest.raises(ValidationError):
            services.user_update(by=partner_a_admin, user=customer_viewer, full_name="V",
                                 role=Role.PARTNER_ENGINEER, is_active=True, customer=customer_a)
        services.user_update(by=partner_a_admin, user=customer_viewer, full_name="V", role=Role.PARTNER_ENGINEER,
                             is_active=True, customer=None)
    customer_viewer.refresh_from_db()
    assert (customer_viewer.role, customer_viewer.customer) == (Role.PARTNER_ENGINEER, None)


# ---- CSM assignments -----------------------------------------------------------------------

def test_a_poly_admin_assigns_one_active_csm_per_customer(poly_admin, csm, customer_a, poly_support):
    other_csm = factories.PolyStaffFactory(role=Role.CSM)
    with user_context(poly_admin):
        services.csm_assign(by=poly_admin, customer=customer_a, csm=csm)
        assignment = services.csm_assign(by=poly_admin, customer=customer_a, csm=other_csm)
        for wrong in (poly_support, factories.PolyStaffFactory(role=Role.CSM, is_active=False)):
            with pytest.raises(ValidationError):
                services.csm_assign(by=poly_admin, customer=customer_a, csm=wrong)
    assert CsmAssignment.objects.get().csm == other_csm
    assert assignment.partner_id == customer_a.partner_id
    with pytest.raises(PermissionDenied):
        services.csm_assign(by=csm, customer=customer_a, csm=csm)
    with pytest.raises(PermissionDenied):
        services.csm_unassign(by=csm, assignment=assignment)
    with user_context(poly_admin):
        services.csm_unassign(by=poly_admin, assignment=assignment)
    assert not CsmAssignment.objects.exists()


# ---- API tokens ----------------------------------------------------------------------------

def test_a_token_key_is_shown_once_and_only_its_hash_is_kept(partner_a_engineer):
    token, key = services.api_token_create(user=partner_a_engineer, name="  PSA  ")
    assert key.startswith(services.TOKEN_PREFIX) and len(key) > 40
    assert token.name == "PSA" and token.partner_id == partner_a_engineer.partner_id
    assert key not in token.key_hash and key[len(services.TOKEN_PREFIX):].startswith(token.prefix)
    assert services.api_token_authenticate(key) == (partner_a_engineer, token)


def test_a_token_needs_a_name_and_an_active_owner(partner_a_engineer):
    with pytest.raises(ValidationError):
        services.api_token_create(user=partner_a_engineer, name="  ")
    partner_a_engineer.is_active = False
    partner_a_engineer.save()
    with pytest.raises(PermissionDenied):
        services.api_token_create(user=partner_a_engineer, name="PSA")
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("key", ["", "pp_", "pp_wrong", "Token pp_x", "not-a-token", "pp_\u00e9\u00e8"])
def test_an_unknown_key_authenticates_nobody(partner_a_engineer, key):
    services.api_token_create(user=partner_a_engineer, name="PSA")
    assert services.api_token_authenticate(key) is None


def test_a_revoked_token_or_an_inactive_owner_authenticates_nobody(partner_a_engineer, partner_a_admin):
    token, key = services.api_token_create(user=partner_a_engineer, name="PSA")
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(by=partner_a_admin, token=token)
    assert services.api_token_authenticate(key) is not None
    services.api_token_revoke(by=partner_a_engineer, token=token)
    first_revocation = ApiToken.objects.get().revoked_at
    services.api_token_revoke(by=partner_a_engineer, token=token)  # twice is harmless
    assert ApiToken.objects.get().revoked_at == first_revocation
    assert services.api_token_authenticate(key) is None

    _, other_key = services.api_token_create(user=partner_a_engineer, name="Other")
    User.objects.filter(pk=partner_a_engineer.pk).update(is_active=False)
    assert services.api_token_authenticate(other_key) is None


def test_token_use_is_recorded_at_most_every_few_minutes(partner_a_engineer):
    token, key = services.api_token_create(user=partner_a_engineer, name="PSA")
    services.api_token_authenticate(key)
    token.refresh_from_db()
    first_use = token.last_used_at
    assert first_use is not None
    services.api_token_authenticate(key)
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now() - datetime.timedelta(minutes=10))
    services.api_token_authenticate(key)
    token.refresh_from_db()
    assert token.last_used_at > timezone.now() - datetime.timedelta(minutes=1)


def test_a_partner_and_its_brand_colours_change_together_or_not_at_all(poly_admin, partner_a):
    with pytest.raises(ValidationError):
        services.partner_and_brand_update(by=poly_admin, partner=partner_a, name="Renamed AB", slug="nordic",
                                          is_active=True, display_name="", primary_color="blue",
                                          accent_color="#000000")
    partner_a.refresh_from_db()
    assert partner_a.name == "Nordic Collaboration AB"
    services.partner_and_brand_update(by=poly_admin, partner=partner_a, name="Renamed AB", slug="nordic",
                                      is_active=True, display_name="", primary_color="#101010",
                                      accent_color="#000000", country="SE")
    partner_a.refresh_from_db()
    assert (partner_a.name, partner_a.country, partner_a.brand.display_name, partner_a.brand.primary_color) == (
        "Renamed AB", "SE", "Renamed AB", "#101010")
