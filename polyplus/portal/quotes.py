"""True-up and renewal quotes as numbered PDFs under the partner's brand, made and mailed once.

A quote is keyed (contract, kind, category): a true-up quote per category, one renewal quote
per contract. Its amount and currency are copied exactly from the install base's true-up or
renewal proposal; this module only numbers, renders, stores and mails.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.models import Contract, ContractStatus, Offering
from installbase.models import RenewalProposal, RenewalStatus, TrueUp, TrueUpStatus
from polyplus.files import save_file
from polyplus.portal.models import Quote, QuoteKind, QuoteStatus
from polyplus.portal.pdf import pdf_brand, render_pdf
from polyplus.portal.policies import RENEWAL_QUOTE_DAYS
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import NumberKind, Role, User
from polyplus.tenancy.numbering import next_number
from polyplus.tenancy.policy import policy_value

logger = logging.getLogger("polyplus.portal.quotes")


@dataclass
class QuoteDraft:
    """What the install base computed, as it computed it."""

    contract: Contract
    kind: str
    source_id: int
    amount: Decimal
    currency: str
    category: str = ""
    month: datetime.date | None = None
    lines: list[dict] = field(default_factory=list)  # {"label": ..., "value": ...}, all strings


def _enqueue_make(quote: Quote) -> None:
    from polyplus.portal import tasks

    quote_id = quote.pk
    transaction.on_commit(lambda: tasks.make_quote.delay(quote_id), robust=True)


@transaction.atomic
def quote_request(*, draft: QuoteDraft) -> Quote:
    """The quote for the draft's key: the one already there, or a new, numbered one made on the worker."""
    key = {"contract": draft.contract, "kind": draft.kind, "category": draft.category}
    quote = Quote.objects.filter(**key).first()
    if quote is None:
        try:
            with transaction.atomic():
                quote = Quote.objects.create(
                    **key, partner_id=draft.contract.partner_id, source_id=draft.source_id,
                    number=next_number(draft.contract.partner, NumberKind.QUOTE),
                    month=draft.month, amount=draft.amount, currency=draft.currency, lines=draft.lines,
                )
        except IntegrityError:  # a concurrent run made it first; its number stands, ours is rolled back
            quote = Quote.objects.get(**key)
    if quote.status == QuoteStatus.FAILED:
        quote.status, quote.error = QuoteStatus.QUEUED, ""
        quote.save(update_fields=["status", "error"])
    if quote.status != QuoteStatus.DONE:
        _enqueue_make(quote)
    return quote


def partner_admins(partner_id: int) -> list[User]:
    return list(User.objects.filter(partner_id=partner_id, role=Role.PARTNER_ADMIN, is_active=True).order_by("email"))


def _mark(quote_id: int, **fields) -> None:
    with staff_context(reason="quote status"):
        Quote.objects.filter(pk=quote_id).exclude(status=QuoteStatus.DONE).update(**fields)


def render_quote_pdf(quote: Quote) -> tuple[bytes, int]:
    brand = pdf_brand(quote.contract.partner)
    return render_pdf("portal/pdf/quote.html", {"quote": quote, "brand": brand,
                                                "customer_name": quote.contract.customer.name,
                                                "issued_on": timezone.now().date()})


def quote_make(*, quote_id: int) -> Quote:
    """Render, store and mail the quote, once. Safe to call again at any point."""
    _mark(quote_id, status=QuoteStatus.RUNNING)
    with staff_context(reason="make quote"):
        quote = Quote.objects.select_for_update(of=("self",)).select_related("contract__customer").get(pk=quote_id)
        if quote.status == QuoteStatus.DONE:
            _queue_quote_mails(quote)
            return quote
        pdf, _pages = render_quote_pdf(quote)
        save_file(quote.pdf, quote.filename, _content(pdf))
        quote.status = QuoteStatus.DONE
        quote.finished_at = timezone.now()
        quote.error = ""
        quote.mailed_to = "\n".join(_queue_quote_mails(quote))
        quote.save()
        logger.info("quote %s made", quote.number)
        return quote


def _content(data: bytes):
    from django.core.files.base import ContentFile

    return ContentFile(data)


def quote_mark_failed(*, quote_id: int, error: str) -> None:
    _mark(quote_id, status=QuoteStatus.FAILED, error=error[:2000], finished_at=timezone.now())


def quote_note_error(*, quote_id: int, error: str) -> None:
    _mark(quote_id, status=QuoteStatus.QUEUED, error=error[:2000])


def _queue_quote_mails(quote: Quote) -> list[str]:
    from polyplus.notifications.outbox import queue_mail

    contract = quote.contract
    brand = pdf_brand(contract.partner)
    what = (f"true-up quote ({quote.get_category_display()})" if quote.kind == QuoteKind.TRUE_UP
            else "renewal quote")
    sent_to = []
    for admin in partner_admins(contract.partner_id):
        queue_mail(
            key=f"quote:{quote.pk}:{admin.pk}",
            to=admin.email,
            subject=f"{brand.display_name}: {what} {quote.number} for {contract.customer.name}",
            text="\n".join([
                f"Hello {admin.full_name or admin.email},",
                "",
                f"Quote {quote.number}, the {what} of contract {contract.number} ({contract.customer.name}),",
                f"for {quote.amount:,.2f} {quote.currency}, is attached as a PDF.",
                "Please send a purchase order to accept it.",
                "",
                brand.display_name,
            ]),
            partner_id=contract.partner_id,
            attachments=[(quote.filename, quote.pdf.name, "application/pdf")],
        )
        sent_to.append(admin.email)
    return sent_to


# ---- the daily job --------------------------------------------------------------------------

def proposed_true_up_drafts() -> list[QuoteDraft]:
    """Every proposed true-up of the install base that has no quote yet, as the service computed it."""
    quoted = Quote.objects.filter(kind=QuoteKind.TRUE_UP).values("contract_id", "category")
    drafts = []
    true_ups = (TrueUp.objects.filter(status=TrueUpStatus.PROPOSED)
                .select_related("contract__partner").order_by("pk"))
    already = {(row["contract_id"], row["category"]) for row in quoted}
    for true_up in true_ups:
        if (true_up.contract_id, true_up.category) in already:
            continue
        drafts.append(true_up_draft(true_up))
    return drafts


def true_up_draft(true_up) -> QuoteDraft:
    currency = true_up.currency
    return QuoteDraft(
        contract=true_up.contract, kind=QuoteKind.TRUE_UP, source_id=true_up.pk, category=true_up.category,
        month=true_up.month, amount=true_up.amount, currency=currency,
        lines=[
            {"label": "Devices counted C", "value": str(true_up.count)},
            {"label": "Committed Q", "value": str(true_up.committed_before)},
            {"label": "Additional devices A = C − Q", "value": str(true_up.additional_devices)},
            {"label": "Annual unit price", "value": f"{true_up.annual_unit_price} {currency}"},
            {"label": "Months charged (from the adjustment month to the term's end)", "value": str(true_up.months)},
            {"label": "A × annual unit price × months / 12", "value": f"{true_up.amount} {currency}"},
        ],
    )


def renewal_draft(contract: Contract) -> QuoteDraft | None:
    """The renewal quote made from the CSM's open renewal proposal, or None when there is none."""
    proposal = (RenewalProposal.objects.filter(contract=contract, status=RenewalStatus.PROPOSED)
                .prefetch_related("lines").order_by("-created_at").first())
    if proposal is None:
        return None
    currency = proposal.currency
    lines = []
    for line in proposal.lines.all():
        label = line.get_category_display()
        lines.append({"label": f"{label}: latest count {line.latest_count} + growth {line.growth} = "
                               f"{line.committed} devices at {line.annual_unit_price} {currency} a year",
                      "value": f"{line.amount} {currency}"})
    options = []
    if proposal.csm_hour_blocks:
        options.append(f"{proposal.csm_hour_blocks} block(s) of 8 CSM hours a month")
    if proposal.technical_account_management:
        options.append("Technical Account Management")
    if proposal.onsite_extension:
        options.append("onsite support extension")
    if options:
        lines.append({"label": "Options", "value": ", ".join(options)})
    return QuoteDraft(contract=contract, kind=QuoteKind.RENEWAL, source_id=proposal.pk, amount=proposal.total,
                      currency=currency, lines=lines)


def contracts_due_renewal_quote(today: datetime.date) -> list[Contract]:
    horizon = today + datetime.timedelta(days=int(policy_value(RENEWAL_QUOTE_DAYS.key)))
    already = Quote.objects.filter(kind=QuoteKind.RENEWAL).values("contract_id")
    return list(Contract.objects.filter(
        offering=Offering.POLY_PLUS_ENTERPRISE, status=ContractStatus.ACTIVE,
        end_date__gte=today, end_date__lte=horizon,
    ).exclude(pk__in=already).select_related("partner", "customer").order_by("end_date", "pk"))


def renewal_missing_alert(*, contract: Contract) -> int:
    """Tell the customer's CSM and the Poly admins that the renewal cannot be quoted: no proposal."""
    from polyplus.notifications.outbox import queue_mail

    csm = User.objects.filter(csm_assignments__customer_id=contract.customer_id, is_active=True)
    admins = User.objects.filter(role=Role.POLY_ADMIN, is_active=True)
    sent = 0
    for user in (csm | admins).distinct().order_by("email"):
        queue_mail(
            key=f"renewal-proposal-missing:{contract.pk}:{contract.end_date}:{user.pk}",
            to=user.email,
            subject=f"No renewal proposal for {contract.number} ({contract.customer.name}), ending {contract.end_date}",
            text="\n".join([
                f"Contract {contract.number} of {contract.customer.name} ({contract.partner.name}) ends on "
                f"{contract.end_date}.",
                "Its renewal quote is due now, but there is no renewal proposal to quote from.",
                "Please prepare the renewal proposal in the CSM workspace; the quote follows on the next run.",
            ]),
        )
        sent += 1
    return sent


def quotes_due(*, today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: quote proposed true-ups, and renewals due within the window (or alert)."""
    today = today or timezone.now().date()
    made = {"true_up": 0, "renewal": 0, "alerts": 0}
    with staff_context(reason="quotes: find what is due"):
        drafts = proposed_true_up_drafts()
        due = contracts_due_renewal_quote(today)
    for draft in drafts:
        with staff_context(reason="true-up quote"):
            quote_request(draft=draft)
            made["true_up"] += 1
    for contract in due:
        with staff_context(reason="renewal quote"):
            draft = renewal_draft(contract)
            if draft is None:
                made["alerts"] += renewal_missing_alert(contract=contract)
            else:
                quote_request(draft=draft)
                made["renewal"] += 1
    return made
