"""Every write to cases: opening, replies, the lifecycle, escalation, onsite visits, health events."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts.models import ContractStatus, Offering, Product, ProductCategory
from installbase.coverage import check_coverage
from installbase.models import Device
from polyplus.files import save_file
from polyplus.notifications.outbox import queue_mail
from polyplus.tenancy.models import NumberKind, Role, Site, User
from polyplus.tenancy.numbering import next_number
from polyplus.tenancy.policy import policy_value
from polyplus.tenancy.wording import with_article
from tickets import sla
from tickets.attachments import ALLOWED_DESCRIPTION, sniff_content_type
from tickets.models import (
    OPEN_STATUSES,
    BreachKind,
    Case,
    CaseAttachment,
    CaseComment,
    CaseEscalation,
    CaseSource,
    CaseStatus,
    CaseStatusChange,
    EscalationLevel,
    OnsiteDispatch,
    Severity,
    SlaTarget,
    VisitPurpose,
)

logger = logging.getLogger("polyplus.tickets")

POLY_CASE_ROLES = frozenset({Role.POLY_ADMIN, Role.POLY_SUPPORT, Role.ESCALATION_MANAGER})

# The one state machine for pages and API: who may move a case from where to where.
TRANSITIONS: dict[str, set[str]] = {
    CaseStatus.NEW: {CaseStatus.IN_PROGRESS, CaseStatus.WAITING_ON_PARTNER, CaseStatus.RESOLVED},
    CaseStatus.IN_PROGRESS: {CaseStatus.WAITING_ON_PARTNER, CaseStatus.RESOLVED},
    CaseStatus.WAITING_ON_PARTNER: {CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED},
    CaseStatus.RESOLVED: {CaseStatus.CLOSED, CaseStatus.IN_PROGRESS},
    CaseStatus.CLOSED: {CaseStatus.IN_PROGRESS},
}
PARTNER_TRANSITIONS: set[tuple[str, str]] = {
    (CaseStatus.WAITING_ON_PARTNER, CaseStatus.IN_PROGRESS),
    (CaseStatus.NEW, CaseStatus.RESOLVED),
    (CaseStatus.IN_PROGRESS, CaseStatus.RESOLVED),
    (CaseStatus.WAITING_ON_PARTNER, CaseStatus.RESOLVED),
    (CaseStatus.RESOLVED, CaseStatus.CLOSED),
    (CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS),
    (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS),
}
REOPENING = {(CaseStatus.RESOLVED, CaseStatus.IN_PROGRESS), (CaseStatus.CLOSED, CaseStatus.IN_PROGRESS)}


def is_poly_case_worker(user: User) -> bool:
    return user.role in POLY_CASE_ROLES


def require_case_actor(actor: User, partner_id: int) -> None:
    """Poly's case workers act on every case; a partner's admins and engineers on their own."""
    if is_poly_case_worker(actor) or (actor.is_partner_member and actor.partner_id == partner_id):
        return
    raise PermissionDenied("Only the partner's engineers or Poly support may do this.")


def require_poly_case_worker(actor: User) -> None:
    if not is_poly_case_worker(actor):
        raise PermissionDenied("Only Poly support may do this.")


# ---- opening -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """A file someone attached: its name as given and a readable file object."""

    name: str
    file: object
    size: int


def _validate_case_fields(*, category: str, severity, subject: str, description: str,
                          product: Product | None) -> None:
    errors: dict[str, list[str]] = {}
    if category not in ProductCategory.values:
        errors["category"] = [f"“{category}” is not a product category."]
    elif product is not None and product.category != category:
        errors["product"] = [f"{product.name} is {with_article(product.get_category_display().lower())} product."]
    if severity not in Severity.values:
        errors["severity"] = ["Choose a severity from 1 (down) to 4 (question)."]
    if not subject.strip():
        errors["subject"] = ["Say in a few words what is wrong."]
    elif len(subject) > 200:
        errors["subject"] = ["At most 200 characters."]
    if not description.strip():
        errors["description"] = ["Describe the problem."]
    if errors:
        raise ValidationError(errors)


def _device_for_replacement(site: Site, serial: str, product: Product | None) -> Device:
    serial = (serial or "").strip().upper()
    if not serial:
        raise ValidationError({"serial": ["Hardware replacement needs the failed unit's serial number."]})
    devices = Device.objects.filter(customer_id=site.customer_id, serial=serial).select_related("product", "site")
    if product is not None:
        devices = devices.filter(product=product)
    found = list(devices[:2])
    if not found:
        raise ValidationError({"serial": [f"No registered device with serial {serial} at this customer."]})
    if len(found) > 1:
        raise ValidationError({"product": [f"Two products carry serial {serial}; choose the product."]})
    return found[0]


@transaction.atomic
def case_open(
    *, by: User | None, site: Site, category: str, severity: int, subject: str, description: str,
    product: Product | None = None, hardware_replacement: bool = False, serial: str = "",
    source: str = CaseSource.PORTAL, uploads: tuple[Upload, ...] = (), health_alert_kind: str = "",
    device: Device | None = None,
) -> Case:
    """Open a case at any hour. It is recorded whatever the coverage check says, with its answer."""
    if by is not None:
        require_case_actor(by, site.partner_id)
    _validate_case_fields(category=category, severity=severity, subject=subject, description=description,
                          product=product)
    if hardware_replacement:
        device = _device_for_replacement(site, serial, product)
        product, category = device.product, device.product.category
    _check_uploads(uploads)
    coverage = check_coverage(site=site, category=category, product=product, device=device)
    offering = coverage.contract.offering if coverage.contract and coverage.covered else Offering.POLY_PLUS
    case = Case(
        partner_id=site.partner_id, customer_id=site.customer_id, site=site, category=category, product=product,
        severity=severity, subject=subject.strip(), description=description.strip(), source=source,
        hardware_replacement=hardware_replacement, device=device, health_alert_kind=health_alert_kind,
        entitled=coverage.covered, entitlement_reason=coverage.reason,
        entitlement_explanation=coverage.explanation[:300], entitlement_flags=[str(f) for f in coverage.flags],
        contract=coverage.contract, offering=offering, opened_by=by, opened_at=timezone.now(),
        priority=0 if offering == Offering.POLY_PLUS_ENTERPRISE else 1,
        number=next_number(site.partner, NumberKind.CASE),
    )
    sla.start_clocks(case)
    case.save()
    for upload in uploads:
        case_attach(by=by, case=case, upload=upload)
    return case


# ---- attachments -------------------------------------------------------------------------


def _checked_content_type(upload: Upload) -> str:
    limit_mb = policy_value("case_attachment_max_mb")
    if upload.size > limit_mb * 1024 * 1024:
        raise ValidationError({"attachments": [f"{upload.name} is larger than {limit_mb} MB."]})
    upload.file.seek(0)
    head = upload.file.read(4096)
    upload.file.seek(0)
    content_type = sniff_content_type(head)
    if content_type is None:
        raise ValidationError({"attachments": [f"{upload.name} is not one of: {ALLOWED_DESCRIPTION}."]})
    return content_type


def _check_uploads(uploads: tuple[Upload, ...]) -> None:
    """Refuse the lot before anything is written: one bad file leaves no case, reply or file behind."""
    for upload in uploads:
        _checked_content_type(upload)


@transaction.atomic
def case_attach(*, by: User | None, case: Case, upload: Upload, comment: CaseComment | None = None) -> CaseAttachment:
    """Attach a log or photo; checked by content and size. Internal when its comment is internal.

    The file is written now and removed again if this transaction rolls back (polyplus.files)."""
    if by is not None:
        require_case_actor(by, case.partner_id)
    content_type = _checked_content_type(upload)
    attachment = CaseAttachment(
        partner_id=case.partner_id, case=case, comment=comment, original_name=upload.name[:200],
        content_type=content_type, size=upload.size, internal=bool(comment and comment.internal),
        uploaded_by=by,
    )
    save_file(attachment.file, f"attachment-{timezone.now():%Y%m%d%H%M%S%f}", File(upload.file))
    attachment.save()
    return attachment


# ---- replies and the lifecycle -----------------------------------------------------------


def _move(case: Case, to_status: str, by: User | None, now: datetime.datetime) -> None:
    """Change status and the clocks with it (the state machine's effect, checked by the caller)."""
    from_status = case.status
    if to_status == CaseStatus.WAITING_ON_PARTNER:
        sla.pause_clocks(case, now)
    elif (from_status, to_status) in REOPENING:
        sla.resume_clocks(case, now, since=case.resolved_at)
        case.resolved_at = case.closed_at = None
    elif from_status == CaseStatus.WAITING_ON_PARTNER:
        sla.resume_clocks(case, now)
    if to_status == CaseStatus.RESOLVED:
        if case.paused_since is not None:
            sla.resume_clocks(case, now)
        case.resolved_at = now
    if to_status == CaseStatus.CLOSED:
        case.closed_at = now
    case.status = to_status
    sla.refresh_next_due(case)
    case.save()
    CaseStatusChange.objects.create(partner_id=case.partner_id, case=case, from_status=from_status,
                                    to_status=to_status, by=by, at=now)


def check_transition(*, by: User, case: Case, to_status: str, now: datetime.datetime) -> None:
    if to_status not in CaseStatus.values:
        raise ValidationError({"status": [f"“{to_status}” is not a case status."]})
    if to_status not in TRANSITIONS[case.status]:
        raise ValidationError({"status": [
            f"A case that is {case.get_status_display().lower()} cannot become "
            f"{CaseStatus(to_status).label.lower()}."
        ]})
    if not is_poly_case_worker(by) and (case.status, to_status) not in PARTNER_TRANSITIONS:
        raise PermissionDenied("Only Poly support may make this change.")
    if (case.status, to_status) in REOPENING:
        window = datetime.timedelta(days=policy_value("case_reopen_days"))
        if case.resolved_at is None or now - case.resolved_at > window:
            raise ValidationError({"status": [
                f"A case can be reopened within {window.days} days of its resolution; open a new case."
            ]})
        if case.health_alert_kind and case.device_id is not None:
            newer = (Case.objects.filter(device_id=case.device_id, health_alert_kind=case.health_alert_kind,
                                         status__in=OPEN_STATUSES).exclude(pk=case.pk).first())
            if newer is not None:
                raise ValidationError({"status": [
                    f"Case {newer.number} is open for the same device and alert; continue there."
                ]})


@transaction.atomic
def case_transition(*, by: User, case: Case, to_status: str) -> Case:
    """Move a case through its lifecycle; every page and API action comes through here."""
    require_case_actor(by, case.partner_id)
    case = Case.objects.select_for_update().get(pk=case.pk)
    now = timezone.now()
    check_transition(by=by, case=case, to_status=to_status, now=now)
    _move(case, to_status, by, now)
    return case


@transaction.atomic
def case_comment_add(*, by: User, case: Case, body: str, internal: bool = False,
                     uploads: tuple[Upload, ...] = ()) -> CaseComment:
    """Reply on a case. Poly's first public reply is the first response; a partner's reply
    to a case waiting on it starts the clocks again."""
    require_case_actor(by, case.partner_id)
    if internal and not is_poly_case_worker(by):
        raise PermissionDenied("Only Poly staff write internal notes.")
    if not body.strip():
        raise ValidationError({"body": ["Write a reply."]})
    _check_uploads(uploads)
    case = Case.objects.select_for_update().get(pk=case.pk)
    now = timezone.now()
    comment = CaseComment.objects.create(partner_id=case.partner_id, case=case, author=by, body=body.strip(),
                                         internal=internal, created_at=now)
    for upload in uploads:
        case_attach(by=by, case=case, upload=upload, comment=comment)
    if internal:
        return comment
    if is_poly_case_worker(by):
        if case.first_response_at is None:
            if case.paused_since is not None:
                # The first-response clock stood still while the case waited on the partner.
                case.first_response_due += max(now - case.paused_since, datetime.timedelta(0))
            case.first_response_at = now
            sla.refresh_next_due(case)
            case.save(update_fields=["first_response_at", "first_response_due", "next_due_at"])
        if case.status == CaseStatus.NEW:
            _move(case, CaseStatus.IN_PROGRESS, by, now)
    elif case.status == CaseStatus.WAITING_ON_PARTNER:
        _move(case, CaseStatus.IN_PROGRESS, by, now)
    return comment


# ---- escalation ----------------------------------------------------------------------------


def _escalate(case: Case, *, to_level: int, reason: str, by: User | None, breach: str = "",
              breach_due_at: datetime.datetime | None = None) -> CaseEscalation:
    escalation = CaseEscalation.objects.create(
        partner_id=case.partner_id, case=case, from_level=case.escalation_level, to_level=to_level,
        reason=reason, by=by, breach=breach, breach_due_at=breach_due_at,
    )
    case.escalation_level = to_level
    case.save(update_fields=["escalation_level"])
    return escalation


@transaction.atomic
def case_escalate(*, by: User, case: Case, reason: str, to_level: int | None = None) -> CaseEscalation:
    """A Poly engineer moves the case up the ladder (tier 1 → tier 2 → specialist → engineering)."""
    require_poly_case_worker(by)
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError({"status": ["Only an open case can be escalated."]})
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the case needs a higher level."]})
    target = to_level if to_level is not None else case.escalation_level + 1
    if target not in EscalationLevel.values or target <= case.escalation_level:
        if case.escalation_level == EscalationLevel.ENGINEERING:
            raise ValidationError({"to_level": ["The case is already with engineering, the highest level."]})
        raise ValidationError({"to_level": ["Choose a level above the current one."]})
    return _escalate(case, to_level=target, reason=reason.strip()[:500], by=by)


def _breaches(case: Case, now: datetime.datetime) -> list[tuple[str, datetime.datetime]]:
    found = []
    if case.first_response_at is None and now > case.first_response_due:
        found.append((BreachKind.FIRST_RESPONSE, case.first_response_due))
    if now > case.resolution_due:
        found.append((BreachKind.RESOLUTION, case.resolution_due))
    return found


def _notify_breach(case: Case, kind: str, escalation: CaseEscalation) -> None:
    """Mail the escalation managers and the partner's admins; public facts only, never internal notes.
    One mail per person (nobody sees another's address), queued once per escalation and person."""
    recipients = list(
        User.objects.filter(is_active=True, role=Role.ESCALATION_MANAGER).values_list("pk", "email")
    ) + list(
        User.objects.filter(is_active=True, role=Role.PARTNER_ADMIN, partner_id=case.partner_id)
        .values_list("pk", "email")
    )
    subject = f"Case {case.number} breached its {BreachKind(kind).label.lower()} target"
    body = (f"Case {case.number} ({case.subject}), severity {case.severity}, site {case.site.site_id}, "
            f"missed its {BreachKind(kind).label.lower()} target and is now at "
            f"{EscalationLevel(case.escalation_level).label}.")
    for user_id, address in recipients:
        queue_mail(key=f"case-breach:{escalation.pk}:{user_id}", to=address, subject=subject, text=body,
                   partner_id=case.partner_id)


@transaction.atomic
def cases_escalate_breached(*, now: datetime.datetime | None = None) -> int:
    """Escalate each open case one level per breached target, once per breach. Safe to run again.

    The periodic job calls this under a staff context; each escalation is on the timeline
    and in the audit log, and the escalation managers and the partner are told.
    """
    now = now or timezone.now()
    escalated = 0
    candidates = (Case.objects.select_for_update(skip_locked=True)
                  .filter(status__in=OPEN_STATUSES, paused_since__isnull=True, next_due_at__lt=now)
                  .select_related("site"))
    for case in candidates:
        for kind, due in _breaches(case, now):
            if CaseEscalation.objects.filter(case=case, breach=kind, breach_due_at=due).exists():
                continue
            target = min(case.escalation_level + 1, EscalationLevel.ENGINEERING)
            try:
                with transaction.atomic():
                    escalation = _escalate(case, to_level=target, by=None, breach=kind, breach_due_at=due,
                              reason=f"{BreachKind(kind).label} target missed (due {due:%Y-%m-%d %H:%M} UTC).")
            except IntegrityError:
                continue  # another run escalated this breach a moment ago
            _notify_breach(case, kind, escalation)
            escalated += 1
    return escalated


# ---- onsite dispatch -----------------------------------------------------------------------

REFUSED_PURPOSES = {
    VisitPurpose.SOFTWARE_UPDATE: "Onsite work never includes installing software updates or patches; "
                                  "the partner deploys them (e.g. with Poly Lens).",
    VisitPurpose.CONFIGURATION: "Onsite work never includes configuration; the partner configures the product.",
}


@transaction.atomic
def onsite_dispatch_request(*, by: User, case: Case, purpose: str, remote_diagnostics_summary: str,
                            partner_engineer_name: str, scheduled_for: datetime.datetime, details: str = "",
                            technician: str = "") -> OnsiteDispatch:
    """Schedule a technician visit: only under the onsite option, and only after remote diagnostics."""
    require_case_actor(by, case.partner_id)
    if purpose not in VisitPurpose.values:
        raise ValidationError({"purpose": [f"“{purpose}” is not a visit purpose."]})
    if purpose in REFUSED_PURPOSES:
        raise ValidationError({"purpose": [REFUSED_PURPOSES[purpose]]})
    contract = case.contract
    if contract is None or not contract.onsite_extension:
        raise ValidationError({"case": ["The customer's contract has no onsite support extension."]})
    if contract.status != ContractStatus.ACTIVE or not contract.covers_day(timezone.localdate()):
        raise ValidationError({"case": [f"Contract {contract.number} is not in force."]})
    if not case.entitled:
        raise ValidationError({"case": [
            f"A visit needs a covered case, and this one is not: {case.entitlement_explanation}"]})
    if not case.is_open:
        raise ValidationError({"case": ["Visits are scheduled for open cases only."]})
    errors = {}
    if not remote_diagnostics_summary.strip():
        errors["remote_diagnostics_summary"] = [
            "Poly works with the partner's engineer remotely first: record what was tried."]
    if not partner_engineer_name.strip():
        errors["partner_engineer_name"] = ["Name the partner's engineer who ran the remote diagnostics."]
    if scheduled_for <= timezone.now():
        errors["scheduled_for"] = ["Schedule the visit in the future."]
    if errors:
        raise ValidationError(errors)
    return OnsiteDispatch.objects.create(
        partner_id=case.partner_id, case=case, purpose=purpose, details=details.strip()[:500],
        remote_diagnostics_summary=remote_diagnostics_summary.strip(),
        partner_engineer_name=partner_engineer_name.strip()[:200], scheduled_for=scheduled_for,
        technician=technician.strip()[:200], requested_by=by,
    )


# ---- health notifications ------------------------------------------------------------------


@transaction.atomic
def health_event_raise(*, by: User, site: Site, severity: int, message: str, alert_kind: str,
                       device: Device | None = None, category: str = "") -> tuple[Case, bool]:
    """A device's health alert opens a proactive case, at most one open case per device and alert kind.

    Returns the case and whether it is new; a repeat alert adds a public note to the open case.
    """
    require_case_actor(by, site.partner_id)
    alert_kind = (alert_kind or "").strip()[:60]
    if not alert_kind:
        raise ValidationError({"alert_kind": ["Name the kind of alert, e.g. `offline` or `high_temperature`."]})
    if not (message or "").strip():
        raise ValidationError({"message": ["Describe the alert."]})
    if severity not in Severity.values:
        raise ValidationError({"severity": ["Choose a severity from 1 (down) to 4 (question)."]})
    if device is None and not category:
        raise ValidationError({"category": ["Give the category of the alerting equipment, or its serial."]})
    # One open case per device and alert kind wherever the device now stands (per site without one);
    # the lock makes two alerts arriving together find the same case.
    if device is not None:
        Device.objects.select_for_update().filter(pk=device.pk).first()
        open_cases = Case.objects.filter(device=device)
    else:
        Site.objects.select_for_update().filter(pk=site.pk).first()
        open_cases = Case.objects.filter(site=site, device__isnull=True)
    open_case = open_cases.filter(health_alert_kind=alert_kind, status__in=OPEN_STATUSES).first()
    if open_case is not None:
        CaseComment.objects.create(partner_id=open_case.partner_id, case=open_case, author=by,
                                   body=f"Repeated health alert: {message.strip()}")
        return open_case, False
    category = device.product.category if device else category
    subject = f"Health alert: {alert_kind}" + (f" on {device.serial}" if device else f" at {site.site_id}")
    case = case_open(by=by, site=site, category=category, severity=severity, subject=subject[:200],
                     description=message.strip(), product=device.product if device else None,
                     source=CaseSource.HEALTH_EVENT, health_alert_kind=alert_kind, device=device)
    return case, True


# ---- SLA targets (Poly admin) ----------------------------------------------------------------


@transaction.atomic
def sla_target_update(*, by: User, target: SlaTarget, first_response: datetime.timedelta,
                      resolution: datetime.timedelta) -> SlaTarget:
    """Change one severity × offering target. Cases opened from now on use it; open cases keep
    the due times they were given."""
    if not by.is_poly_admin:
        raise PermissionDenied("Only a Poly admin may change SLA targets.")
    errors: dict[str, list[str]] = {}
    if first_response <= datetime.timedelta(0):
        errors["first_response"] = ["The first-response target must be longer than zero."]
    if resolution < first_response:
        errors["resolution"] = ["The resolution target cannot be shorter than the first-response target."]
    if errors:
        raise ValidationError(errors)
    target = SlaTarget.objects.select_for_update().get(pk=target.pk)
    target.first_response, target.resolution = first_response, resolution
    target.save(update_fields=["first_response", "resolution"])
    return target
