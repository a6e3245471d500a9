"""Partner codes and the numbers built from them: unique across the portal, never issued twice."""

import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from contracts import services as contract_services
from contracts.models import Contract, Offering
from contracts.services import LineInput
from polyplus.tenancy import services
from polyplus.tenancy.context import partner_context, staff_context, user_context
from polyplus.tenancy.models import NumberKind, Partner, PartnerNumberCounter
from polyplus.tenancy.numbering import next_number, propose_partner_code
from tests import factories
from tests.tickets import open_case
from tickets.models import Case


def register(poly_admin, slug: str, code: str = "") -> Partner:
    with user_context(poly_admin):
        return services.partner_create(by=poly_admin, name=slug.title(), slug=slug, code=code)


def draft_contract(admin, customer) -> Contract:
    if not customer.partner.certifications.filter(category="video").exists():
        factories.CertificationFactory(partner=customer.partner, category="video")
    return contract_services.contract_create(
        by=admin, customer=customer, offering=Offering.POLY_PLUS_ENTERPRISE, start_date=timezone.localdate(),
        end_date=timezone.localdate() + datetime.timedelta(days=364),
        lines=[LineInput(category="video", installed=120, growth=0, annual_unit_price=Decimal("100"))],
    )


def test_partners_whose_slugs_share_ten_characters_issue_different_numbers(poly_admin):
    se, dk = register(poly_admin, "nordic-collab-se"), register(poly_admin, "nordic-collab-dk")
    numbers = []
    for partner in (se, dk):
        site = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner))
        engineer = factories.UserFactory(partner=partner, role="partner_engineer")
        admin = factories.UserFactory(partner=partner, role="partner_admin")
        numbers += [open_case(engineer, site).number, draft_contract(admin, site.customer).number]

    assert se.code != dk.code
    assert numbers == [f"{se.code}-000001", f"{se.code}-C-0001", f"{dk.code}-000001", f"{dk.code}-C-0001"]
    assert len(set(numbers)) == 4


def test_deleting_the_last_case_or_contract_does_not_free_its_number(partner_a_engineer, partner_a_admin,
                                                                     site_a):
    open_case(partner_a_engineer, site_a)
    last = open_case(partner_a_engineer, site_a)
    contract = draft_contract(partner_a_admin, site_a.customer)
    Case.objects.filter(pk=last.pk).delete()
    Contract.objects.filter(pk=contract.pk).delete()

    assert open_case(partner_a_engineer, site_a).number == "NORDIC-000003"
    assert draft_contract(partner_a_admin, site_a.customer).number == "NORDIC-C-0002"


def test_a_code_is_made_from_the_slug_when_left_blank_and_kept_unique(poly_admin):
    first, second = register(poly_admin, "nordic-collab-se"), register(poly_admin, "nordic-collab-dk")
    assert (first.code, second.code) == ("NORDICCO", "NORDICC2")
    assert register(poly_admin, "a").code == "AX"


def test_a_code_given_in_lower_case_is_stored_in_capitals(poly_admin):
    assert register(poly_admin, "baltic-av", code=" balt ").code == "BALT"


@pytest.mark.parametrize("code", ["N", "NORDIC123", "NO-RD", "NÖRD", "NO RD"])
def test_it_refuses_a_code_of_the_wrong_shape(poly_admin, code):
    with pytest.raises(ValidationError) as excinfo:
        register(poly_admin, "baltic-av", code=code)
    assert "code" in excinfo.value.message_dict
    assert not Partner.objects.filter(slug="baltic-av").exists()


def test_it_refuses_a_code_another_partner_has(poly_admin, partner_a):
    with pytest.raises(ValidationError) as excinfo:
        register(poly_admin, "baltic-av", code=partner_a.code.lower())
    assert excinfo.value.message_dict == {"code": ["A partner with this code exists."]}


def test_a_code_cannot_change_once_set(poly_admin, partner_a):
    with user_context(poly_admin), pytest.raises(ValidationError) as excinfo:
        services.partner_update(by=poly_admin, partner=partner_a, name=partner_a.name, slug=partner_a.slug,
                                is_active=True, code="OTHER")
    assert "code" in excinfo.value.message_dict
    partner_a.refresh_from_db()
    assert partner_a.code == "NORDIC"


def test_the_database_refuses_a_code_of_the_wrong_shape_written_around_the_services(partner_a):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.filter(pk=partner_a.pk).update(code="no-rd")


def test_the_api_registers_a_partner_with_its_code_and_names_a_bad_one(api_for, poly_admin):
    client = api_for(poly_admin)
    created = client.post("/api/v1/partners/", {"name": "Baltic AV", "slug": "baltic-av", "code": "balt"},
                          format="json")
    refused = client.post("/api/v1/partners/", {"name": "Fresh", "slug": "fresh", "code": "F"}, format="json")
    changed = client.patch(f"/api/v1/partners/{created.json()['id']}/", {"code": "OTHER"}, format="json")

    assert created.status_code == 201 and created.json()["code"] == "BALT"
    assert refused.status_code == 400 and set(refused.json()) == {"code"}
    assert changed.status_code == 400 and set(changed.json()) == {"code"}
    assert not Partner.objects.filter(slug="fresh").exists()


def test_the_partner_form_sets_the_code_and_shows_it_fixed_when_editing(client_for, poly_admin):
    client = client_for(poly_admin)
    response = client.post("/partners/new/", {"name": "Baltic AV", "slug": "baltic-av", "code": "BALT",
                                               "primary_color": "#0b3d91", "accent_color": "#f28c28"})
    partner = Partner.objects.get(slug="baltic-av")
    edit = client.get(f"/partners/{partner.pk}/edit/").content.decode()

    assert response.status_code == 302 and partner.code == "BALT"
    assert 'name="code"' in edit and "disabled" in edit.split('name="code"')[1].split(">")[0]


def test_proposed_codes_skip_taken_ones_within_eight_characters():
    taken = {"NORDICCO", *(f"NORDICC{n}" for n in range(2, 10))}
    assert propose_partner_code("nordic-collab-se", taken) == "NORDIC10"


@pytest.mark.django_db(transaction=True)
def test_a_second_transaction_waits_for_the_first_and_takes_the_next_number():
    """Two requests at once for one partner: the second waits on the counter row, then continues past it."""
    with staff_context(reason="test setup"):
        partner = factories.PartnerFactory(slug="nordic")
    first_took, release, results = threading.Event(), threading.Event(), {}

    def take(name: str, hold: bool) -> None:
        try:
            with partner_context(partner_id=partner.pk, reason="test"):
                results[name] = next_number(partner, NumberKind.CASE)
                if hold:
                    first_took.set()
                    release.wait(5)
            results[f"{name}_done"] = time.monotonic()
        finally:
            connection.close()

    first = threading.Thread(target=take, args=("first", True))
    second = threading.Thread(target=take, args=("second", False))
    first.start()
    assert first_took.wait(5)
    second.start()
    time.sleep(0.5)
    waited = "second" not in results
    released_at = time.monotonic()
    release.set()
    first.join(5)
    second.join(5)

    assert waited, "the second transaction read the counter while the first held it"
    assert (results["first"], results["second"]) == ("NORDIC-000001", "NORDIC-000002")
    assert results["second_done"] >= released_at
    with staff_context(reason="test check"):
        assert PartnerNumberCounter.objects.get(partner=partner, kind=NumberKind.CASE).last_value == 2


def test_the_migration_gives_existing_partners_unique_codes_and_counters_past_their_numbers(
        partner_a_engineer, site_a):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("polyplus.tenancy.migrations.0005_partner_code_and_number_counters")
    se = factories.PartnerFactory(slug="nordic-collab-se", code="ZZ1")
    dk = factories.PartnerFactory(slug="nordic-collab-dk", code="ZZ2")
    open_case(partner_a_engineer, site_a)
    Case.objects.filter(partner=site_a.partner).update(number="NORDIC-000007")
    PartnerNumberCounter.objects.all().delete()

    migration.fill_codes_and_counters(apps, None)

    codes = dict(Partner.objects.filter(pk__in=[site_a.partner.pk, se.pk, dk.pk]).values_list("slug", "code"))
    assert codes == {"nordic": "NORDIC", "nordic-collab-se": "NORDICCO", "nordic-collab-dk": "NORDICC2"}
    assert open_case(partner_a_engineer, site_a).number == "NORDIC-000008"
