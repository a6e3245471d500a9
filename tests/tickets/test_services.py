"""Opening a case: the coverage check's answer recorded with its reason, numbering, the serial only for
hardware replacement, Enterprise priority in the queue, and who may open one."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts.models import ContractStatus, Offering
from tests import factories
from tests.tickets import DAY, MINUTE, UTC, Clock, cover, open_case
from tickets import selectors, services
from tickets.models import Case, CaseSource, CaseStatus


def covered(site):
    cover(site, offering=Offering.POLY_PLUS_ENTERPRISE)
    return {}


def no_contract(site):
    return {}


def contract_not_active(site):
    today = timezone.localdate()
    cover(site, start=today - 400 * DAY, end=today - 35 * DAY)
    return {}


def category_not_covered(site):
    cover(site, categories=("voice",))
    return {}


def end_of_service(site):
    cover(site)
    return {"product": factories.ProductFactory(sku="HDX-7000", category="video",
                                                end_of_service=timezone.localdate() - DAY)}


def quote_required(site):
    cover(site)
    return {"category": "itp"}


def not_on_contract(site):
    cover(site, offering=Offering.POLY_PLUS)
    device = factories.DeviceFactory(site=site, product=factories.ProductFactory(sku="SX-50"), serial="SEGOT0001")
    return {"hardware_replacement": True, "serial": device.serial}


REASONS = [covered, no_contract, contract_not_active, category_not_covered, end_of_service, quote_required,
           not_on_contract]


@pytest.mark.parametrize("situation", REASONS, ids=[f.__name__ for f in REASONS])
def test_every_coverage_reason_is_recorded_on_the_case_and_the_case_is_kept(partner_a_engineer, site_a, situation):
    extra = situation(site_a)

    case = open_case(partner_a_engineer, site_a, **extra)

    case.refresh_from_db()
    reason = situation.__name__
    assert case.entitlement_reason == reason
    assert case.entitled is (reason == "covered")
    assert case.entitlement_explanation
    assert case.status == CaseStatus.NEW
    assert case.first_response_due and case.resolution_due
    if reason != "covered":
        assert case.offering == Offering.POLY_PLUS  # a case without entitlement gets the Poly+ targets
    assert case in selectors.cases_visible_to(partner_a_engineer)


def test_a_not_entitled_case_still_appears_in_the_partner_list_and_the_poly_queue(api_for, partner_a_engineer,
                                                                                 poly_support, site_a):
    case = open_case(partner_a_engineer, site_a)

    for reader in (partner_a_engineer, poly_support):
        rows = api_for(reader).get("/api/v1/cases/").json()["results"]
        assert [(r["id"], r["entitled"], r["entitlement_reason"]) for r in rows] == [
            (case.pk, False, "no_contract")]
    assert case in selectors.case_queue(poly_support)


def test_an_enterprise_case_comes_before_a_poly_plus_case_due_at_the_same_time(monkeypatch, api_for,
                                                                              partner_a_engineer, poly_support,
                                                                              site_a, partner_a):
    clock = Clock(monkeypatch, datetime.datetime(2025, 5, 12, 8, 0, tzinfo=UTC))
    cover(site_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    plus_site = factories.SiteFactory(customer=factories.CustomerFactory(partner=partner_a), site_id="SE-MAL-001")
    cover(plus_site, offering=Offering.POLY_PLUS)
    clock.advance(60 * MINUTE)
    plus = open_case(partner_a_engineer, plus_site, severity=1)  # first response within 1 h
    clock.advance(30 * MINUTE)
    enterprise = open_case(partner_a_engineer, site_a, severity=1)  # within 30 min: the same minute

    assert plus.next_due_at == enterprise.next_due_at
    assert (enterprise.priority, plus.priority) == (0, 1)
    assert list(selectors.case_queue(poly_support)) == [enterprise, plus]
    ids = [row["id"] for row in api_for(poly_support).get("/api/v1/cases/").json()["results"]]
    assert ids == [enterprise.pk, plus.pk]


def test_the_queue_puts_the_earliest_due_first_and_paused_and_done_cases_last(monkeypatch, partner_a_engineer,
                                                                            poly_support, site_a):
    clock = Clock(monkeypatch, datetime.datetime(2025, 5, 12, 8, 0, tzinfo=UTC))
    cover(site_a, offering=Offering.POLY_PLUS)
    question = open_case(partner_a_engineer, site_a, severity=4)
    down = open_case(partner_a_engineer, site_a, severity=1)
    waiting = open_case(partner_a_engineer, site_a, severity=1)
    services.case_transition(by=poly_support, case=waiting, to_status=CaseStatus.WAITING_ON_PARTNER)
    clock.advance(MINUTE)
    minor = open_case(partner_a_engineer, site_a, severity=3)

    assert list(selectors.case_queue(poly_support)) == [down, minor, question, waiting]


def test_cases_are_numbered_per_partner(partner_a_engineer, partner_b_engineer, site_a, site_b):
    first = open_case(partner_a_engineer, site_a)
    second = open_case(partner_a_engineer, site_a)
    other = open_case(partner_b_engineer, site_b)

    assert (first.number, second.number, other.number) == ("NORDIC-000001", "NORDIC-000002", "WISLA-000001")


def test_a_serial_is_used_only_when_hardware_replacement_is_requested(partner_a_engineer, site_a):
    cover(site_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    device = factories.DeviceFactory(site=site_a, product=factories.ProductFactory(sku="SX-50"), serial="SEGOT0001")

    keyed_by_site = open_case(partner_a_engineer, site_a, serial=device.serial)
    replacement = open_case(partner_a_engineer, site_a, hardware_replacement=True, serial=" segot0001 ")

    assert keyed_by_site.device is None and keyed_by_site.product is None
    assert (replacement.device, replacement.product.sku, replacement.entitled) == (device, "SX-50", True)


def test_hardware_replacement_needs_a_serial_of_this_customer(partner_a_engineer, site_a, site_b):
    foreign = factories.DeviceFactory(site=site_b, serial="PLPLO0001")

    with pytest.raises(ValidationError) as missing:
        open_case(partner_a_engineer, site_a, hardware_replacement=True)
    with pytest.raises(ValidationError) as elsewhere:
        open_case(partner_a_engineer, site_a, hardware_replacement=True, serial=foreign.serial)

    assert missing.value.message_dict == {"serial": ["Hardware replacement needs the failed unit's serial number."]}
    assert elsewhere.value.message_dict == {"serial": ["No registered device with serial PLPLO0001 at this customer."]}
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["customer_viewer", "csm", "partner_b_engineer"])
def test_only_the_partners_engineers_and_poly_support_open_cases(request, site_a, persona):
    with pytest.raises(PermissionDenied):
        open_case(request.getfixturevalue(persona), site_a)
    assert not Case.objects.exists()


@pytest.mark.parametrize("persona", ["partner_a_admin", "partner_a_engineer", "poly_support", "poly_admin",
                                     "escalation_manager"])
def test_partner_members_and_poly_case_workers_open_cases(request, site_a, persona):
    case = open_case(request.getfixturevalue(persona), site_a, source=CaseSource.PORTAL)
    assert case.partner_id == site_a.partner_id and case.customer_id == site_a.customer_id


def test_a_product_of_another_category_is_refused(partner_a_engineer, site_a):
    headset = factories.ProductFactory(sku="VOYAGER-60", name="Poly Voyager 60", category="headset")

    with pytest.raises(ValidationError) as refused:
        open_case(partner_a_engineer, site_a, category="video", product=headset)

    assert refused.value.message_dict == {"product": ["Poly Voyager 60 is a headsets and personal devices product."]}


def test_an_expired_contract_is_reported_as_not_active(partner_a_engineer, site_a):
    cover(site_a, status=ContractStatus.EXPIRED)
    case = open_case(partner_a_engineer, site_a)
    assert (case.entitled, case.entitlement_reason) == (False, "contract_not_active")
