"""The coverage check at its boundaries, beyond tests/installbase/test_coverage.py: quote-only
products under Poly+, rejected quotes, end of service tomorrow, compliance of devices out of
production or at end of service, and the two compliance queries agreeing."""

import datetime

import pytest
from django.utils import timezone

from contracts.models import ContractStatus, CustomQuote, CustomQuoteProduct, Offering, QuoteStatus
from installbase.coverage import Flag, Reason, check_coverage, non_compliant_devices
from installbase.selectors import non_compliant_customers
from tests import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def certified(partner_a):
    for category in ("video", "voice"):
        factories.CertificationFactory(partner=partner_a, category=category)


@pytest.fixture
def poly_plus(certified, customer_a):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


@pytest.fixture
def itp(db):
    return factories.ProductFactory(sku="ITP-STUDIO", name="Poly Immersive Studio", category="itp")


def quote(contract, product, status):
    made = CustomQuote.objects.create(partner=contract.partner, contract=contract, reference=f"Q-{status}",
                                      status=status)
    CustomQuoteProduct.objects.create(partner=contract.partner, quote=made, product=product)
    return made


def listed(contract, device):
    factories.ContractDeviceFactory(contract=contract, device=device)
    return device


# ---- quote-only products ---------------------------------------------------------------------

def test_a_quote_only_product_on_poly_plus_needs_the_quote_even_when_listed(poly_plus, site_a, itp):
    device = listed(poly_plus, factories.DeviceFactory(site=site_a, product=itp))
    answer = check_coverage(site=site_a, category="itp", device=device)
    assert (answer.covered, answer.reason, answer.contract) == (False, Reason.QUOTE_REQUIRED, poly_plus)
    assert "approved custom quote" in answer.explanation


def test_a_quote_only_product_on_poly_plus_with_a_quote_must_still_be_listed(poly_plus, site_a, itp):
    quote(poly_plus, itp, QuoteStatus.APPROVED)
    device = factories.DeviceFactory(site=site_a, product=itp)
    answer = check_coverage(site=site_a, category="itp", device=device)
    assert answer.reason == Reason.NOT_ON_CONTRACT
    assert device.serial in answer.explanation
    listed(poly_plus, device)
    answer = check_coverage(site=site_a, category="itp", device=device)
    assert (answer.covered, answer.reason) == (True, Reason.COVERED)
    assert "approved custom quote" in answer.explanation


@pytest.mark.parametrize("status", [QuoteStatus.REJECTED, QuoteStatus.REQUESTED])
def test_a_rejected_or_undecided_quote_does_not_cover(poly_plus, site_a, itp, status):
    quote(poly_plus, itp, status)
    device = listed(poly_plus, factories.DeviceFactory(site=site_a, product=itp))
    assert check_coverage(site=site_a, category="itp", device=device).reason == Reason.QUOTE_REQUIRED


def test_a_quote_approved_for_another_product_does_not_cover_this_one(poly_plus, site_a, itp):
    medialign = factories.ProductFactory(sku="MEDIALIGN-270", name="Poly Medialign 270", category="medialign")
    quote(poly_plus, itp, QuoteStatus.APPROVED)
    device = listed(poly_plus, factories.DeviceFactory(site=site_a, product=medialign))
    assert check_coverage(site=site_a, category="medialign", device=device).reason == Reason.QUOTE_REQUIRED


def test_a_quote_on_an_expired_contract_does_not_cover(poly_plus, site_a, itp, customer_a):
    old = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE,
                                    status=ContractStatus.EXPIRED, start_date=TODAY() - 500 * DAY,
                                    end_date=TODAY() - 101 * DAY)
    quote(old, itp, QuoteStatus.APPROVED)
    device = listed(poly_plus, factories.DeviceFactory(site=site_a, product=itp))
    assert check_coverage(site=site_a, category="itp", device=device).reason == Reason.QUOTE_REQUIRED


def test_a_quote_only_kind_asked_by_site_needs_the_product(poly_plus, site_a):
    answer = check_coverage(site=site_a, category="itp")
    assert (answer.covered, answer.reason) == (False, Reason.QUOTE_REQUIRED)
    assert answer.explanation.startswith("Immersive Telepresence (ITP) products are covered only")


def test_a_product_is_judged_in_its_own_category(poly_plus, site_a):
    phone = factories.ProductFactory(sku="CCX-600", category="voice")
    answer = check_coverage(site=site_a, category="video", product=phone)
    assert (answer.reason, answer.category) == (Reason.CATEGORY_NOT_COVERED, "voice")


# ---- end of service ------------------------------------------------------------------------------

def test_a_product_whose_service_ends_tomorrow_is_covered_today(certified, customer_a, site_a):
    enterprise = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=enterprise, category="video")
    device = factories.DeviceFactory(site=site_a, product__end_of_service=TODAY() + DAY)
    assert check_coverage(site=site_a, category="video", device=device).covered
    tomorrow = check_coverage(site=site_a, category="video", device=device, on_date=TODAY() + DAY)
    assert tomorrow.reason == Reason.END_OF_SERVICE
    assert f"reached end of service on {TODAY() + DAY:%Y-%m-%d}" in tomorrow.explanation


def test_end_of_service_wins_over_a_missing_listing(poly_plus, site_a):
    device = factories.DeviceFactory(site=site_a, product__end_of_service=TODAY())
    assert check_coverage(site=site_a, category="video", device=device).reason == Reason.END_OF_SERVICE


# ---- Poly+ compliance ------------------------------------------------------------------------------

def flagged(site):
    return Flag.CUSTOMER_NON_COMPLIANT in check_coverage(site=site, category="video").flags


def test_a_device_moved_out_of_production_does_not_make_the_customer_non_compliant(poly_plus, site_a, poly_support):
    device = factories.DeviceFactory(site=site_a)
    assert flagged(site_a)
    assert list(non_compliant_customers(poly_support)) == [site_a.customer]
    device.in_production = False
    device.save()
    assert not flagged(site_a)
    assert not non_compliant_devices(site_a.customer, TODAY()).exists()
    assert not non_compliant_customers(poly_support).exists()


def test_an_unlisted_device_at_end_of_service_does_not_make_the_customer_non_compliant(poly_plus, site_a,
                                                                                      poly_support):
    factories.DeviceFactory(site=site_a, product__end_of_service=TODAY())
    assert not flagged(site_a)
    assert not non_compliant_customers(poly_support).exists()
    factories.DeviceFactory(site=site_a, product__end_of_service=TODAY() + DAY)
    assert flagged(site_a)
    assert non_compliant_customers(poly_support).count() == 1


def test_a_device_listed_only_on_last_years_contract_is_not_on_this_one(poly_plus, site_a, customer_a,
                                                                        poly_support):
    last_year = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS,
                                          status=ContractStatus.EXPIRED, start_date=TODAY() - 465 * DAY,
                                          end_date=TODAY() - 101 * DAY)
    device = listed(last_year, factories.DeviceFactory(site=site_a))
    answer = check_coverage(site=site_a, category="video", device=device)
    assert (answer.reason, answer.contract) == (Reason.NOT_ON_CONTRACT, poly_plus)
    assert Flag.CUSTOMER_NON_COMPLIANT in answer.flags
    assert list(non_compliant_customers(poly_support)) == [customer_a]


def test_an_enterprise_customer_is_never_non_compliant(certified, customer_a, site_a, poly_support):
    enterprise = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=enterprise, category="video")
    factories.DeviceFactory(site=site_a)
    assert not flagged(site_a)
    assert not non_compliant_customers(poly_support).exists()


def test_a_poly_plus_contract_not_yet_in_force_flags_no_one(poly_plus, site_a, poly_support):
    poly_plus.status = ContractStatus.DRAFT
    poly_plus.save()
    factories.DeviceFactory(site=site_a)
    assert not flagged(site_a)
    assert not non_compliant_customers(poly_support).exists()
    assert non_compliant_customers(poly_support, on_date=TODAY()).count() == 0


def test_the_two_compliance_queries_agree_and_are_scoped(poly_plus, site_a, customer_a, site_b, partner_a_admin,
                                                         partner_b_admin, customer_viewer, poly_support):
    factories.DeviceFactory(site=site_a)  # unlisted: customer A non-compliant
    other = factories.ContractFactory(customer=site_b.customer, offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=other, category="video")
    listed(other, factories.DeviceFactory(site=site_b))  # customer B: everything listed
    compliant_a_customer = factories.CustomerFactory(partner=customer_a.partner)  # no Poly+ contract at all
    factories.DeviceFactory(site=factories.SiteFactory(customer=compliant_a_customer))

    for customer in (customer_a, site_b.customer, compliant_a_customer):
        expected = customer == customer_a
        assert non_compliant_devices(customer, TODAY()).exists() is expected
    assert list(non_compliant_customers(poly_support)) == [customer_a]
    assert list(non_compliant_customers(partner_a_admin)) == [customer_a]
    assert not non_compliant_customers(partner_b_admin).exists()
    assert list(non_compliant_customers(customer_viewer)) == [customer_a]


def test_a_lapsed_certification_flags_only_the_category_asked(certified, customer_a, site_a, partner_a):
    enterprise = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=enterprise, category="video")
    factories.ContractLineFactory(contract=enterprise, category="voice")
    partner_a.certifications.filter(category="voice").update(expires_on=TODAY() - DAY)
    assert check_coverage(site=site_a, category="video").flags == ()
    voice = check_coverage(site=site_a, category="voice")
    assert voice.covered and voice.flags == (Flag.PARTNER_CERTIFICATION_LAPSED,)


def test_only_cancelled_contracts_is_no_contract(certified, customer_a, site_a):
    factories.ContractFactory(customer=customer_a, status=ContractStatus.CANCELLED)
    assert check_coverage(site=site_a, category="video").reason == Reason.NO_CONTRACT


def test_the_newest_contract_not_in_force_is_the_one_named(certified, customer_a, site_a):
    factories.ContractFactory(customer=customer_a, status=ContractStatus.EXPIRED, number="OLD-1",
                              start_date=TODAY() - 800 * DAY, end_date=TODAY() - 436 * DAY)
    factories.ContractFactory(customer=customer_a, status=ContractStatus.DRAFT, number="NEXT-1",
                              start_date=TODAY() + 10 * DAY, end_date=TODAY() + 374 * DAY)
    answer = check_coverage(site=site_a, category="video")
    assert (answer.reason, answer.contract.number) == (Reason.CONTRACT_NOT_ACTIVE, "NEXT-1")
