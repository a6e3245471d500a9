"""The report's install-base sections and the true-up quote, from the install base's own rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from installbase.models import Reconciliation, RenewalProposal, RenewalProposalLine, TrueUp
from polyplus.portal import quotes, reports
from polyplus.portal.models import Quote, QuoteKind, QuoteStatus
from polyplus.tenancy.models import PartnerBrand
from tests.portal.documents import enterprise_contract, last_month, pdf_text


def reconciled(contract, month, category, count, committed):
    baseline = Decimal(committed) * Decimal("1.05")
    return Reconciliation.objects.create(
        partner=contract.partner, customer=contract.customer, contract=contract, month=month, category=category,
        count=count, committed=committed, baseline=baseline, over_threshold=count >= baseline and count > committed,
        percent_over=(Decimal(count - committed) * 100 / Decimal(committed)).quantize(Decimal("0.01")),
    )


@pytest.fixture
def contract(site_a, csm):
    contract = enterprise_contract(site_a, csm=csm)
    contract.currency = "SEK"
    contract.save()
    return contract


@pytest.fixture
def true_up(contract):
    """Headsets: C 215 against Q 200 in the adjustment month; A 15 × 29.99 × 7 / 12 = 262.4125 → 262.41 SEK."""
    month = last_month()
    row = reconciled(contract, month, "headset", 215, 200)
    row.is_adjustment_month = True
    row.save()
    reconciled(contract, month, "video", 57, 57)
    return TrueUp.objects.create(
        partner=contract.partner, customer=contract.customer, contract=contract, reconciliation=row,
        category="headset", month=month, count=215, committed_before=200, additional_devices=15, months=7,
        annual_unit_price=Decimal("29.99"), amount=Decimal("262.41"), currency="SEK",
    )


def test_the_report_shows_counts_against_q_and_b_with_the_trigger_and_the_true_up_to_the_cent(contract, true_up):
    earlier = last_month() - datetime.timedelta(days=20)
    reconciled(contract, earlier.replace(day=1), "headset", 204, 200)
    pdf, _ = reports.render_report_pdf(contract=contract, month=last_month())
    text = pdf_text(pdf)
    lines = text.splitlines()
    headsets = next(line for line in lines if line.startswith("215 "))  # after "Headsets and personal devices"
    assert headsets.split()[:6] == ["215", "200", "210.00", "7.50%", "Warning:", "C"]
    video = next(line for line in lines if line.startswith("Video 57"))
    assert video.split()[1:5] == ["57", "57", "59.85", "0.00%"]
    true_up_row = next(line for line in lines if line.startswith(f"{last_month():%B %Y} 15 7"))
    assert true_up_row.split()[-1] == "262.41" and "Proposed" in text
    assert "Pending" not in text.split("True-up status")[1].split("Headset RMAs")[0]


def test_making_a_report_reconciles_its_month_first(contract):
    month = last_month()
    report = reports.Report.objects.create(partner=contract.partner, contract=contract, month=month)
    reports.report_make(report_id=report.pk)
    assert set(Reconciliation.objects.filter(contract=contract, month=month).values_list("category", flat=True)) \
        == {"headset", "video"}


def test_a_proposed_true_up_becomes_one_numbered_quote_pdf_with_its_amount_to_the_cent(contract, true_up, partner_a,
                                                                                       partner_a_admin):
    PartnerBrand.objects.filter(partner=partner_a).update(display_name="Nordic Support+")
    assert quotes.quotes_due(today=datetime.date.today())["true_up"] == 1
    assert quotes.quotes_due(today=datetime.date.today())["true_up"] == 0  # already quoted
    quote = Quote.objects.get()
    assert (quote.kind, quote.category, quote.amount, quote.currency, quote.number) == \
        (QuoteKind.TRUE_UP, "headset", Decimal("262.41"), "SEK", "NORDIC-Q-00001")
    quotes.quote_make(quote_id=quote.pk)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DONE and quote.mailed_to == "admin@nordic.example"
    with quote.pdf.open("rb") as stored:
        text = pdf_text(stored.read())
    assert "NORDIC-Q-00001" in text and "Nordic Support+" in text
    assert "262.41 SEK" in text and "29.99 SEK" in text
    lines = text.splitlines()
    assert any(line.endswith(" 15") and line.startswith("Additional devices") for line in lines)


def test_a_renewal_due_is_quoted_from_the_csms_proposal(contract, csm, partner_a_admin):
    contract.end_date = datetime.date.today() + datetime.timedelta(days=30)
    contract.save()
    proposal = RenewalProposal.objects.create(
        partner=contract.partner, customer=contract.customer, contract=contract, counted_month=last_month(),
        currency="SEK", total=Decimal("7230.00"), prepared_by=csm, csm_hour_blocks=1)
    RenewalProposalLine.objects.create(partner=contract.partner, proposal=proposal, category="headset",
                                       latest_count=215, growth=26, committed=241,
                                       annual_unit_price=Decimal("30.00"), amount=Decimal("7230.00"))
    assert quotes.quotes_due(today=datetime.date.today())["renewal"] == 1
    quote = Quote.objects.get(kind=QuoteKind.RENEWAL)
    quotes.quote_make(quote_id=quote.pk)
    with Quote.objects.get(pk=quote.pk).pdf.open("rb") as stored:
        text = pdf_text(stored.read())
    assert "Renewal quote" in text and "7230.00 SEK" in text and "241" in text


def test_a_renewal_due_without_a_proposal_alerts_the_csm_and_poly_admins_instead(contract, csm, poly_admin):
    from polyplus.notifications.models import OutboundMail
    from polyplus.tenancy.models import Role, User

    contract.end_date = datetime.date.today() + datetime.timedelta(days=30)
    contract.save()
    poly_admins = User.objects.filter(role=Role.POLY_ADMIN).count()  # the fixture's and the contract's maker
    assert quotes.quotes_due(today=datetime.date.today())["alerts"] == 1 + poly_admins
    assert not Quote.objects.exists()
    recipients = set(OutboundMail.objects.values_list("to", flat=True))
    assert {"admin@poly.example", "csm@poly.example"} <= recipients
    assert "no renewal proposal" in OutboundMail.objects.first().text
    quotes.quotes_due(today=datetime.date.today())
    assert OutboundMail.objects.count() == 1 + poly_admins  # once per term
