"""Contract rules at their boundaries, beyond tests/contracts/test_services.py: renewal terms
around 29 February and short months, the day a term ends, a certification that starts
tomorrow, custom quotes, and the nightly expiry's reach."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from contracts import services
from contracts.models import Contract, ContractStatus, CustomQuote, Offering, QuoteStatus
from contracts.services import LineInput
from tests import factories

TODAY = timezone.localdate
DAY = datetime.timedelta(days=1)
D = datetime.date


def video_line(installed=120, growth=0):
    return LineInput(category="video", installed=installed, growth=growth, annual_unit_price=Decimal("100.00"))


@pytest.fixture
def certified_a(partner_a):
    factories.CertificationFactory(partner=partner_a, category="video")
    factories.CertificationFactory(partner=partner_a, category="voice")
    return partner_a


def create(by, customer, **overrides):
    values = dict(offering=Offering.POLY_PLUS_ENTERPRISE, start_date=TODAY(), end_date=TODAY() + 364 * DAY,
                  lines=[video_line()])
    values.update(overrides)
    return services.contract_create(by=by, customer=customer, **values)


def term(start: D, end: D):
    return factories.ContractFactory.build(start_date=start, end_date=end)


# ---- the next term ---------------------------------------------------------------------------

@pytest.mark.parametrize(("start", "end", "next_start", "next_end"), [
    # A year that contains 29 February, and the year after it.
    (D(2027, 3, 1), D(2028, 2, 29), D(2028, 3, 1), D(2029, 2, 28)),
    (D(2028, 1, 1), D(2028, 12, 31), D(2029, 1, 1), D(2029, 12, 31)),
    # A year from 29 February ends on 28 February; its renewal is again a whole year.
    (D(2028, 2, 29), D(2029, 2, 28), D(2029, 3, 1), D(2030, 2, 28)),
    # Three years from 29 February, and a term from the day before it.
    (D(2028, 2, 29), D(2031, 2, 28), D(2031, 3, 1), D(2034, 2, 28)),
    (D(2028, 2, 28), D(2029, 2, 27), D(2029, 2, 28), D(2030, 2, 27)),
    # A month from the 31st: the month after is whole too.
    (D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 1), D(2027, 3, 31)),
    (D(2028, 2, 1), D(2028, 2, 29), D(2028, 3, 1), D(2028, 3, 31)),
    # Not whole months: the same number of days.
    (D(2026, 1, 10), D(2026, 3, 1), D(2026, 3, 2), D(2026, 4, 21)),
    (D(2026, 5, 5), D(2026, 5, 5), D(2026, 5, 6), D(2026, 5, 6)),
])
def test_the_next_term_starts_the_day_after_and_lasts_as_long(start, end, next_start, next_end):
    assert services.next_term(term(start, end)) == (next_start, next_end)


def test_a_renewal_of_a_leap_year_term_by_the_service(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a, start_date=D(2028, 2, 29), end_date=D(2029, 2, 28))
    Contract.objects.filter(pk=contract.pk).update(status=ContractStatus.EXPIRED)
    renewal = services.contract_renew(by=partner_a_admin, contract=contract)
    assert (renewal.start_date, renewal.end_date) == (D(2029, 3, 1), D(2030, 2, 28))
    assert renewal.number == "NORDIC-C-0002"  # the partner's next contract number


def test_a_term_ending_in_the_last_representable_year_cannot_renew(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a, start_date=D(2099, 1, 1), end_date=D(2099, 12, 31))
    services.contract_activate(by=partner_a_admin, contract=contract)
    with pytest.raises(ValidationError, match="would end after 2099-12-31"):
        services.contract_renew(by=partner_a_admin, contract=contract)
    assert Contract.objects.count() == 1


def test_only_the_partner_admin_renews_and_only_once(certified_a, customer_a, partner_a_admin, partner_a_engineer):
    contract = create(partner_a_admin, customer_a)
    with pytest.raises(ValidationError, match="Only an active or expired contract"):
        services.contract_renew(by=partner_a_admin, contract=contract)
    services.contract_activate(by=partner_a_admin, contract=contract)
    with pytest.raises(PermissionDenied):
        services.contract_renew(by=partner_a_engineer, contract=contract)
    renewal = services.contract_renew(by=partner_a_admin, contract=contract)
    with pytest.raises(ValidationError, match=f"Already renewed as {renewal.number}"):
        services.contract_renew(by=partner_a_admin, contract=contract)


def test_a_renewal_takes_growth_only_for_the_contracts_categories(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a)
    services.contract_activate(by=partner_a_admin, contract=contract)
    with pytest.raises(ValidationError, match="does not cover voice"):
        services.contract_renew(by=partner_a_admin, contract=contract, growth_by_category={"voice": 4})
    assert Contract.objects.count() == 1


def test_a_renewal_carries_the_options_and_starts_from_the_committed_count(certified_a, customer_a,
                                                                           partner_a_admin):
    contract = create(partner_a_admin, customer_a, lines=[video_line(installed=100, growth=10)], csm_hour_blocks=2,
                      technical_account_management=True, onsite_extension=True,
                      professional_services_discount=Decimal("12.50"))
    services.contract_activate(by=partner_a_admin, contract=contract)
    renewal = services.contract_renew(by=partner_a_admin, contract=contract)
    line = renewal.lines.get()
    assert (line.installed, line.growth, line.committed) == (110, 0, 110)  # N' = Q, no new growth given
    assert (renewal.csm_hour_blocks, renewal.technical_account_management, renewal.onsite_extension,
            renewal.professional_services_discount) == (2, True, True, Decimal("12.50"))


# ---- the term, day by day --------------------------------------------------------------------

def test_a_term_that_ended_yesterday_cannot_be_activated_one_ending_today_can(certified_a, customer_a,
                                                                              partner_a_admin):
    ended = create(partner_a_admin, customer_a, start_date=TODAY() - 30 * DAY, end_date=TODAY() - DAY)
    with pytest.raises(ValidationError, match="already ended"):
        services.contract_activate(by=partner_a_admin, contract=ended)
    services.contract_cancel(by=partner_a_admin, contract=ended, reason="Drafted too late")
    last_day = create(partner_a_admin, customer_a, start_date=TODAY() - 30 * DAY, end_date=TODAY())
    assert services.contract_activate(by=partner_a_admin, contract=last_day).status == ContractStatus.ACTIVE


def test_terms_touching_on_one_day_overlap(certified_a, customer_a, partner_a_admin):
    first = create(partner_a_admin, customer_a, start_date=D(2030, 1, 1), end_date=D(2030, 12, 31))
    with pytest.raises(ValidationError, match=first.number):
        create(partner_a_admin, customer_a, start_date=D(2029, 1, 1), end_date=D(2030, 1, 1))
    assert create(partner_a_admin, customer_a, start_date=D(2029, 1, 1), end_date=D(2029, 12, 31))


def test_an_expired_contract_still_blocks_its_own_days(certified_a, customer_a, partner_a_admin):
    old = factories.ContractFactory(customer=customer_a, status=ContractStatus.EXPIRED,
                                    start_date=D(2025, 1, 1), end_date=D(2025, 12, 31))
    factories.ContractLineFactory(contract=old, category="video")
    with pytest.raises(ValidationError, match=old.number):
        create(partner_a_admin, customer_a, start_date=D(2025, 12, 31), end_date=D(2026, 12, 30))


def test_the_nightly_expiry_leaves_drafts_and_cancelled_contracts_alone(customer_a):
    ended = dict(start_date=TODAY() - 60 * DAY, end_date=TODAY() - DAY)
    draft = factories.ContractFactory(customer=customer_a, status=ContractStatus.DRAFT, **ended)
    cancelled = factories.ContractFactory(customer=customer_a, status=ContractStatus.CANCELLED, **ended)
    active = factories.ContractFactory(customer=customer_a, status=ContractStatus.ACTIVE, **ended)

    assert services.contracts_expire_ended(today=TODAY()) == 1

    statuses = dict(Contract.objects.values_list("pk", "status"))
    assert statuses == {draft.pk: "draft", cancelled.pk: "cancelled", active.pk: "expired"}
    active.refresh_from_db()
    assert active.status_reason == "The term ended."


def test_a_stale_copy_cannot_move_a_contract_twice(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a)
    stale = Contract.objects.get(pk=contract.pk)
    services.contract_cancel(by=partner_a_admin, contract=contract, reason="Lost the deal")
    with pytest.raises(ValidationError, match="cancelled; it cannot become active"):
        services.contract_activate(by=partner_a_admin, contract=stale)
    assert Contract.objects.get(pk=contract.pk).status == ContractStatus.CANCELLED


# ---- certification and eligibility -------------------------------------------------------------

def test_a_certification_that_starts_tomorrow_does_not_count_yet(partner_a, customer_a, partner_a_admin):
    factories.CertificationFactory(partner=partner_a, category="video", certified_on=TODAY() + DAY)
    with pytest.raises(ValidationError, match="no current Poly service certification"):
        create(partner_a_admin, customer_a)
    partner_a.certifications.update(certified_on=TODAY())
    assert create(partner_a_admin, customer_a).pk


def test_another_partners_certification_does_not_count(partner_b, customer_a, partner_a_admin):
    factories.CertificationFactory(partner=partner_b, category="video")
    with pytest.raises(ValidationError, match="no current Poly service certification for: Video"):
        create(partner_a_admin, customer_a)


def test_growth_does_not_make_a_category_eligible(certified_a, customer_a, partner_a_admin):
    with pytest.raises(ValidationError, match="at least 100"):
        create(partner_a_admin, customer_a, lines=[video_line(installed=0, growth=500)])


@pytest.mark.parametrize(("line", "message"), [
    (LineInput("video", 1_000_001, 0, Decimal("1")), "at most 1,000,000"),
    (LineInput("video", 120, 1_000_001, Decimal("1")), "at most 1,000,000"),
    (LineInput("video", 120, 0, Decimal("0.001")), "amount in cents"),
    (LineInput("video", 120, 0, Decimal("Infinity")), "amount in cents"),
    (LineInput("video", 120, 0, Decimal("10000000000.00")), "amount in cents"),
    (LineInput("video", 120, 0, Decimal("-0.01")), "cannot be negative"),
])
def test_a_line_out_of_range_is_refused_before_the_database(certified_a, customer_a, partner_a_admin, line, message):
    with pytest.raises(ValidationError, match=message):
        create(partner_a_admin, customer_a, lines=[line])
    assert not Contract.objects.exists()


def test_the_largest_line_fits_and_its_baseline_is_exact(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a,
                      lines=[LineInput("video", 1_000_000, 1_000_000, Decimal("9999999999.99"))])
    line = contract.lines.get()
    assert (line.committed, line.baseline) == (2_000_000, Decimal("2100000.00"))


def test_a_cancellation_reason_is_kept_short(certified_a, customer_a, partner_a_admin):
    contract = create(partner_a_admin, customer_a)
    with pytest.raises(ValidationError, match="at most 300"):
        services.contract_cancel(by=partner_a_admin, contract=contract, reason="x" * 301)
    assert services.contract_cancel(by=partner_a_admin, contract=contract, reason=" " + "x" * 300 + " ").pk


# ---- custom quotes ------------------------------------------------------------------------------

@pytest.fixture
def quote_only(db):
    return factories.ProductFactory(sku="ITP-STUDIO", name="Poly Immersive Studio", category="itp")


def test_a_custom_quote_is_only_for_quote_only_products(certified_a, customer_a, partner_a_admin, quote_only):
    contract = create(partner_a_admin, customer_a)
    standard = factories.ProductFactory(sku="SX-50")
    with pytest.raises(ValidationError, match="no quote needed: SX-50"):
        services.custom_quote_request(by=partner_a_admin, contract=contract, reference="Q-1",
                                      products=[quote_only, standard])
    quote = services.custom_quote_request(by=partner_a_admin, contract=contract, reference=" Q-1 ",
                                          products=[quote_only, quote_only])
    assert (quote.reference, list(quote.products.all())) == ("Q-1", [quote_only])
    with pytest.raises(ValidationError, match="already used"):
        services.custom_quote_request(by=partner_a_admin, contract=contract, reference="Q-1", products=[quote_only])
    with pytest.raises(ValidationError, match="at most 60"):
        services.custom_quote_request(by=partner_a_admin, contract=contract, reference="Q" * 61,
                                      products=[quote_only])


def test_a_cancelled_contract_takes_no_custom_quote(certified_a, customer_a, partner_a_admin, quote_only):
    contract = create(partner_a_admin, customer_a)
    services.contract_cancel(by=partner_a_admin, contract=contract, reason="Lost")
    with pytest.raises(ValidationError, match="Only a draft or active contract"):
        services.custom_quote_request(by=partner_a_admin, contract=contract, reference="Q-9", products=[quote_only])
    assert not CustomQuote.objects.exists()


def test_only_poly_decides_a_quote_and_only_once(certified_a, customer_a, partner_a_admin, poly_admin, poly_support,
                                                 quote_only):
    contract = create(partner_a_admin, customer_a)
    quote = services.custom_quote_request(by=partner_a_admin, contract=contract, reference="Q-2",
                                          products=[quote_only])
    for someone in (partner_a_admin, poly_support):
        with pytest.raises(PermissionDenied):
            services.custom_quote_decide(by=someone, quote=quote, approve=True)
    rejected = services.custom_quote_decide(by=poly_admin, quote=quote, approve=False)
    assert (rejected.status, rejected.decided_by) == (QuoteStatus.REJECTED, poly_admin)
    with pytest.raises(ValidationError, match="already rejected"):
        services.custom_quote_decide(by=poly_admin, quote=quote, approve=True)
