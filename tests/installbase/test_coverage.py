import datetime

import pytest
from django.utils import timezone

from contracts.models import ContractStatus, CustomQuote, CustomQuoteProduct, Offering, QuoteStatus
from installbase.coverage import Flag, Reason, check_coverage
from tests import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def certified(partner_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    factories.CertificationFactory(partner=partner_a, category="voice")


@pytest.fixture
def enterprise(certified, customer_a):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS_ENTERPRISE)
    factories.ContractLineFactory(contract=contract, category="video")
    return contract


def test_no_contract(site_a):
    answer = check_coverage(site=site_a, category="video")
    assert (answer.covered, answer.reason) == (False, Reason.NO_CONTRACT)
    assert "has no Poly+ contract" in answer.explanation


def test_enterprise_covers_every_device_in_a_picked_category(enterprise, site_a):
    device = factories.DeviceFactory(site=site_a)
    answer = check_coverage(site=site_a, category="video", device=device)
    assert (answer.covered, answer.reason, answer.contract) == (True, Reason.COVERED, enterprise)


def test_category_not_covered(enterprise, site_a):
    answer = check_coverage(site=site_a, category="voice")
    assert answer.reason == Reason.CATEGORY_NOT_COVERED
    assert "does not cover voice" in answer.explanation


def test_a_contract_covers_its_end_date_and_not_the_day_after(enterprise, site_a):
    enterprise.end_date = TODAY()
    enterprise.save()
    assert check_coverage(site=site_a, category="video").covered
    after = check_coverage(site=site_a, category="video", on_date=TODAY() + DAY)
    assert after.reason == Reason.CONTRACT_NOT_ACTIVE


def test_a_contract_covers_its_start_date_and_not_the_day_before(enterprise, site_a):
    enterprise.start_date = TODAY()
    enterprise.save()
    assert check_coverage(site=site_a, category="video").covered
    assert check_coverage(site=site_a, category="video", on_date=TODAY() - DAY).reason == Reason.CONTRACT_NOT_ACTIVE


@pytest.mark.parametrize("status", [ContractStatus.DRAFT, ContractStatus.EXPIRED])
def test_a_contract_not_in_force_does_not_cover(enterprise, site_a, status):
    enterprise.status = status
    enterprise.save()
    answer = check_coverage(site=site_a, category="video")
    assert answer.reason == Reason.CONTRACT_NOT_ACTIVE
    assert enterprise.number in answer.explanation


def test_end_of_service_from_that_day_on(enterprise, site_a):
    device = factories.DeviceFactory(site=site_a, product__end_of_service=TODAY())
    assert check_coverage(site=site_a, category="video", device=device).reason == Reason.END_OF_SERVICE
    assert check_coverage(site=site_a, category="video", device=device, on_date=TODAY() - DAY).covered


def test_quote_only_products_need_an_approved_custom_quote(enterprise, site_a, partner_a):
    device = factories.DeviceFactory(site=site_a, product__category="itp", product__sku="ITP-X")
    assert check_coverage(site=site_a, category="video", device=device).reason == Reason.QUOTE_REQUIRED

    quote = CustomQuote.objects.create(partner=partner_a, contract=enterprise, reference="Q-1")
    CustomQuoteProduct.objects.create(partner=partner_a, quote=quote, product=device.product)
    assert check_coverage(site=site_a, category="video", device=device).reason == Reason.QUOTE_REQUIRED

    quote.status = QuoteStatus.APPROVED
    quote.save()
    assert check_coverage(site=site_a, category="video", device=device).covered


def test_poly_plus_covers_only_the_serials_on_the_contract(certified, customer_a, site_a):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video")
    listed = factories.DeviceFactory(site=site_a)
    unlisted = factories.DeviceFactory(site=site_a)
    factories.ContractDeviceFactory(contract=contract, device=listed)

    assert check_coverage(site=site_a, category="video", device=listed).covered
    answer = check_coverage(site=site_a, category="video", device=unlisted)
    assert answer.reason == Reason.NOT_ON_CONTRACT
    assert Flag.CUSTOMER_NON_COMPLIANT in answer.flags


def test_a_poly_plus_customer_with_every_device_listed_is_compliant(certified, customer_a, site_a):
    contract = factories.ContractFactory(customer=customer_a, offering=Offering.POLY_PLUS)
    factories.ContractLineFactory(contract=contract, category="video")
    factories.ContractDeviceFactory(contract=contract, device=factories.DeviceFactory(site=site_a))
    assert Flag.CUSTOMER_NON_COMPLIANT not in check_coverage(site=site_a, category="video").flags


def test_a_lapsed_certification_keeps_coverage_but_flags_the_partner(enterprise, site_a, partner_a):
    partner_a.certifications.filter(category="video").update(expires_on=TODAY() - DAY)
    answer = check_coverage(site=site_a, category="video")
    assert answer.covered
    assert Flag.PARTNER_CERTIFICATION_LAPSED in answer.flags
