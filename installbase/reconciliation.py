"""Monthly reconciliation against the baseline, mid-term true-ups, the month's review and the
renewal proposal (DOMAIN.md: install base, baseline and true-up; Customer Success Manager).

The service API other apps build on (the monthly PDF report, the quote mail):

- `reconcile(contract_id=, month=, by=None) -> MonthReconciliation`: counts every category of an
  Enterprise contract for one calendar month, writes one `Reconciliation` row per category
  (unique per contract, month and category) and, in the month that holds the term's midpoint,
  proposes a `TrueUp` per triggered category. Idempotent: a rerun on the same data changes
  nothing; new data (a later upload) recomputes, until a true-up of that month has its PO, after
  which the month is closed and returned as stored.
- `true_up_accept(by=, true_up=, po_number=)` / `true_up_reject(by=, true_up=, reason=)`.
- `renewal_proposal_prepare(by=, contract=, growth_by_category=, ...) -> RenewalProposal` and
  `renewal_proposal_accept(by=, proposal=, po_number=) -> Contract` (the next term, drafted).
- `month_review_set(by=, contract=, month=, reviewed=)`, `lens_access_set(by=, customer=, has_access=)`.

`by=None` means the system (an upload's task, a monthly job): no person's permission is checked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from contracts import services as contract_services
from contracts.models import Contract, ContractLine, ContractStatus
from installbase import baseline as rules
from installbase.models import (
    CountSource,
    Device,
    InventoryUpload,
    LensAccess,
    MonthReview,
    Reconciliation,
    RenewalProposal,
    RenewalProposalLine,
    RenewalStatus,
    TrueUp,
    TrueUpStatus,
    UploadStatus,
    month_end,
    month_start,
)
from polyplus.tenancy.models import CsmAssignment, Customer, ServiceCategory, User
from polyplus.tenancy.text import unstorable_reason

RECONCILED_STATUSES = frozenset({ContractStatus.ACTIVE, ContractStatus.EXPIRED})
PO_MAX = TrueUp._meta.get_field("po_number").max_length


@dataclass(frozen=True)
class MonthReconciliation:
    """What `reconcile` answers: the month's rows (one per category of the contract, by category),
    the month's true-ups that stand (proposed or accepted), and the month's flags."""

    contract: Contract
    month: datetime.date
    rows: list[Reconciliation]
    true_ups: list[TrueUp] = field(default_factory=list)
    missing_upload: bool = False
    closed: bool = False
    changed: bool = False


# ---- who may act ---------------------------------------------------------------------------------

def is_csm_of(user: User, customer_id: int) -> bool:
    return user.role == "csm" and CsmAssignment.objects.filter(customer_id=customer_id, csm=user).exists()


def require_csm_or_poly_admin(actor: User, customer_id: int) -> None:
    """The customer's own CSM, or a Poly admin."""
    if actor.is_poly_admin or is_csm_of(actor, customer_id):
        return
    raise PermissionDenied("Only the customer's Customer Success Manager or a Poly admin may do this.")


def require_po_recorder(actor: User, *, partner_id: int, customer_id: int) -> None:
    """A purchase order is recorded by the partner's admin, the customer's CSM or a Poly admin."""
    if actor.is_poly_admin or (actor.is_partner_admin and actor.partner_id == partner_id) \
            or is_csm_of(actor, customer_id):
        return
    raise PermissionDenied("Only the partner's admin, the customer's CSM or a Poly admin may record a PO.")


# ---- counting ------------------------------------------------------------------------------------

def in_production_on(day: datetime.date, prefix: str = "") -> Q:
    """In production at the end of `day`: entered on or before it, and not left by it."""
    return Q(**{f"{prefix}entered_production__lte": day}) & (
        Q(**{f"{prefix}left_production__isnull": True}) | Q(**{f"{prefix}left_production__gt": day})
    )


def device_counts(*, customer_id: int, day: datetime.date) -> dict[str, int]:
    """Covered devices per service category in production at the end of `day` (end-of-service
    products, that day included, and quote-only kinds are not counted)."""
    rows = (
        Device.objects.filter(in_production_on(day), customer_id=customer_id,
                              product__category__in=ServiceCategory.values)
        .exclude(product__end_of_service__lte=day)
        .order_by().values_list("product__category").annotate(n=Count("pk"))
    )
    return dict(rows)


def month_upload(customer_id: int, month: datetime.date) -> InventoryUpload | None:
    """The month's inventory: its latest imported upload."""
    return (InventoryUpload.objects.filter(customer_id=customer_id, month=month, status=UploadStatus.SUCCEEDED)
            .order_by("-finished_at", "-pk").first())


def closing_true_up(*, customer_id: int, month: datetime.date) -> TrueUp | None:
    """An accepted true-up (PO received) of the month closes it for that customer's contracts."""
    return (TrueUp.objects.filter(customer_id=customer_id, month=month, status=TrueUpStatus.ACCEPTED)
            .select_related("contract").first())


def committed_in(month: datetime.date, line: ContractLine, accepted: TrueUp | None) -> int:
    """Q as it stood in `month`: an accepted true-up reset it from its month onwards."""
    if accepted is None:
        return line.committed
    return accepted.committed_after if month >= accepted.month else accepted.committed_before


# ---- reconcile -----------------------------------------------------------------------------------

def _check_month(contract: Contract, month: datetime.date, today: datetime.date) -> None:
    if not contract.is_enterprise:
        raise ValidationError({"contract": ["Only Poly+ Enterprise contracts are reconciled against a baseline."]})
    if contract.status not in RECONCILED_STATUSES:
        raise ValidationError({"contract": [
            f"Contract {contract.number} is {contract.get_status_display().lower()}; "
            "only an active or expired contract is reconciled."]})
    if not month_start(contract.start_date) <= month <= contract.end_date:
        raise ValidationError({"month": [
            f"{month:%B %Y} is not in the term of contract {contract.number} "
            f"({contract.start_date:%Y-%m-%d} to {contract.end_date:%Y-%m-%d})."]})
    if month > month_start(today):
        raise ValidationError({"month": [f"{month:%B %Y} has not begun; reconcile this month or an earlier one."]})


def _stored(contract: Contract, month: datetime.date, **flags) -> MonthReconciliation:
    rows = list(Reconciliation.objects.filter(contract=contract, month=month).order_by("category"))
    true_ups = list(TrueUp.objects.filter(contract=contract, month=month,
                                          status__in=[TrueUpStatus.PROPOSED, TrueUpStatus.ACCEPTED])
                    .order_by("category"))
    missing = any(row.missing_upload for row in rows)
    return MonthReconciliation(contract=contract, month=month, rows=rows, true_ups=true_ups,
                               missing_upload=missing, **flags)


def _write(instance, values: dict) -> bool:
    """Set `values` on a row and save only what differs: a rerun on the same data writes nothing."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    if not changed:
        return False
    for name in changed:
        setattr(instance, name, values[name])
    instance.save(update_fields=changed)
    return True


@transaction.atomic
def reconcile(*, contract_id: int, month: datetime.date, by: User | None = None,
              today: datetime.date | None = None) -> MonthReconciliation:
    """Reconcile one Enterprise contract for one calendar month, every category at once.

    Count C per category at the end of the month (or on the term's last day), from the device
    records, or from the month's upload when the customer has no Lens access (a missing upload
    is flagged, the device records stand in, and no true-up is proposed). In the month holding
    the term's midpoint, each triggered category gets a proposed TrueUp (A = C − Q). Idempotent;
    a closed month (a true-up of it has its PO) is returned as stored.
    """
    today = today or timezone.localdate()
    contract = Contract.objects.select_for_update().select_related("customer").filter(pk=contract_id).first()
    if contract is None:
        raise ValidationError({"contract": ["No such contract."]})
    if by is not None:
        require_csm_or_poly_admin(by, contract.customer_id)
    month = month_start(month)
    _check_month(contract, month, today)
    if TrueUp.objects.filter(contract=contract, month=month, status=TrueUpStatus.ACCEPTED).exists():
        return _stored(contract, month, closed=True)

    day = rules.count_day(month, contract.end_date)
    access = LensAccess.objects.filter(customer_id=contract.customer_id).values_list("has_access", flat=True).first()
    upload, missing = None, False
    if access is False:
        upload = month_upload(contract.customer_id, month)
        missing = upload is None
    counts = {str(key): int(value) for key, value in upload.counts.items()} if upload \
        else device_counts(customer_id=contract.customer_id, day=day)
    adjustment = month == rules.adjustment_month(contract.start_date, contract.end_date)
    accepted = {tu.category: tu for tu in TrueUp.objects.filter(contract=contract, status=TrueUpStatus.ACCEPTED)}
    existing = {row.category: row for row in Reconciliation.objects.filter(contract=contract, month=month)}
    lines = list(contract.lines.order_by("category"))
    changed = False
    for line in lines:
        committed = committed_in(month, line, accepted.get(line.category))
        count = counts.get(line.category, 0)
        values = {
            "count": count, "committed": committed, "baseline": rules.baseline(committed),
            "percent_over": rules.percent_over(count=count, committed=committed),
            "over_threshold": rules.over_threshold(count=count, committed=committed),
            "is_adjustment_month": adjustment,
            "source": CountSource.UPLOAD if upload else CountSource.DEVICES,
            "upload": upload, "missing_upload": missing,
        }
        row = existing.get(line.category)
        if row is None:
            row = Reconciliation.objects.create(partner_id=contract.partner_id, customer_id=contract.customer_id,
                                                contract=contract, month=month, category=line.category, **values)
            changed = True
        elif _write(row, values):
            row.computed_at = timezone.now()
            row.save(update_fields=["computed_at"])
            changed = True
        propose = adjustment and not missing and values["over_threshold"] and line.category not in accepted
        changed |= _propose_true_up(contract=contract, line=line, row=row, propose=propose)
    return _stored(contract, month, changed=changed)


def _propose_true_up(*, contract: Contract, line: ContractLine, row: Reconciliation, propose: bool) -> bool:
    true_up = TrueUp.objects.filter(contract=contract, month=row.month, category=row.category).first()
    if not propose:
        if true_up is not None and true_up.status == TrueUpStatus.PROPOSED:
            return _write(true_up, {"status": TrueUpStatus.WITHDRAWN,
                                    "reason": "The month's count no longer meets the trigger."})
        return False
    if true_up is not None and true_up.status == TrueUpStatus.REJECTED:
        return False  # the partner said no; a rerun does not ask again
    additional = row.count - row.committed
    months = rules.months_charged(row.month, contract.end_date)
    values = {
        "reconciliation": row, "count": row.count, "committed_before": row.committed,
        "additional_devices": additional, "months": months, "annual_unit_price": line.annual_unit_price,
        "amount": rules.true_up_amount(additional=additional, annual_unit_price=line.annual_unit_price,
                                       months=months),
        "currency": contract.currency, "status": TrueUpStatus.PROPOSED, "reason": "",
    }
    if true_up is None:
        TrueUp.objects.create(partner_id=contract.partner_id, customer_id=contract.customer_id, contract=contract,
                              category=row.category, month=row.month, **values)
        return True
    return _write(true_up, values)


def reconcile_customer_month(*, customer_id: int, month: datetime.date,
                             today: datetime.date | None = None) -> list[MonthReconciliation]:
    """Reconcile every Enterprise contract of a customer whose term touches `month` (after an upload)."""
    today = today or timezone.localdate()
    month = month_start(month)
    contracts = Contract.objects.filter(
        customer_id=customer_id, offering="poly_plus_enterprise", status__in=RECONCILED_STATUSES,
        start_date__lte=month_end(month), end_date__gte=month,
    ).order_by("pk").values_list("pk", flat=True)
    if month > month_start(today):
        return []
    return [reconcile(contract_id=pk, month=month, today=today) for pk in contracts]


# ---- true-ups ------------------------------------------------------------------------------------

def _clean_po(po_number: str) -> str:
    po = (po_number or "").strip()
    if not po:
        raise ValidationError({"po_number": ["Enter the partner's purchase order number."]})
    if len(po) > PO_MAX:
        raise ValidationError({"po_number": [f"A PO number has at most {PO_MAX} characters."]})
    if reason := unstorable_reason(po):
        raise ValidationError({"po_number": [reason]})
    return po


def _locked_true_up(true_up: TrueUp) -> TrueUp:
    locked = TrueUp.objects.select_for_update().select_related("contract").get(pk=true_up.pk)
    if locked.status != TrueUpStatus.PROPOSED:
        raise ValidationError({"status": [f"The true-up is {locked.get_status_display().lower()}; "
                                          "only a proposed one can be accepted or rejected."]})
    return locked


@transaction.atomic
def true_up_accept(*, by: User, true_up: TrueUp, po_number: str) -> TrueUp:
    """The partner's PO for a proposed true-up: the baseline resets at once (Q' = C, B' = C × 1.05,
    on the contract line, whose audit trail keeps the history) and the month is closed."""
    require_po_recorder(by, partner_id=true_up.partner_id, customer_id=true_up.customer_id)
    po = _clean_po(po_number)
    true_up = _locked_true_up(true_up)
    line = ContractLine.objects.select_for_update().get(contract_id=true_up.contract_id, category=true_up.category)
    contract_services.contract_line_true_up(line=line, committed=true_up.count)
    _write(true_up, {"status": TrueUpStatus.ACCEPTED, "po_number": po, "committed_after": true_up.count,
                     "decided_by": by, "decided_at": timezone.now()})
    return true_up


@transaction.atomic
def true_up_reject(*, by: User, true_up: TrueUp, reason: str = "") -> TrueUp:
    require_po_recorder(by, partner_id=true_up.partner_id, customer_id=true_up.customer_id)
    reason = (reason or "").strip()
    if len(reason) > 300 or unstorable_reason(reason):
        raise ValidationError({"reason": ["Say why in at most 300 plain characters."]})
    true_up = _locked_true_up(true_up)
    _write(true_up, {"status": TrueUpStatus.REJECTED, "reason": reason, "decided_by": by,
                     "decided_at": timezone.now()})
    return true_up


# ---- the month's review, Lens access -------------------------------------------------------------

@transaction.atomic
def month_review_set(*, by: User, contract: Contract, month: datetime.date, reviewed: bool = True,
                     note: str = "") -> MonthReview | None:
    """The CSM marks a month of a contract reviewed (or takes the mark back)."""
    require_csm_or_poly_admin(by, contract.customer_id)
    month = month_start(month)
    _check_month(contract, month, timezone.localdate())
    note = (note or "").strip()
    if len(note) > 500 or unstorable_reason(note):
        raise ValidationError({"note": ["Write a note of at most 500 plain characters."]})
    review = MonthReview.objects.filter(contract=contract, month=month).first()
    if not reviewed:
        if review is not None:
            review.delete()
        return None
    if review is None:
        return MonthReview.objects.create(partner_id=contract.partner_id, customer_id=contract.customer_id,
                                          contract=contract, month=month, reviewed_by=by, note=note)
    _write(review, {"note": note})
    return review


@transaction.atomic
def lens_access_set(*, by: User, customer: Customer, has_access: bool) -> LensAccess:
    """Whether the CSM reads this customer in Poly Lens; without, the partner's uploads count."""
    require_csm_or_poly_admin(by, customer.pk)
    access, _ = LensAccess.objects.get_or_create(customer=customer, defaults={"partner_id": customer.partner_id})
    _write(access, {"has_access": has_access, "changed_by": by, "changed_at": timezone.now()})
    return access


# ---- renewal proposals ---------------------------------------------------------------------------

@transaction.atomic
def renewal_proposal_prepare(*, by: User, contract: Contract, growth_by_category: dict[str, int] | None = None,
                             csm_hour_blocks: int | None = None, technical_account_management: bool | None = None,
                             onsite_extension: bool | None = None, note: str = "",
                             today: datetime.date | None = None) -> RenewalProposal:
    """The CSM's renewal proposal: per category the latest month's count plus a new growth
    estimate (committed = count + growth, priced at the line's annual unit price for a year),
    with the options (unchanged unless given). One open proposal per contract."""
    require_csm_or_poly_admin(by, contract.customer_id)
    today = today or timezone.localdate()
    if contract.status != ContractStatus.ACTIVE or not contract.is_enterprise:
        raise ValidationError({"contract": ["Only an active Poly+ Enterprise contract gets a renewal proposal."]})
    if Contract.objects.filter(renewal_of=contract).exists():
        raise ValidationError({"contract": [f"Contract {contract.number} is already renewed."]})
    if RenewalProposal.objects.filter(contract=contract, status=RenewalStatus.PROPOSED).exists():
        raise ValidationError({"contract": ["A renewal proposal is already open; accept or reject it first."]})
    growth_by_category = growth_by_category or {}
    lines = list(contract.lines.order_by("category"))
    unknown = sorted(set(growth_by_category) - {line.category for line in lines})
    if unknown:
        raise ValidationError({"growth": [f"The contract does not cover {', '.join(unknown)}."]})
    bad = [cat for cat, growth in growth_by_category.items()
           if not isinstance(growth, int) or not 0 <= growth <= contract_services.MAX_DEVICES]
    if bad:
        raise ValidationError({"growth": [f"Growth is a whole number from 0 to {contract_services.MAX_DEVICES:,}."]})
    if csm_hour_blocks is not None and not 0 <= csm_hour_blocks <= 100:
        raise ValidationError({"csm_hour_blocks": ["Enter from 0 to 100 blocks."]})
    note = (note or "").strip()
    if len(note) > 500 or unstorable_reason(note):
        raise ValidationError({"note": ["Write a note of at most 500 plain characters."]})
    counted = min(month_start(today), month_start(contract.end_date))
    result = reconcile(contract_id=contract.pk, month=counted, today=today)
    counts = {row.category: row.count for row in result.rows}
    proposal = RenewalProposal.objects.create(
        partner_id=contract.partner_id, customer_id=contract.customer_id, contract=contract, counted_month=counted,
        csm_hour_blocks=contract.csm_hour_blocks if csm_hour_blocks is None else csm_hour_blocks,
        technical_account_management=(contract.technical_account_management
                                      if technical_account_management is None else technical_account_management),
        onsite_extension=contract.onsite_extension if onsite_extension is None else onsite_extension,
        currency=contract.currency, total=Decimal("0"), note=note, prepared_by=by,
    )
    proposal_lines = []
    for line in lines:
        growth = growth_by_category.get(line.category, 0)
        committed = counts.get(line.category, 0) + growth
        proposal_lines.append(RenewalProposalLine(
            partner_id=contract.partner_id, proposal=proposal, category=line.category,
            latest_count=counts.get(line.category, 0), growth=growth, committed=committed,
            annual_unit_price=line.annual_unit_price, amount=(committed * line.annual_unit_price).quantize(rules.CENT),
        ))
    RenewalProposalLine.objects.bulk_create(proposal_lines)
    proposal.total = sum((line.amount for line in proposal_lines), Decimal("0"))
    proposal.save(update_fields=["total"])
    return proposal


def _locked_proposal(proposal: RenewalProposal) -> RenewalProposal:
    locked = RenewalProposal.objects.select_for_update().select_related("contract").get(pk=proposal.pk)
    if locked.status != RenewalStatus.PROPOSED:
        raise ValidationError({"status": [f"The renewal proposal is {locked.get_status_display().lower()}."]})
    return locked


@transaction.atomic
def renewal_proposal_accept(*, by: User, proposal: RenewalProposal, po_number: str) -> Contract:
    """The partner's PO for the renewal: the next term's contract is drafted (contracts.services.
    contract_renew) with each line's latest count as N and the proposal's growth as G."""
    po = _clean_po(po_number)
    proposal = _locked_proposal(proposal)
    lines = list(proposal.lines.all())
    renewal = contract_services.contract_renew(
        by=by, contract=proposal.contract,
        growth_by_category={line.category: line.growth for line in lines},
        installed_by_category={line.category: line.latest_count for line in lines},
        options={"csm_hour_blocks": proposal.csm_hour_blocks,
                 "technical_account_management": proposal.technical_account_management,
                 "onsite_extension": proposal.onsite_extension},
    )
    _write(proposal, {"status": RenewalStatus.ACCEPTED, "po_number": po, "renewal": renewal,
                      "decided_by": by, "decided_at": timezone.now()})
    return renewal


@transaction.atomic
def renewal_proposal_reject(*, by: User, proposal: RenewalProposal) -> RenewalProposal:
    require_po_recorder(by, partner_id=proposal.partner_id, customer_id=proposal.customer_id)
    proposal = _locked_proposal(proposal)
    _write(proposal, {"status": RenewalStatus.REJECTED, "decided_by": by, "decided_at": timezone.now()})
    return proposal
