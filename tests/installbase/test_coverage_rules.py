"""The coverage check where a rule could break unnoticed, beyond test_coverage.py and
test_coverage_boundaries.py: two customers of one partner, the Poly+ compliance flag at the
edges of the term, quote-only serials listed elsewhere, which contract an answer names, and
the wording for every kind of category."""

import dataclasses
import datetime

import pytest
from django.utils import timezone

from contracts.models import ContractStatus, CustomQuote, CustomQuoteProduct, Offering, QuoteStatus
from installbase.coverage import Flag, Reason, check_coverage, non_compliant_devices
from installbase.selectors import non_compliant_customers, unlisted_devices_visible_to
from tests import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)


@pytest.fixture
def certified(partner_a):
    for category in ("video", "voice", "headset"):
        factories.CertificationFactory(partner=partner_a, category=category)


def contract_for(customer, *categories, offering=Offering.POLY_PLUS_ENTERPRISE, **fields):
    contract = factories.ContractFactory(customer=customer, offering=offering, **fields)
    for category in categories:
        factories.ContractLineFactory(contract=contract, category=category)
    return contract


def listed(contract, device):
    factories.ContractDeviceFactory(contract=contract, device=device)
    return device


def approved_quote(contract, product):
    quote = CustomQuote.objects.create(partner=contract.partner, contract=contract, reference=f"Q-{contract.number}",
                                       status=QuoteStatus.APPROVED)
    CustomQuoteProduct.objects.create(partner=contract.partner, quote=quote, product=product)
    return quote


# ---- two customers of one partner ------------------------------------------------------------------

@pytest.fixture
def sibling(partner_a):
    """A second customer of partner A, with a site of its own."""
    customer = factories.CustomerFactory(partner=partner_a, name="Saab Linköping")
    return factories.SiteFactory(customer=customer, site_id="SE-LKP-001")


def test_a_sites_coverage_is_decided_by_its_own_customers_contracts_only(certified, customer_a, site_a, sibling):
    own = contract_for(customer_a, "video")
    other = contract_for(sibling.customer, "voice", start_date=TODAY() - 10 * DAY)  # newer: listed first

    video = check_coverage(site=site_a, category="video")
    assert (video.covered, video.contract) == (True, own)
    voice = check_coverage(site=site_a, category="voice")
    assert (voice.reason, voice.contract) == (Reason.CATEGORY_NOT_COVERED, own)
    assert voice.explanation == f"Contract {own.number} does not cover voice."

    assert check_coverage(site=sibling, category="video").contract == other
    assert check_coverage(site=sibling, category="voice").covered


def test_a_customer_without_a_contract_is_not_covered_by_its_siblings(certified, site_a, sibling):
    contract_for(sibling.customer, "video")
    answer = check_coverage(site=site_a, category="video")
    assert (answer.reason, answer.contract) == (Reason.NO_CONTRACT, None)


def test_a_siblings_contract_in_force_does_not_stand_in_for_an_expired_one(certified, customer_a, site_a, sibling):
    expired = contract_for(customer_a, "video", status=ContractStatus.EXPIRED, start_date=TODAY() - 465 * DAY,
                           end_date=TODAY() - 101 * DAY)
    contract_for(sibling.customer, "video")
    answer = check_coverage(site=site_a, category="video")
    assert (answer.reason, answer.contract) == (Reason.CONTRACT_NOT_ACTIVE, expired)


def test_a_serial_listed_on_a_siblings_poly_plus_contract_is_not_on_its_own(certified, customer_a, site_a, sibling):
    own = contract_for(customer_a, "video", offering=Offering.POLY_PLUS)
    theirs = contract_for(sibling.customer, "video", offering=Offering.POLY_PLUS)
    device = listed(theirs, factories.DeviceFactory(site=site_a))
    answer = check_coverage(site=site_a, category="video", device=device)
    assert (answer.reason, answer.contract) == (Reason.NOT_ON_CONTRACT, own)


def test_a_siblings_unlisted_device_does_not_make_this_customer_non_compliant(certified, customer_a, site_a,
                                                                            sibling, poly_support):
    listed(contract_for(customer_a, "video", offering=Offering.POLY_PLUS), factories.DeviceFactory(site=site_a))
    contract_for(sibling.customer, "video", offering=Offering.POLY_PLUS)
    factories.DeviceFactory(site=sibling)
    assert check_coverage(site=site_a, category="video").flags == ()
    assert check_coverage(site=sibling, category="video").flags == (Flag.CUSTOMER_NON_COMPLIANT,)
    assert list(non_compliant_customers(poly_support)) == [sibling.customer]


def test_a_siblings_approved_quote_does_not_cover_this_customers_product(certified, customer_a, site_a, sibling):
    itp = factories.ProductFactory(sku="ITP-STUDIO", name="Poly Immersive Studio", category="itp")
    own = contract_for(customer_a, "video")
    approved_quote(contract_for(sibling.customer, "video"), itp)
    answer = check_coverage(site=site_a, category="itp", device=factories.DeviceFactory(site=site_a, product=itp))
    assert (answer.reason, answer.contract) == (Reason.QUOTE_REQUIRED, own)


@pytest.mark.parametrize("reader", ["partner_a_engineer", "poly_support"])
def test_the_coverage_api_answers_each_customer_from_its_own_contracts(request, api_for, certified, customer_a,
                                                                       site_a, sibling, reader):
    own = contract_for(customer_a, "video")
    theirs = contract_for(sibling.customer, "voice", start_date=TODAY() - 10 * DAY)
    phone = factories.DeviceFactory(site=sibling, product__category="voice")
    client = api_for(request.getfixturevalue(reader))

    def ask(site, category):
        response = client.get(f"/api/v1/coverage/?site_id={site.site_id}&category={category}")
        assert response.status_code == 200
        body = response.json()
        return body["reason"], body["contract"]["number"]

    assert ask(site_a, "video") == ("covered", own.number)
    assert ask(site_a, "voice") == ("category_not_covered", own.number)
    assert ask(sibling, "video") == ("category_not_covered", theirs.number)
    assert ask(sibling, "voice") == ("covered", theirs.number)
    by_serial = client.get(f"/api/v1/coverage/?serial={phone.serial}").json()
    assert (by_serial["reason"], by_serial["contract"]["number"]) == ("covered", theirs.number)


# ---- the Poly+ compliance flag at the edges of the term ------------------------------------------

@pytest.fixture
def unlisted_poly_plus(certified, customer_a, site_a):
    """A Poly+ customer with one device in production that its contract does not list."""
    contract = contract_for(customer_a, "video", offering=Offering.POLY_PLUS, start_date=TODAY() - 30 * DAY,
                            end_date=TODAY() + 30 * DAY)
    device = factories.DeviceFactory(site=site_a)
    return contract, device


def non_compliance_everywhere(site, device, viewer, on_date) -> set[bool]:
    """The flag as each of the four ways of asking sees it; they must agree."""
    return {
        Flag.CUSTOMER_NON_COMPLIANT in check_coverage(site=site, category="video", on_date=on_date).flags,
        non_compliant_devices(site.customer, on_date).filter(pk=device.pk).exists(),
        non_compliant_customers(viewer, on_date=on_date).filter(pk=site.customer_id).exists(),
        unlisted_devices_visible_to(viewer, on_date=on_date).filter(pk=device.pk).exists(),
    }


@pytest.mark.parametrize(("day", "flagged"), [
    (-31, False), (-30, True), (30, True), (31, False),
], ids=["day-before-start", "first-day", "last-day", "day-after-end"])
def test_the_non_compliance_flag_holds_from_the_first_to_the_last_day_of_the_term(unlisted_poly_plus, site_a,
                                                                                 poly_support, day, flagged):
    _, device = unlisted_poly_plus
    assert non_compliance_everywhere(site_a, device, poly_support, TODAY() + day * DAY) == {flagged}


def test_an_active_contract_that_has_not_started_flags_no_one_yet(unlisted_poly_plus, site_a, poly_support):
    contract, device = unlisted_poly_plus
    contract.start_date, contract.end_date = TODAY() + DAY, TODAY() + 365 * DAY
    contract.save()
    assert non_compliance_everywhere(site_a, device, poly_support, TODAY()) == {False}
    assert non_compliance_everywhere(site_a, device, poly_support, TODAY() + DAY) == {True}


@pytest.mark.parametrize("status", [ContractStatus.EXPIRED, ContractStatus.DRAFT, ContractStatus.CANCELLED])
def test_a_contract_that_is_not_active_flags_no_one_even_within_its_dates(unlisted_poly_plus, site_a, poly_support,
                                                                          status):
    contract, device = unlisted_poly_plus
    contract.status = status
    contract.save()
    assert non_compliance_everywhere(site_a, device, poly_support, TODAY()) == {False}


def test_an_expired_contract_past_its_end_flags_no_one(unlisted_poly_plus, site_a, poly_support):
    contract, device = unlisted_poly_plus
    contract.status, contract.start_date, contract.end_date = ContractStatus.EXPIRED, TODAY() - 400 * DAY, TODAY() - DAY
    contract.save()
    assert non_compliance_everywhere(site_a, device, poly_support, TODAY()) == {False}


def test_listing_the_device_on_the_contract_in_force_clears_the_flag_at_both_edges(unlisted_poly_plus, site_a,
                                                                                   poly_support):
    contract, device = unlisted_poly_plus
    listed(contract, device)
    for day in (-30, 30):
        assert non_compliance_everywhere(site_a, device, poly_support, TODAY() + day * DAY) == {False}


# ---- quote-only products: a serial must be listed on the contract that holds the quote -------------

@pytest.fixture
def itp(db):
    return factories.ProductFactory(sku="ITP-STUDIO", name="Poly Immersive Studio", category="itp")


@pytest.fixture
def quoted(certified, customer_a, itp):
    contract = contract_for(customer_a, "video", offering=Offering.POLY_PLUS)
    approved_quote(contract, itp)
    return contract


def test_a_quote_only_serial_listed_on_another_contract_in_force_is_not_listed(quoted, customer_a, site_a, itp):
    voice = contract_for(customer_a, "voice", offering=Offering.POLY_PLUS)
    device = listed(voice, factories.DeviceFactory(site=site_a, product=itp))
    answer = check_coverage(site=site_a, category="itp", device=device)
    assert (answer.covered, answer.reason, answer.contract) == (False, Reason.NOT_ON_CONTRACT, quoted)
    assert answer.explanation == (f"Serial {device.serial} is not listed on Poly+ contract {quoted.number}; "
                                  "add it to the contract.")


def test_a_quote_only_serial_listed_on_last_years_contract_is_not_listed(quoted, customer_a, site_a, itp):
    last_year = contract_for(customer_a, "video", offering=Offering.POLY_PLUS, status=ContractStatus.EXPIRED,
                             start_date=TODAY() - 465 * DAY, end_date=TODAY() - 101 * DAY)
    device = listed(last_year, factories.DeviceFactory(site=site_a, product=itp))
    assert check_coverage(site=site_a, category="itp", device=device).reason == Reason.NOT_ON_CONTRACT


def test_a_second_serial_of_a_listed_quote_only_product_is_not_listed(quoted, site_a, itp):
    first = listed(quoted, factories.DeviceFactory(site=site_a, product=itp))
    second = factories.DeviceFactory(site=site_a, product=itp)
    assert check_coverage(site=site_a, category="itp", device=first).covered
    answer = check_coverage(site=site_a, category="itp", device=second)
    assert (answer.reason, answer.contract) == (Reason.NOT_ON_CONTRACT, quoted)
    assert second.serial in answer.explanation


def test_a_quote_only_product_asked_by_product_is_covered_by_the_quote(quoted, site_a, itp):
    answer = check_coverage(site=site_a, category="itp", product=itp)
    assert (answer.reason, answer.contract) == (Reason.COVERED, quoted)
    assert answer.explanation == f"Covered by contract {quoted.number} under an approved custom quote."


def test_a_quote_only_product_under_enterprise_needs_no_listing(certified, customer_a, site_a, itp):
    enterprise = contract_for(customer_a, "video")
    approved_quote(enterprise, itp)
    answer = check_coverage(site=site_a, category="itp", device=factories.DeviceFactory(site=site_a, product=itp))
    assert (answer.reason, answer.contract) == (Reason.COVERED, enterprise)


def test_the_quote_names_the_contract_that_holds_it(certified, customer_a, site_a, itp):
    holder = contract_for(customer_a, "video", start_date=TODAY() - 200 * DAY)
    contract_for(customer_a, "voice", start_date=TODAY() - 10 * DAY)  # newer, listed first, no quote
    approved_quote(holder, itp)
    answer = check_coverage(site=site_a, category="itp", product=itp)
    assert (answer.reason, answer.contract) == (Reason.COVERED, holder)


# ---- which contract an answer names when two are in force ------------------------------------------

@pytest.fixture
def two_in_force(certified, customer_a):
    """An older Enterprise video contract and a newer one for voice, both in force today."""
    video = contract_for(customer_a, "video", number="VID-1", start_date=TODAY() - 200 * DAY,
                         end_date=TODAY() + 165 * DAY)
    voice = contract_for(customer_a, "voice", number="VOI-1", start_date=TODAY() - 20 * DAY,
                         end_date=TODAY() + 345 * DAY)
    return video, voice


def test_a_covered_answer_names_the_contract_that_covers_the_category(two_in_force, site_a):
    video, voice = two_in_force
    answer = check_coverage(site=site_a, category="video")
    assert (answer.covered, answer.contract) == (True, video)
    assert answer.explanation == f"Covered by Poly+ Enterprise contract VID-1 until {video.end_date:%Y-%m-%d}."
    assert check_coverage(site=site_a, category="voice").contract == voice


def test_a_category_neither_covers_names_both_and_points_at_the_newest(two_in_force, site_a):
    _, voice = two_in_force
    answer = check_coverage(site=site_a, category="headset")
    assert (answer.reason, answer.contract) == (Reason.CATEGORY_NOT_COVERED, voice)
    assert answer.explanation == "Contract VOI-1, VID-1 does not cover headsets and personal devices."


def test_end_of_service_names_the_newest_contract_in_force(two_in_force, site_a):
    _, voice = two_in_force
    device = factories.DeviceFactory(site=site_a, product__end_of_service=TODAY())
    assert check_coverage(site=site_a, category="video", device=device).contract == voice


def test_a_quote_only_product_without_a_quote_names_the_newest_contract_in_force(two_in_force, site_a, itp):
    _, voice = two_in_force
    by_product = check_coverage(site=site_a, category="itp", product=itp)
    assert (by_product.reason, by_product.contract) == (Reason.QUOTE_REQUIRED, voice)
    by_kind = check_coverage(site=site_a, category="itp")
    assert (by_kind.reason, by_kind.contract) == (Reason.QUOTE_REQUIRED, voice)


def test_a_serial_listed_on_the_second_covering_poly_plus_contract_names_that_one(certified, customer_a, site_a):
    newer = contract_for(customer_a, "video", offering=Offering.POLY_PLUS, number="NEW-1",
                         start_date=TODAY() - 10 * DAY)
    older = contract_for(customer_a, "video", offering=Offering.POLY_PLUS, number="OLD-1",
                         start_date=TODAY() - 300 * DAY)
    device = listed(older, factories.DeviceFactory(site=site_a))
    answer = check_coverage(site=site_a, category="video", device=device)
    assert (answer.covered, answer.contract) == (True, older)
    assert answer.explanation.startswith("Covered by Poly+ contract OLD-1 until")
    unlisted = check_coverage(site=site_a, category="video", device=factories.DeviceFactory(site=site_a))
    assert (unlisted.reason, unlisted.contract) == (Reason.NOT_ON_CONTRACT, newer)


def test_an_answer_without_a_contract_in_force_names_the_newest_one(certified, customer_a, site_a):
    contract_for(customer_a, "video", number="OLD-2", status=ContractStatus.EXPIRED, start_date=TODAY() - 800 * DAY,
                 end_date=TODAY() - 436 * DAY)
    newest = contract_for(customer_a, "video", number="NEW-2", status=ContractStatus.EXPIRED,
                          start_date=TODAY() - 435 * DAY, end_date=TODAY() - 71 * DAY)
    answer = check_coverage(site=site_a, category="video")
    assert (answer.reason, answer.contract) == (Reason.CONTRACT_NOT_ACTIVE, newest)
    assert answer.explanation == (
        f"Contract NEW-2 is expired and covers {newest.start_date:%Y-%m-%d} to {newest.end_date:%Y-%m-%d}; "
        f"it is not in force on {TODAY():%Y-%m-%d}."
    )


# ---- wording for every kind of category ----------------------------------------------------------

@pytest.mark.parametrize(("category", "words"), [
    ("itp", "Immersive Telepresence (ITP)"),
    ("medialign", "Poly Medialign"),
    ("vertical_solution", "Vertical solution"),
    ("infrastructure", "Infrastructure"),
])
def test_a_quote_only_kind_is_named_by_its_label(two_in_force, site_a, category, words):
    answer = check_coverage(site=site_a, category=category)
    assert answer.explanation == (f"{words} products are covered only under an approved custom quote for the "
                                  "product; look up the product or its serial.")


def test_an_unknown_category_is_neither_covered_nor_flagged(two_in_force, site_a):
    answer = check_coverage(site=site_a, category="tablet")
    assert (answer.covered, answer.reason, answer.flags) == (False, Reason.CATEGORY_NOT_COVERED, ())
    assert answer.explanation == "Contract VOI-1, VID-1 does not cover tablet."


def test_an_answer_cannot_be_changed_after_the_check(two_in_force, site_a):
    answer = check_coverage(site=site_a, category="headset")
    with pytest.raises(dataclasses.FrozenInstanceError):
        answer.covered = True
