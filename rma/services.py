"""Every write to RMAs: the request, the one state machine, the return mark and the allowance.

Pages, the API and the demo data call these functions; each checks who acts, locks the
RMA, checks the state and writes a timeline event, or changes nothing at all.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from contracts.models import Contract, Offering, ProductCategory
from installbase.coverage import check_coverage
from installbase.models import Device
from polyplus.tenancy.dates import validate_portal_date
from polyplus.tenancy.models import User
from polyplus.tenancy.policy import policy_value
from polyplus.tenancy.text import first_unstorable
from rma.calendar import shipping_dates
from rma.events import rma_event_recorded
from rma.models import APPROVED_STATUSES, OPEN_STATUSES, Rma, RmaStatus, RmaStep, RmaStepKind
from tickets import services as tickets_services
from tickets.models import Case, CaseStatus
from tickets.services import is_poly_case_worker

ALLOWANCE_PERCENT = 5
# How the approval step names the price; customers' readers never see it (step_detail_for).
BILLING_NOTE = "; billable at "
ALLOWANCE_LOCK_CLASS = 0x524D41  # "RMA": one advisory lock per customer while the allowance is counted
LONG_TEXT = 5000


# ---- who may act ----------------------------------------------------------------------------------


def _poly(actor: User, rma: Rma) -> bool:
    return is_poly_case_worker(actor)


def _partner_or_poly(actor: User, rma: Rma) -> bool:
    return is_poly_case_worker(actor) or (actor.is_partner_member and actor.partner_id == rma.partner_id)


@dataclass(frozen=True)
class Move:
    """One action of the state machine: where it may start, where it ends, who may do it."""

    verb: str
    from_statuses: tuple[str, ...]
    to_status: str | None
    may_act: object
    refusal: str


POLY_ONLY = "Only Poly support may do this."
PARTNER_OR_POLY = "Only the partner's engineers or Poly support may do this."

MOVES: dict[str, Move] = {
    "approve": Move("approved", (RmaStatus.REQUESTED,), RmaStatus.APPROVED, _poly, POLY_ONLY),
    "reject": Move("rejected", (RmaStatus.REQUESTED,), RmaStatus.REJECTED, _poly, POLY_ONLY),
    "ship": Move("shipped", (RmaStatus.APPROVED,), RmaStatus.SHIPPED, _poly, POLY_ONLY),
    "deliver": Move("marked delivered", (RmaStatus.SHIPPED,), RmaStatus.DELIVERED, _partner_or_poly,
                    PARTNER_OR_POLY),
    "return_sent": Move("marked as sent back", (RmaStatus.SHIPPED, RmaStatus.DELIVERED), None, _partner_or_poly,
                        PARTNER_OR_POLY),
    "receive_return": Move("marked received", (RmaStatus.DELIVERED,), RmaStatus.RECEIVED, _poly, POLY_ONLY),
    "close": Move("closed", (RmaStatus.RECEIVED,), RmaStatus.CLOSED, _poly, POLY_ONLY),
    "cancel": Move("cancelled", (RmaStatus.REQUESTED, RmaStatus.APPROVED), RmaStatus.CANCELLED, _partner_or_poly,
                   PARTNER_OR_POLY),
}


def allowed_actions(actor: User, rma: Rma) -> list[str]:
    """The actions `actor` may take on `rma` now (the pages show these buttons and no others)."""
    actions = [name for name, move in MOVES.items() if rma.status in move.from_statuses and move.may_act(actor, rma)]
    if "return_sent" in actions and rma.return_sent_on is not None:
        actions.remove("return_sent")
    return actions


def _status_label(status: str) -> str:
    return RmaStatus(status).label.lower()


def state_error(rma: Rma, action: str) -> ValidationError:
    move = MOVES[action]
    allowed = " or ".join(_status_label(status) for status in move.from_statuses)
    return ValidationError(
        f"RMA {rma.number} is {_status_label(rma.status)}; only an RMA that is {allowed} can be {move.verb}.",
        code="invalid_state",
    )


def _begin(*, by: User, rma: Rma, action: str) -> Rma:
    """The RMA locked for `action`, once the actor may act and the state allows it."""
    move = MOVES[action]
    if not move.may_act(by, rma):
        raise PermissionDenied(move.refusal)
    locked = Rma.objects.select_for_update(of=("self",)).select_related("site", "product", "customer").get(pk=rma.pk)
    if locked.status not in move.from_statuses:
        raise state_error(locked, action)
    return locked


def _record(rma: Rma, *, kind: str, from_status: str, by: User | None, detail: str = "",
            at: datetime.datetime | None = None) -> RmaStep:
    event = RmaStep.objects.create(partner_id=rma.partner_id, rma=rma, kind=kind, from_status=from_status,
                                    to_status=rma.status, detail=detail[:500], by=by, at=at or timezone.now())
    rma_event_recorded(rma=rma, event=event)
    return event


def _text(value: str, field: str, *, required: str | None = None, max_length: int = 100) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [required]})
    if len(value) > max_length:
        raise ValidationError({field: [f"At most {max_length} characters."]})
    if first_unstorable([value]):
        raise ValidationError({field: ["Remove the control characters from this text."]})
    return value


def _day(value: datetime.date | None, field: str, *, not_before: datetime.date | None, today: datetime.date,
         not_before_label: str = "") -> datetime.date:
    if value is None:
        raise ValidationError({field: ["Give the day."]})
    validate = validate_portal_date
    try:
        validate(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None
    if value > today:
        raise ValidationError({field: [f"{value.isoformat()} is in the future at the site (today is "
                                       f"{today.isoformat()})."]})
    if not_before is not None and value < not_before:
        raise ValidationError({field: [f"{value.isoformat()} is before {not_before_label} "
                                       f"({not_before.isoformat()})."]})
    return value


def site_today(rma: Rma) -> datetime.date:
    return timezone.now().astimezone(rma.site.zone).date()


# ---- request ----------------------------------------------------------------------------------------


def _failed_unit(case: Case, serial: str, sku: str) -> Device:
    serial = _text(serial, "serial", required="Give the failed unit's serial number.", max_length=60).upper()
    devices = Device.objects.filter(customer_id=case.customer_id, serial=serial).select_related("product", "site")
    if sku:
        devices = devices.filter(product__sku=sku.strip().upper())
    found = list(devices[:2])
    if not found:
        raise ValidationError({"serial": [f"No device with serial {serial} is registered to this case's customer."]})
    if len(found) > 1:
        raise ValidationError({"sku": [f"Two products carry serial {serial}; give the product's SKU."]})
    return found[0]


@transaction.atomic
def rma_request(*, by: User, case: Case, serial: str, fault: str, sku: str = "") -> Rma:
    """A partner engineer asks for an advance replacement of a failed unit, from a case.

    The one coverage check runs; an uncovered device is refused with its reason and nothing is written."""
    if not _partner_or_poly(by, Rma(partner_id=case.partner_id)):
        raise PermissionDenied(PARTNER_OR_POLY)
    case = Case.objects.select_for_update(of=("self",)).select_related("site", "customer", "partner").get(pk=case.pk)
    if case.status == CaseStatus.CLOSED:
        raise ValidationError(f"Case {case.number} is closed; open a new case to request a replacement.",
                              code="case_closed")
    fault = _text(fault, "fault", required="Describe what is wrong with the failed unit.", max_length=LONG_TEXT)
    device = _failed_unit(case, serial, sku)
    coverage = check_coverage(site=device.site, category=device.product.category, device=device,
                              on_date=timezone.now().astimezone(device.site.zone).date())
    if not coverage.covered:
        raise ValidationError({"serial": [coverage.explanation], "coverage_reason": [str(coverage.reason)]})
    if Rma.objects.filter(device=device, status__in=OPEN_STATUSES).exists():
        open_rma = Rma.objects.filter(device=device, status__in=OPEN_STATUSES).first()
        raise ValidationError({"serial": [f"RMA {open_rma.number} is already open for serial {device.serial}."]})
    sequence = Rma.objects.filter(case=case).count() + 1
    rma = Rma.objects.create(
        partner_id=case.partner_id, customer_id=case.customer_id, site=device.site, case=case, device=device,
        product=device.product, number=f"{case.number}-R{sequence}", fault=fault, requested_by=by,
        contract=coverage.contract, coverage_flags=[str(flag) for flag in coverage.flags],
    )
    _record(rma, kind=RmaStepKind.REQUESTED, from_status=RmaStatus.REQUESTED, by=by,
            detail=f"Serial {device.serial} ({device.product.sku})")
    return rma


@transaction.atomic
def rma_request_for_device(*, by: User, device: Device, fault: str, severity: int = 2) -> Rma:
    """From a device: open a hardware-replacement case for the failed unit, then request the RMA on it.
    Both or neither: a refused request leaves no case behind."""
    fault = _text(fault, "fault", required="Describe what is wrong with the failed unit.", max_length=LONG_TEXT)
    case = tickets_services.case_open(
        by=by, site=device.site, category=device.product.category, severity=severity,
        subject=f"{device.product.name} failed: advance replacement", description=fault,
        hardware_replacement=True, serial=device.serial, product=device.product)
    return rma_request(by=by, case=case, serial=device.serial, fault=fault, sku=device.product.sku)


# ---- the headset allowance ----------------------------------------------------------------------------


def allowance_exceeded(position: int, committed: int) -> bool:
    """Counting this RMA as the `position`-th of the year: beyond 5% of the committed quantity?
    In whole numbers, so exactly 5% is still included (200 → the 10th included, the 11th not)."""
    return position * 100 > committed * ALLOWANCE_PERCENT


def _decide_allowance(rma: Rma, contract: Contract | None, approval_day: datetime.date) -> None:
    if (contract is None or contract.offering != Offering.POLY_PLUS_ENTERPRISE
            or rma.product.category != ProductCategory.HEADSET):
        return
    line = contract.lines.filter(category=ProductCategory.HEADSET).first()
    if line is None:
        return
    # Two approvals for one customer count one after the other: the second waits here until
    # the first commits, and then counts it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ALLOWANCE_LOCK_CLASS, rma.customer_id % 2**31])
    already = Rma.objects.filter(customer_id=rma.customer_id, allowance_year=approval_day.year,
                                 counts_against_allowance=True, status__in=APPROVED_STATUSES).count()
    position = already + 1
    rma.counts_against_allowance = True
    rma.allowance_year = approval_day.year
    rma.allowance_line = line
    rma.allowance_committed = line.committed
    rma.allowance_position = position
    rma.billable = allowance_exceeded(position, line.committed)
    if rma.billable:
        rma.billed_price = rma.product.list_price
        rma.billed_currency = rma.product.currency


# ---- the state machine ----------------------------------------------------------------------------------


@transaction.atomic
def step_detail_for(step: RmaStep, reader: User) -> str:
    """A timeline step's detail as `reader` may read it: billing is Poly's and the partner's, never a customer's."""
    if reader.is_customer_viewer and step.kind == RmaStepKind.APPROVED:
        return step.detail.split(BILLING_NOTE, 1)[0]
    return step.detail


def rma_approve(*, by: User, rma: Rma, at: datetime.datetime | None = None) -> Rma:
    """Poly support approves: the ship and delivery dates and the allowance billing are set, once."""
    rma = _begin(by=by, rma=rma, action="approve")
    at = at or timezone.now()
    dates = shipping_dates(site=rma.site, at=at)
    approval_day = dates.local_approved_at.date()
    coverage = check_coverage(site=rma.site, category=rma.product.category, device=rma.device, on_date=approval_day)
    if not coverage.covered:
        raise ValidationError({"serial": [coverage.explanation], "coverage_reason": [str(coverage.reason)]})
    rma.status = RmaStatus.APPROVED
    rma.decided_by = by
    rma.approved_at = at
    rma.contract = coverage.contract
    rma.coverage_flags = [str(flag) for flag in coverage.flags]
    rma.ship_date = dates.ship_date
    rma.promised_delivery = dates.promised_delivery
    rma.skipped_holidays = [{"date": day.date.isoformat(), "name": day.name} for day in dates.skipped_holidays]
    _decide_allowance(rma, coverage.contract, approval_day)
    rma.save()
    detail = f"Ships {dates.ship_date.isoformat()}, delivery promised {dates.promised_delivery.isoformat()}"
    if rma.billable:
        detail += f"{BILLING_NOTE}{rma.billed_price} {rma.billed_currency}"
    _record(rma, kind=RmaStepKind.APPROVED, from_status=RmaStatus.REQUESTED, by=by, detail=detail, at=at)
    return rma


@transaction.atomic
def rma_reject(*, by: User, rma: Rma, reason: str) -> Rma:
    rma = _begin(by=by, rma=rma, action="reject")
    reason = _text(reason, "reason", required="Say why the replacement is refused.", max_length=500)
    rma.status, rma.decided_by, rma.rejected_at, rma.rejection_reason = RmaStatus.REJECTED, by, timezone.now(), reason
    rma.save()
    _record(rma, kind=RmaStepKind.REJECTED, from_status=RmaStatus.REQUESTED, by=by, detail=reason)
    return rma


@transaction.atomic
def rma_ship(*, by: User, rma: Rma, carrier: str, tracking_number: str) -> Rma:
    rma = _begin(by=by, rma=rma, action="ship")
    carrier = _text(carrier, "carrier", required="Name the carrier.")
    tracking_number = _text(tracking_number, "tracking_number", required="Give the carrier's tracking number.")
    rma.status, rma.carrier, rma.tracking_number, rma.shipped_at = (RmaStatus.SHIPPED, carrier, tracking_number,
                                                                    timezone.now())
    rma.save()
    _record(rma, kind=RmaStepKind.SHIPPED, from_status=RmaStatus.APPROVED, by=by,
            detail=f"{carrier} {tracking_number}")
    return rma


@transaction.atomic
def rma_deliver(*, by: User, rma: Rma, delivered_on: datetime.date | None) -> Rma:
    """The replacement arrived on `delivered_on`; the failed unit is due back within the return window."""
    rma = _begin(by=by, rma=rma, action="deliver")
    shipped_day = rma.shipped_at.astimezone(rma.site.zone).date() if rma.shipped_at else None
    delivered_on = _day(delivered_on, "delivered_on", not_before=shipped_day, today=site_today(rma),
                        not_before_label="the day it shipped")
    rma.status, rma.delivered_on = RmaStatus.DELIVERED, delivered_on
    rma.return_due = delivered_on + datetime.timedelta(days=policy_value("rma_return_days"))
    rma.save()
    _record(rma, kind=RmaStepKind.DELIVERED, from_status=RmaStatus.SHIPPED, by=by,
            detail=f"Delivered {delivered_on.isoformat()}; failed unit due back by {rma.return_due.isoformat()}")
    return rma


@transaction.atomic
def rma_mark_return_sent(*, by: User, rma: Rma, sent_on: datetime.date | None, carrier: str,
                         tracking_number: str) -> Rma:
    """The partner sent the failed unit back: a mark, not a state. It stops the reminder mails."""
    rma = _begin(by=by, rma=rma, action="return_sent")
    if rma.return_sent_on is not None:
        raise ValidationError(f"RMA {rma.number} is already marked as sent back on {rma.return_sent_on.isoformat()}.",
                              code="already_marked")
    shipped_day = rma.shipped_at.astimezone(rma.site.zone).date() if rma.shipped_at else None
    sent_on = _day(sent_on, "sent_on", not_before=shipped_day, today=site_today(rma),
                   not_before_label="the day the replacement shipped")
    carrier = _text(carrier, "carrier", required="Name the carrier.")
    tracking_number = _text(tracking_number, "tracking_number", required="Give the carrier's tracking number.")
    rma.return_sent_on, rma.return_carrier, rma.return_tracking_number = sent_on, carrier, tracking_number
    rma.save(update_fields=["return_sent_on", "return_carrier", "return_tracking_number"])
    _record(rma, kind=RmaStepKind.RETURN_SENT, from_status=rma.status, by=by,
            detail=f"Sent {sent_on.isoformat()} with {carrier} {tracking_number}")
    return rma


@transaction.atomic
def rma_receive_return(*, by: User, rma: Rma, received_on: datetime.date | None) -> Rma:
    rma = _begin(by=by, rma=rma, action="receive_return")
    received_on = _day(received_on, "received_on", not_before=None, today=site_today(rma))
    rma.status, rma.return_received_on = RmaStatus.RECEIVED, received_on
    rma.save()
    _record(rma, kind=RmaStepKind.RECEIVED, from_status=RmaStatus.DELIVERED, by=by,
            detail=f"Received {received_on.isoformat()}")
    return rma


@transaction.atomic
def rma_close(*, by: User, rma: Rma) -> Rma:
    rma = _begin(by=by, rma=rma, action="close")
    rma.status, rma.closed_at = RmaStatus.CLOSED, timezone.now()
    rma.save()
    _record(rma, kind=RmaStepKind.CLOSED, from_status=RmaStatus.RECEIVED, by=by)
    return rma


@transaction.atomic
def rma_cancel(*, by: User, rma: Rma, reason: str = "") -> Rma:
    """Cancel before shipping. An approved RMA's billing stays as decided; cancelled ones never count."""
    rma = _begin(by=by, rma=rma, action="cancel")
    reason = _text(reason, "reason", max_length=500)
    from_status = rma.status
    rma.status, rma.cancelled_at, rma.cancel_reason = RmaStatus.CANCELLED, timezone.now(), reason
    rma.save()
    _record(rma, kind=RmaStepKind.CANCELLED, from_status=from_status, by=by, detail=reason)
    return rma


@transaction.atomic
def rma_note(*, by: User, rma: Rma, internal_note: str) -> Rma:
    """Poly's internal note on an RMA (never shown to a partner or customer)."""
    if not is_poly_case_worker(by):
        raise PermissionDenied(POLY_ONLY)
    rma = Rma.objects.select_for_update(of=("self",)).get(pk=rma.pk)
    rma.internal_note = _text(internal_note, "internal_note", max_length=LONG_TEXT)
    rma.save(update_fields=["internal_note"])
    return rma
