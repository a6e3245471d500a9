"""Monthly reconciliation and mid-term true-ups at their edges (DOMAIN.md: baseline and true-up)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from contracts.models import ContractLine
from installbase import baseline as rules
from installbase.models import Device, LensAccess, Reconciliation, TrueUp, TrueUpStatus, UploadStatus
from installbase.reconciliation import (
    month_review_set,
    reconcile,
    renewal_proposal_accept,
    renewal_proposal_prepare,
    true_up_accept,
    true_up_reject,
)
from tests import factories

D = datetime.date
TODAY = D(2026, 3, 10)
LONG_AGO = D(2025, 1, 1)


def put_devices(site, product, n, entered=LONG_AGO, left=None, prefix="X"):
    Device.objects.bulk_create([
        Device(partner=site.partner, customer=site.customer, site=site, product=product,
               serial=f"{prefix}{product.pk}-{i:06d}", entered_production=entered, left_production=left,
               in_production=left is None)
        for i in range(n)
    ])


@pytest.fixture
def video(db):
    return factories.ProductFactory(sku="STUDIO-X50", category="video")


@pytest.fixture
def term(customer_a):
    """A calendar-year term, 2025, with video Q = 100 at 120.00 a device a year."""
    contract = factories.ContractFactory(customer=customer_a, start_date=D(2025, 1, 1), end_date=D(2025, 12, 31),
                                         currency="SEK")
    factories.ContractLineFactory(contract=contract, category="video", installed=90, growth=10)
    return contract


def run(contract, month, **kw):
    return reconcile(contract_id=contract.pk, month=month, today=TODAY, **kw)


# ---- the arithmetic ------------------------------------------------------------------------

def test_baseline_is_exact_for_a_q_not_a_multiple_of_20():
    assert rules.baseline(101) == Decimal("106.05")
    assert not rules.over_threshold(count=106, committed=101)
    assert rules.over_threshold(count=107, committed=101)


def test_the_trigger_is_met_at_exactly_five_percent_and_not_one_below():
    assert rules.over_threshold(count=105, committed=100)
    assert not rules.over_threshold(count=104, committed=100)
    assert rules.percent_over(count=105, committed=100) == Decimal("5.00")


def test_no_devices_against_nothing_committed_is_not_growth():
    assert not rules.over_threshold(count=0, committed=0)
    assert rules.percent_over(count=3, committed=0) is None


def test_the_midpoint_is_start_plus_half_the_length_in_days_rounded_down():
    assert rules.term_midpoint(D(2025, 1, 1), D(2025, 12, 31)) == D(2025, 7, 2)  # 365 days: + 182
    assert rules.term_midpoint(D(2028, 1, 1), D(2028, 12, 31)) == D(2028, 7, 2)  # 366 days: + 183
    assert rules.adjustment_month(D(2025, 1, 15), D(2026, 1, 14)) == D(2025, 7, 1)


def test_a_term_starting_mid_month_charges_from_the_first_of_the_adjustment_month():
    start, end = D(2025, 3, 15), D(2026, 3, 14)
    month = rules.adjustment_month(start, end)
    assert month == D(2025, 9, 1)  # midpoint 2025-09-13
    assert rules.months_charged(month, end) == 7  # Sep..Mar, the last month whole


def test_a_term_of_other_than_twelve_months():
    start, end = D(2025, 1, 1), D(2026, 6, 30)  # 18 months, 546 days: midpoint + 273 = 2025-10-01
    assert rules.adjustment_month(start, end) == D(2025, 10, 1)
    assert rules.months_charged(D(2025, 10, 1), end) == 9


def test_the_adjustment_month_being_the_terms_last_counts_one_month():
    start, end = D(2025, 1, 1), D(2025, 1, 31)
    assert rules.adjustment_month(start, end) == D(2025, 1, 1)
    assert rules.months_charged(D(2025, 1, 1), end) == 1
    assert rules.true_up_amount(additional=6, annual_unit_price=Decimal("120.00"), months=1) == Decimal("60.00")


def test_half_a_cent_rounds_up_once_at_the_end():
    # 1 × 0.06 × 1 / 12 = 0.005 exactly: half a cent, up.
    assert rules.true_up_amount(additional=1, annual_unit_price=Decimal("0.06"), months=1) == Decimal("0.01")
    # Rounding each month first would give 7 × 0.00 = 0.00; once at the end it is 0.04 (0.035 up).
    assert rules.true_up_amount(additional=1, annual_unit_price=Decimal("0.06"), months=7) == Decimal("0.04")


# ---- reconcile -----------------------------------------------------------------------------

def test_exactly_five_percent_over_triggers_a_true_up_in_the_adjustment_month(term, site_a, video):
    put_devices(site_a, video, 105)
    result = run(term, D(2025, 7, 1))
    (row,) = result.rows
    assert (row.count, row.committed, row.baseline, row.over_threshold, row.is_adjustment_month) == (
        105, 100, Decimal("105.00"), True, True)
    (true_up,) = result.true_ups
    assert (true_up.additional_devices, true_up.months, true_up.currency) == (5, 6, "SEK")
    assert true_up.amount == Decimal("300.00")  # 5 × 120 × 6 / 12


def test_one_below_warns_nothing_and_proposes_nothing(term, site_a, video):
    put_devices(site_a, video, 104)
    result = run(term, D(2025, 7, 1))
    assert not result.rows[0].over_threshold and result.true_ups == []


def test_an_earlier_month_only_warns(term, site_a, video):
    put_devices(site_a, video, 120)
    result = run(term, D(2025, 3, 1))
    assert result.rows[0].over_threshold and result.true_ups == []


def test_a_rerun_on_the_same_data_changes_nothing(term, site_a, video):
    put_devices(site_a, video, 110)
    first = run(term, D(2025, 7, 1))
    again = run(term, D(2025, 7, 1))
    assert first.changed and not again.changed
    assert Reconciliation.objects.count() == 1 and TrueUp.objects.count() == 1
    assert again.rows[0].computed_at == first.rows[0].computed_at


def test_a_device_entering_on_the_last_day_counts_and_one_leaving_then_does_not(term, site_a, video):
    put_devices(site_a, video, 100)
    put_devices(site_a, video, 3, entered=D(2025, 4, 30), prefix="IN")
    put_devices(site_a, video, 2, entered=D(2025, 1, 1), left=D(2025, 4, 30), prefix="OUT")
    put_devices(site_a, video, 1, entered=D(2025, 1, 1), left=D(2025, 5, 1), prefix="LATE")
    assert run(term, D(2025, 4, 1)).rows[0].count == 104


def test_end_of_service_and_quote_only_products_are_not_counted(term, site_a, video):
    put_devices(site_a, video, 100)
    old = factories.ProductFactory(sku="OLD-CAM", category="video", end_of_sale=D(2024, 1, 1),
                                   end_of_service=D(2025, 7, 31))
    itp = factories.ProductFactory(sku="ITP-ROOM", category="itp")
    put_devices(site_a, old, 10)
    put_devices(site_a, itp, 10)
    assert run(term, D(2025, 6, 1)).rows[0].count == 110
    assert run(term, D(2025, 7, 1)).rows[0].count == 100  # end of service on the count day


def test_the_po_resets_the_baseline_and_closes_the_month(term, site_a, video, partner_a_admin):
    put_devices(site_a, video, 112)
    (true_up,) = run(term, D(2025, 7, 1)).true_ups
    true_up_accept(by=partner_a_admin, true_up=true_up, po_number=" PO-778 ")
    line = ContractLine.objects.get(contract=term)
    assert (line.committed, line.baseline) == (112, Decimal("117.60"))
    true_up.refresh_from_db()
    assert (true_up.status, true_up.po_number, true_up.committed_before, true_up.committed_after) == (
        TrueUpStatus.ACCEPTED, "PO-778", 100, 112)
    put_devices(site_a, video, 30, prefix="MORE")
    closed = run(term, D(2025, 7, 1))
    assert closed.closed and closed.rows[0].count == 112
    assert run(term, D(2025, 8, 1)).rows[0].committed == 112  # later months against Q'
    assert run(term, D(2025, 3, 1)).rows[0].committed == 100  # earlier ones as they stood


def test_a_rerun_after_the_count_drops_withdraws_the_proposal(term, site_a, video):
    put_devices(site_a, video, 110)
    run(term, D(2025, 7, 1))
    Device.objects.filter(serial__endswith="000109").update(left_production=D(2025, 7, 2))
    Device.objects.filter(serial__in=[f"X{video.pk}-{i:06d}" for i in range(100, 109)]).delete()
    result = run(term, D(2025, 7, 1))
    assert result.true_ups == [] and TrueUp.objects.get().status == TrueUpStatus.WITHDRAWN


def test_no_lens_access_counts_the_months_upload_and_flags_a_missing_one(term, site_a, video, partner_a_engineer):
    put_devices(site_a, video, 130)
    LensAccess.objects.create(partner=term.partner, customer=term.customer, has_access=False)
    missing = run(term, D(2025, 7, 1))
    assert missing.missing_upload and missing.true_ups == [] and missing.rows[0].count == 130
    factories_upload = term.customer.inventory_uploads.create(
        partner=term.partner, month=D(2025, 7, 1), file="x.csv", status=UploadStatus.SUCCEEDED,
        counts={"video": 106}, uploaded_by=partner_a_engineer)
    counted = run(term, D(2025, 7, 1))
    assert not counted.missing_upload and counted.rows[0].count == 106 and counted.rows[0].upload == factories_upload
    assert counted.true_ups[0].additional_devices == 6


def test_a_month_outside_the_term_or_not_begun_is_refused(term):
    with pytest.raises(ValidationError, match="not in the term"):
        run(term, D(2026, 1, 1))
    with pytest.raises(ValidationError, match="has not begun"):
        reconcile(contract_id=term.pk, month=D(2025, 8, 1), today=D(2025, 7, 31))


def test_only_the_customers_csm_or_a_poly_admin_runs_it(term, csm, poly_admin, partner_a_admin):
    with pytest.raises(PermissionDenied):
        run(term, D(2025, 2, 1), by=csm)
    with pytest.raises(PermissionDenied):
        run(term, D(2025, 2, 1), by=partner_a_admin)
    factories.CsmAssignmentFactory(customer=term.customer, csm=csm)
    assert run(term, D(2025, 2, 1), by=csm).rows
    assert run(term, D(2025, 2, 1), by=poly_admin).rows


def test_a_rejected_true_up_is_not_proposed_again(term, site_a, video, partner_a_admin):
    put_devices(site_a, video, 110)
    (true_up,) = run(term, D(2025, 7, 1)).true_ups
    true_up_reject(by=partner_a_admin, true_up=true_up, reason="Budget")
    assert run(term, D(2025, 7, 1)).true_ups == []
    with pytest.raises(ValidationError, match="rejected"):
        true_up_accept(by=partner_a_admin, true_up=true_up, po_number="PO-1")


def test_a_po_must_be_given(term, site_a, video, partner_a_admin, partner_b_admin):
    put_devices(site_a, video, 110)
    (true_up,) = run(term, D(2025, 7, 1)).true_ups
    with pytest.raises(ValidationError, match="purchase order"):
        true_up_accept(by=partner_a_admin, true_up=true_up, po_number="  ")
    with pytest.raises(PermissionDenied):
        true_up_accept(by=partner_b_admin, true_up=true_up, po_number="PO-1")
    assert TrueUp.objects.get().status == TrueUpStatus.PROPOSED


def test_the_month_review_mark(term, csm):
    factories.CsmAssignmentFactory(customer=term.customer, csm=csm)
    review = month_review_set(by=csm, contract=term, month=D(2025, 5, 17))
    assert review.month == D(2025, 5, 1)
    assert month_review_set(by=csm, contract=term, month=D(2025, 5, 1), reviewed=False) is None


def test_a_renewal_proposal_uses_the_latest_count_and_its_po_drafts_the_next_term(
        customer_a, site_a, video, csm, partner_a_admin):
    factories.CertificationFactory(partner=customer_a.partner, category="video")
    factories.CsmAssignmentFactory(customer=customer_a, csm=csm)
    today = datetime.date.today()
    contract = factories.ContractFactory(customer=customer_a, start_date=today - datetime.timedelta(days=300),
                                         end_date=today + datetime.timedelta(days=64))
    factories.ContractLineFactory(contract=contract, category="video", installed=100, growth=0,
                                  annual_unit_price=Decimal("99.50"))
    put_devices(site_a, video, 140, entered=today - datetime.timedelta(days=400))
    proposal = renewal_proposal_prepare(by=csm, contract=contract, growth_by_category={"video": 10})
    (line,) = proposal.lines.all()
    assert (line.latest_count, line.growth, line.committed, line.amount) == (140, 10, 150, Decimal("14925.00"))
    assert proposal.total == Decimal("14925.00")
    with pytest.raises(ValidationError, match="already open"):
        renewal_proposal_prepare(by=csm, contract=contract)
    renewal = renewal_proposal_accept(by=partner_a_admin, proposal=proposal, po_number="PO-R1")
    new_line = renewal.lines.get()
    assert (renewal.renewal_of, new_line.installed, new_line.growth, new_line.committed) == (contract, 140, 10, 150)
