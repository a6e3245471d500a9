"""The Enterprise headset allowance: per customer and calendar year, an approved headset RMA is billable
when, counting it, the year's approved and not cancelled headset RMAs exceed 5% of Q. Decided once."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection

from contracts.models import ContractLine, Offering, Product
from polyplus.tenancy.context import staff_context
from rma import selectors, services
from rma.models import Rma
from tests import factories
from tests.rma import approved, covered_world, request_rma

UTC = datetime.UTC


def at(*parts):
    return datetime.datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("position", "committed", "billable"), [
    (10, 200, False), (11, 200, True), (1, 19, True), (1, 20, False), (2, 40, False), (3, 40, True), (1, 0, True),
])
def test_the_threshold_in_whole_numbers(position, committed, billable):
    assert services.allowance_exceeded(position, committed) is billable


def _approve_in_order(engineer, poly, site, product, count, when):
    return [approved(engineer, poly, site, product, at=when + datetime.timedelta(minutes=n)) for n in range(count)]


@pytest.mark.django_db
def test_exactly_five_percent_is_included_and_the_next_is_billable(partner_a_engineer, poly_support, site_a):
    _, product = covered_world(site_a, committed=40, list_price=Decimal("289.00"))
    first, second, third = _approve_in_order(partner_a_engineer, poly_support, site_a, product, 3, at(2026, 12, 1, 9))
    assert (first.billable, second.billable, third.billable) == (False, False, True)  # 2 of 40 is exactly 5%
    assert third.allowance_position == 3 and third.allowance_committed == 40
    assert (third.billed_price, third.billed_currency) == (Decimal("289.00"), "USD")
    assert first.billed_price is None


@pytest.mark.django_db
def test_one_below_five_percent_is_included(partner_a_engineer, poly_support, site_a):
    _, product = covered_world(site_a, committed=41)
    rmas = _approve_in_order(partner_a_engineer, poly_support, site_a, product, 2, at(2026, 12, 1, 9))
    assert [r.billable for r in rmas] == [False, False]


@pytest.mark.django_db
def test_nineteen_committed_makes_the_first_billable(partner_a_engineer, poly_support, site_a):
    _, product = covered_world(site_a, committed=19)
    assert approved(partner_a_engineer, poly_support, site_a, product, at=at(2026, 12, 1, 9)).billable


@pytest.mark.django_db
def test_the_count_starts_again_in_the_new_year_of_the_site(partner_a_engineer, poly_support, site_a):
    _, product = covered_world(site_a, committed=20)
    december = approved(partner_a_engineer, poly_support, site_a, product, at=at(2026, 12, 31, 12))
    # 23:30 UTC on New Year's Eve is already 2027 in Stockholm.
    new_year = approved(partner_a_engineer, poly_support, site_a, product, at=at(2026, 12, 31, 23, 30))
    assert (december.allowance_year, new_year.allowance_year) == (2026, 2027)
    assert (december.billable, new_year.billable) == (False, False)
    assert approved(partner_a_engineer, poly_support, site_a, product, at=at(2027, 1, 2, 9)).billable


@pytest.mark.django_db
def test_cancelled_and_rejected_rmas_do_not_count(partner_a_engineer, poly_support, site_a):
    _, product = covered_world(site_a, committed=20)
    first = approved(partner_a_engineer, poly_support, site_a, product, at=at(2026, 12, 1, 9))
    services.rma_cancel(by=partner_a_engineer, rma=first)
    rejected = request_rma(partner_a_engineer, site_a, product)
    services.rma_reject(by=poly_support, rma=rejected, reason="Not faulty")
    assert not approved(partner_a_engineer, poly_support, site_a, product, at=at(2026, 12, 2, 9)).billable


@pytest.mark.django_db
def test_a_video_line_is_never_billable(partner_a_engineer, poly_support, site_a):
    _, product = covered_world(site_a, category="video", committed=1)
    rmas = _approve_in_order(partner_a_engineer, poly_support, site_a, product, 3, at(2026, 12, 1, 9))
    assert [(r.billable, r.counts_against_allowance) for r in rmas] == [(False, False)] * 3


@pytest.mark.django_db
def test_poly_plus_headsets_have_no_allowance(partner_a_engineer, poly_support, site_a):
    contract, product = covered_world(site_a, offering=Offering.POLY_PLUS, committed=1)
    rma = approved(partner_a_engineer, poly_support, site_a, product, contract=contract)
    assert not rma.billable and not rma.counts_against_allowance


@pytest.mark.django_db
def test_billing_never_changes_after_approval(partner_a_engineer, poly_support, site_a):
    contract, product = covered_world(site_a, committed=19)
    rma = approved(partner_a_engineer, poly_support, site_a, product, at=at(2026, 12, 1, 9))
    ContractLine.objects.filter(contract=contract).update(committed=400)  # a true-up
    Product.objects.filter(pk=product.pk).update(list_price=Decimal("999.00"))
    services.rma_ship(by=poly_support, rma=rma, carrier="DHL", tracking_number="1")
    rma.refresh_from_db()
    assert rma.billable and rma.billed_price == Decimal("289.00") and rma.allowance_committed == 19


@pytest.mark.django_db
def test_the_line_in_force_on_the_last_day_of_a_term_decides(partner_a_engineer, poly_support, site_a):
    """The term ends 31 December; its renewal starts 1 January with a larger Q."""
    old, product = covered_world(site_a, committed=19, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31))
    renewal = factories.ContractFactory(customer=site_a.customer, offering=Offering.POLY_PLUS_ENTERPRISE,
                                        start_date=datetime.date(2027, 1, 1), end_date=datetime.date(2027, 12, 31))
    factories.ContractLineFactory(contract=renewal, category="headset", installed=400, growth=0)
    last_day = approved(partner_a_engineer, poly_support, site_a, product, at=at(2026, 12, 31, 9))
    assert last_day.allowance_line.contract == old and last_day.billable
    first_day = approved(partner_a_engineer, poly_support, site_a, product, at=at(2027, 1, 1, 9))
    assert first_day.allowance_line.contract == renewal and not first_day.billable


@pytest.mark.django_db
def test_billing_rows_for_a_month(partner_a_engineer, poly_support, site_a, partner_a):
    _, product = covered_world(site_a, committed=19)
    billable = approved(partner_a_engineer, poly_support, site_a, product, at=at(2026, 11, 30, 9))
    assert list(selectors.billing_rows(poly_support, month=datetime.date(2026, 11, 1))) == [billable]
    assert list(selectors.billing_rows(poly_support, month=datetime.date(2026, 12, 1))) == []
    assert list(selectors.headset_rmas_in_year(customer_id=site_a.customer_id, year=2026)) == [billable]


@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_at_the_boundary_never_both_come_out_included():
    with staff_context(reason="test setup: racing approvals"):
        site = factories.SiteFactory()
        engineer = factories.UserFactory(partner=site.partner)
        poly = factories.PolyStaffFactory()
        _, product = covered_world(site, committed=20)  # one included, the second billable
        first = request_rma(engineer, site, product)
        second = request_rma(engineer, site, product)
    start = threading.Barrier(2)
    errors = []

    def approve(rma):
        try:
            with staff_context(reason="racing approval", actor=poly):
                start.wait(timeout=10)
                services.rma_approve(by=poly, rma=rma, at=datetime.datetime(2026, 12, 1, 9, tzinfo=UTC))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(rma,)) for rma in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with staff_context(reason="test check"):
        outcomes = sorted(Rma.objects.filter(pk__in=[first.pk, second.pk]).values_list("allowance_position",
                                                                                        "billable"))
    assert outcomes == [(1, False), (2, True)]
