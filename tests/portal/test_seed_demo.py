import datetime
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone

from polyplus.portal.management.commands.seed_demo import DEMO_PASSWORD, PARTNERS, POLY_ADMIN, POLY_STAFF
from polyplus.tenancy import services
from polyplus.tenancy.context import partner_context
from polyplus.tenancy.models import Certification, CsmAssignment, Customer, Role, Site, User


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", force=True, stdout=out)
    return out.getvalue()


def tenancy_snapshot() -> dict[str, int]:
    """Row counts of every tenancy table, audit events included (an update adds an event)."""
    return {model.__name__: model.objects.count() for model in apps.get_app_config("tenancy").get_models()}


def test_it_creates_one_login_per_persona_all_with_the_demo_password(db):
    seed()

    users = list(User.objects.all())
    assert {user.role for user in users} == set(Role.values)
    assert all(user.check_password(DEMO_PASSWORD) for user in users)
    partner_members = {(u.partner.slug, u.role) for u in users if u.is_partner_member}
    assert partner_members == {(slug, role) for slug in ("nordic", "wisla")
                               for role in (Role.PARTNER_ADMIN, Role.PARTNER_ENGINEER)}


def test_a_second_run_changes_nothing(db):
    seed()
    before = tenancy_snapshot()

    output = seed()

    assert tenancy_snapshot() == before
    assert "nothing changed" in output


def test_it_prints_every_login_with_the_password(db):
    output = seed()

    people = [POLY_ADMIN, *POLY_STAFF, *(p for demo in PARTNERS for p in (demo.admin, demo.engineer, demo.viewer) if p)]
    for person in people:
        line = next(line for line in output.splitlines() if f" {person.email} " in line)
        assert DEMO_PASSWORD in line
    assert "Customer viewer" in output and "Escalation manager" in output


def test_it_shows_a_lapsed_certification_and_a_current_one(db):
    seed()
    today = timezone.localdate()

    nordic = {c.category: c for c in Certification.objects.filter(partner__slug="nordic")}
    assert nordic["headset"].expires_on == today - datetime.timedelta(days=1)
    assert nordic["video"].is_current(today) and nordic["voice"].is_current(today)
    assert all(c.is_current(today) for c in Certification.objects.filter(partner__slug="wisla"))


def test_each_partner_has_an_enterprise_customer_with_a_csm_and_plain_customers(db):
    seed()

    for slug in ("nordic", "wisla"):
        customers = Customer.objects.filter(partner__slug=slug)
        assert 2 <= customers.count() <= 3
        enterprise = customers.exclude(master_account_id="").get()
        assert CsmAssignment.objects.get(customer=enterprise).csm.email == "csm@poly.example"
    viewer = User.objects.get(role=Role.CUSTOMER_VIEWER)
    assert viewer.customer.master_account_id and viewer.partner_id == viewer.customer.partner_id


def test_sites_have_real_countries_subdivisions_and_time_zones(db):
    seed()

    sites = list(Site.objects.all())
    assert len({site.country for site in sites}) >= 3
    for site in sites:
        assert services.validate_country(site.country) == site.country
        assert services.validate_subdivision(site.country, site.subdivision) == site.subdivision
        assert services.validate_timezone(site.timezone) == site.timezone
        assert site.partner_id == site.customer.partner_id


def test_a_partner_context_sees_only_its_own_demo_customers(db):
    seed()
    nordic_id = Customer.objects.filter(partner__slug="nordic").values_list("partner_id", flat=True).first()

    with partner_context(partner_id=nordic_id, reason="test"):
        names = set(Customer.objects.values_list("name", flat=True))
    assert names == {"Göta Älv Logistik AB", "Öresund Medtech AB", "Norrsken Energi AB"}


def test_it_refuses_to_seed_a_public_password_without_debug(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()
