"""Every write to ECPS: providers, agreements, authorisations, and the escalation state machine.

    requested ──────────────► opened with provider ──► resolved
        │  ▲                  (incident number,
        ▼  │ authorisation     agreement and, where
    awaiting authorisation     needed, authorisation)
        │
        ├──► referred to provider (Poly's findings)
        └──► cancelled (from any active state)

Pages and API call the same functions; a refused move raises a ValidationError naming the missing
thing (`provider_incident_number`, `findings`, `authorisation`, `agreement`, `status`) and changes
nothing. "Current" is judged on the case site's own calendar day.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.utils import timezone

from ecps import selectors
from ecps.models import (
    ACTIVE_STATUSES,
    CloudAgreement,
    CloudAuthorisation,
    CloudProvider,
    Escalation,
    EscalationStatus,
    EscalationUpdate,
    JointCall,
    JointCallStatus,
)
from polyplus.files import save_file
from polyplus.tenancy.dates import EARLIEST_DATE, LATEST_DATE, RANGE_MESSAGE
from polyplus.tenancy.models import Customer, User
from polyplus.tenancy.text import unstorable_reason
from tickets.models import OPEN_STATUSES, Case
from tickets.services import is_poly_case_worker, require_case_actor, require_poly_case_worker

logger = logging.getLogger("polyplus.ecps")

LONG_TEXT = 20000
AUTHORISATION_MAX_BYTES = 10 * 1024 * 1024

S = EscalationStatus
# The one state machine: from where each move may start.
MOVES: dict[str, tuple[str, ...]] = {
    "open_incident": (S.REQUESTED,),
    "refer": (S.REQUESTED, S.AWAITING_AUTHORISATION),
    "resolve": (S.OPENED_WITH_PROVIDER,),
    "cancel": (S.REQUESTED, S.AWAITING_AUTHORISATION, S.OPENED_WITH_PROVIDER),
    "add_update": (S.REQUESTED, S.AWAITING_AUTHORISATION, S.OPENED_WITH_PROVIDER),
    "request_joint_call": (S.REQUESTED, S.AWAITING_AUTHORISATION, S.OPENED_WITH_PROVIDER),
}
MOVE_WORDS = {
    "open_incident": "opened with the provider", "refer": "referred to the provider", "resolve": "resolved",
    "cancel": "cancelled", "add_update": "updated", "request_joint_call": "given a joint call",
}


# ---- notifications hook ------------------------------------------------------------------------

# Further listeners may register here: each is called in the escalation's
# transaction with (event, escalation, by) and must write only through the outbox or its own rows.
ecps_event_listeners: list[Callable[[str, Escalation, User | None], None]] = []


def ecps_event(event: str, escalation: Escalation, *, by: User | None, ref: str = "", text: str = "") -> None:
    """The one hook through which ECPS events leave the app: case events for the people concerned
    (recorded in this transaction, told after commit), then any registered listener. A failing
    listener is logged and rolled back to its savepoint; it never undoes or hides the escalation's
    change. `ref` names the update or call the event is about, for the log."""
    from ecps.notifications import notify_ecps_event

    logger.info("ecps %s: %s %s", escalation.pk, event, ref)
    for deliver in (lambda: notify_ecps_event(event, escalation, by=by, text=text),
                    *(lambda listener=listener: listener(event, escalation, by) for listener in ecps_event_listeners)):
        try:
            with transaction.atomic():
                deliver()
        except Exception:  # noqa: BLE001 - a notification must not cost the escalation its change
            logger.exception("ECPS event %s on escalation %s was not delivered", event, escalation.pk)


# ---- helpers -----------------------------------------------------------------------------------

def site_today_for_site(site, now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localtime(now or timezone.now(), site.zone).date()


def site_today(case: Case, now: datetime.datetime | None = None) -> datetime.date:
    """The day at the case's site: an agreement or authorisation valid until that day is current."""
    return site_today_for_site(case.site, now)


def _text(field: str, value: str, *, required: str | None = None, max_length: int = LONG_TEXT) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [required]})
    if len(value) > max_length:
        raise ValidationError({field: [f"At most {max_length} characters."]})
    reason = unstorable_reason(value)
    if reason:
        raise ValidationError({field: [f"The text {reason}"]})
    return value


def _check_move(escalation: Escalation, move: str) -> None:
    if escalation.status not in MOVES[move]:
        allowed = " or ".join(str(EscalationStatus(s).label).lower() for s in MOVES[move])
        raise ValidationError({"status": [
            f"An escalation that is {escalation.get_status_display().lower()} cannot be {MOVE_WORDS[move]}; "
            f"it must be {allowed}."]})


def _locked(escalation: Escalation) -> Escalation:
    return Escalation.objects.select_for_update().select_related("case__site", "provider").get(pk=escalation.pk)


def _require_actor(by: User, escalation_or_case) -> None:
    """Poly's case workers on every escalation; a partner's admins and engineers on their own."""
    require_case_actor(by, escalation_or_case.partner_id)


def _check_date(field: str, value: datetime.date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError({field: [RANGE_MESSAGE]})


def missing_authorisation(escalation: Escalation, on: datetime.date) -> bool:
    return (escalation.provider.requires_authorisation
            and selectors.current_authorisation(customer_id=escalation.customer_id,
                                                provider_id=escalation.provider_id, on=on) is None)


def missing_agreement(escalation: Escalation, on: datetime.date) -> bool:
    return selectors.current_agreement(customer_id=escalation.customer_id, provider_id=escalation.provider_id,
                                       on=on) is None


# ---- providers (Poly admins) -------------------------------------------------------------------

# The providers Poly starts with (also added by migration 0002): (name, requires_authorisation, direct_engagement).
STARTING_PROVIDERS = (
    ("Microsoft Teams", True, True),
    ("Zoom", True, True),
    ("Google Meet", True, False),
    ("RingCentral", False, True),
    ("Webex", False, True),
)


def provider_named(name: str) -> CloudProvider:
    """One of the starting providers, added again with its starting flags if someone removed it."""
    flags = {entry[0]: entry[1:] for entry in STARTING_PROVIDERS}[name]
    provider, _ = CloudProvider.objects.get_or_create(
        name=name, defaults={"requires_authorisation": flags[0], "direct_engagement": flags[1]})
    return provider


def _require_poly_admin(by: User) -> None:
    if not by.is_poly_admin:
        raise PermissionDenied("Only a Poly admin may do this.")


@transaction.atomic
def provider_save(*, by: User, provider: CloudProvider | None = None, name: str, requires_authorisation: bool,
                  direct_engagement: bool, active: bool = True) -> CloudProvider:
    """Add a cloud provider or change one (Poly admins)."""
    _require_poly_admin(by)
    name = _text("name", name, required="Name the provider.", max_length=100)
    clash = CloudProvider.objects.filter(name__iexact=name)
    if provider is not None:
        clash = clash.exclude(pk=provider.pk)
    if clash.exists():
        raise ValidationError({"name": [f"There is already a provider called {name}."]})
    provider = provider or CloudProvider()
    provider.name, provider.requires_authorisation = name, requires_authorisation
    provider.direct_engagement, provider.active = direct_engagement, active
    provider.save()
    return provider


# ---- agreements and authorisations (partner, per customer) -------------------------------------

def _require_customer_actor(by: User, customer: Customer) -> None:
    require_case_actor(by, customer.partner_id)


@transaction.atomic
def agreement_record(*, by: User, customer: Customer, provider: CloudProvider, reference: str,
                     valid_until: datetime.date) -> CloudAgreement:
    """Record the customer's support or subscription agreement with a cloud provider."""
    _require_customer_actor(by, customer)
    reference = _text("reference", reference, required="Give the agreement's reference.", max_length=100)
    _check_date("valid_until", valid_until)
    if not provider.active:
        raise ValidationError({"provider": [f"{provider.name} is no longer on Poly's list of cloud providers."]})
    return CloudAgreement.objects.create(partner_id=customer.partner_id, customer=customer, provider=provider,
                                         reference=reference, valid_until=valid_until, recorded_by=by)


def check_pdf(name: str, handle, size: int) -> None:
    """A signed authorisation must really be a PDF (by its bytes, and readable), not merely named so."""
    if size > AUTHORISATION_MAX_BYTES:
        raise ValidationError({"file": [f"{name} is larger than {AUTHORISATION_MAX_BYTES // (1024 * 1024)} MB."]})
    handle.seek(0)
    head = handle.read(1024)
    handle.seek(0)
    if b"%PDF-" not in head:
        raise ValidationError({"file": [f"{name} is not a PDF."]})
    try:
        from pypdf import PdfReader

        pages = len(PdfReader(handle).pages)
    except Exception:  # pypdf raises many kinds of error on broken files; each means "not a readable PDF"
        pages = 0
    finally:
        handle.seek(0)
    if pages < 1:
        raise ValidationError({"file": [f"{name} is not a readable PDF."]})


@transaction.atomic
def authorisation_upload(*, by: User, customer: Customer, provider: CloudProvider, name: str, file, size: int,
                         signed_on: datetime.date, valid_until: datetime.date,
                         now: datetime.datetime | None = None) -> CloudAuthorisation:
    """Store the customer's signed authorisation (a PDF). Escalations of that customer and provider
    that wait for an authorisation move on to requested when it is current on their site's day."""
    _require_customer_actor(by, customer)
    _check_date("signed_on", signed_on)
    _check_date("valid_until", valid_until)
    if valid_until < signed_on:
        raise ValidationError({"valid_until": ["An authorisation cannot end before it was signed."]})
    check_pdf(name, file, size)
    authorisation = CloudAuthorisation(
        partner_id=customer.partner_id, customer=customer, provider=provider, original_name=name[:200],
        signed_on=signed_on, valid_until=valid_until, uploaded_by=by)
    save_file(authorisation.file, f"authorisation-{timezone.now():%Y%m%d%H%M%S%f}.pdf", File(file))
    authorisation.save()
    waiting = (Escalation.objects.select_for_update().select_related("case__site", "provider")
               .filter(customer=customer, provider=provider, status=S.AWAITING_AUTHORISATION))
    for escalation in waiting:
        if authorisation.is_current(site_today(escalation.case, now)):
            escalation.status = S.REQUESTED
            escalation.save(update_fields=["status"])
            EscalationUpdate.objects.create(
                partner_id=escalation.partner_id, escalation=escalation, author=by,
                body=f"Signed authorisation received (valid until {valid_until:%Y-%m-%d}).")
            ecps_event("authorisation_received", escalation, by=by, ref=str(authorisation.pk))
    return authorisation


# ---- the escalation ----------------------------------------------------------------------------

@transaction.atomic
def escalation_request(*, by: User, case: Case, provider: CloudProvider, problem: str,
                       now: datetime.datetime | None = None) -> Escalation:
    """Escalate a case to a cloud provider: a partner's request, or a Poly engineer's when the cause
    lies in the provider's system. It waits for an authorisation when the provider needs one and
    none is current on the site's day."""
    _require_actor(by, case)
    problem = _text("problem", problem, required="Describe the problem in the provider's system.")
    if not provider.active:
        raise ValidationError({"provider": [f"{provider.name} is no longer on Poly's list of cloud providers."]})
    case = Case.objects.select_for_update().select_related("site").get(pk=case.pk)
    if case.status not in OPEN_STATUSES:
        raise ValidationError({"case": [f"Case {case.number} is {case.get_status_display().lower()}; "
                                        "only an open case can be escalated to a cloud provider."]})
    if Escalation.objects.filter(case=case, provider=provider, status__in=[str(s) for s in ACTIVE_STATUSES]).exists():
        raise ValidationError({"provider": [f"Case {case.number} already has an open escalation to {provider.name}."]})
    now = now or timezone.now()
    escalation = Escalation(
        partner_id=case.partner_id, customer_id=case.customer_id, case=case, provider=provider, problem=problem,
        raised_by_poly=is_poly_case_worker(by), requested_by=by, requested_at=now)
    if missing_authorisation(escalation, site_today(case, now)):
        escalation.status = S.AWAITING_AUTHORISATION
    try:
        with transaction.atomic():
            escalation.save()
    except IntegrityError:  # a second request for the same case and provider won the race
        raise ValidationError({"provider": [
            f"Case {case.number} already has an open escalation to {provider.name}."]}) from None
    ecps_event(str(escalation.status), escalation, by=by, text=problem)
    return escalation


@transaction.atomic
def escalation_open_incident(*, by: User, escalation: Escalation, provider_incident_number: str, note: str = "",
                             now: datetime.datetime | None = None) -> Escalation:
    """Record the opening of the incident with the provider: Poly (at the partner's request) or the
    partner. Needs the provider's tracking number, a current agreement and, where the provider
    asks for one, a current signed authorisation."""
    _require_actor(by, escalation)
    escalation = _locked(escalation)
    if escalation.status == S.AWAITING_AUTHORISATION:
        raise ValidationError({"authorisation": [
            f"{escalation.provider.name} needs the customer's signed authorisation before an incident is opened; "
            "upload a current one."]})
    _check_move(escalation, "open_incident")
    number = _text("provider_incident_number", provider_incident_number,
                   required="Give the provider's incident tracking number.", max_length=100)
    note = _text("note", note)
    now = now or timezone.now()
    today = site_today(escalation.case, now)
    if missing_agreement(escalation, today):
        raise ValidationError({"agreement": [
            f"{escalation.customer.name} has no current agreement with {escalation.provider.name} on file; "
            "record one before opening an incident."]})
    if missing_authorisation(escalation, today):
        raise ValidationError({"authorisation": [
            f"The customer's signed authorisation for {escalation.provider.name} is missing or expired; "
            "upload a current one."]})
    escalation.status = S.OPENED_WITH_PROVIDER
    escalation.provider_incident_number = number
    escalation.opened_by, escalation.opened_at = by, now
    escalation.save(update_fields=["status", "provider_incident_number", "opened_by", "opened_at"])
    if note:
        EscalationUpdate.objects.create(partner_id=escalation.partner_id, escalation=escalation, author=by,
                                        body=note, created_at=now)
    ecps_event("opened_with_provider", escalation, by=by, text=note)
    return escalation


@transaction.atomic
def escalation_add_update(*, by: User, escalation: Escalation, body: str, internal: bool = False) -> EscalationUpdate:
    """Record an exchange with the provider or a status update. Internal ones are Poly's alone."""
    _require_actor(by, escalation)
    if internal and not is_poly_case_worker(by):
        raise PermissionDenied("Only Poly staff write internal updates.")
    body = _text("body", body, required="Write the update.")
    escalation = _locked(escalation)
    _check_move(escalation, "add_update")
    update = EscalationUpdate.objects.create(partner_id=escalation.partner_id, escalation=escalation, author=by,
                                             body=body, internal=internal)
    if not internal:  # an internal update is Poly's alone: never mailed
        ecps_event("update", escalation, by=by, ref=str(update.pk), text=body)
    return update


@transaction.atomic
def escalation_refer(*, by: User, escalation: Escalation, findings: str) -> Escalation:
    """No incident can be opened: Poly gives the partner the results of its checks and refers the
    partner and/or customer to the cloud provider."""
    _require_actor(by, escalation)
    require_poly_case_worker(by)
    findings = _text("findings", findings, required="Give the results of Poly's checks for the partner.")
    escalation = _locked(escalation)
    _check_move(escalation, "refer")
    escalation.status, escalation.findings = S.REFERRED_TO_PROVIDER, findings
    escalation.closed_by, escalation.closed_at = by, timezone.now()
    escalation.save(update_fields=["status", "findings", "closed_by", "closed_at"])
    ecps_event("referred_to_provider", escalation, by=by, text=findings)
    return escalation


@transaction.atomic
def escalation_resolve(*, by: User, escalation: Escalation, resolution: str = "") -> Escalation:
    """The provider fixed it (or gave its final status)."""
    _require_actor(by, escalation)
    resolution = _text("resolution", resolution)
    escalation = _locked(escalation)
    _check_move(escalation, "resolve")
    escalation.status, escalation.resolution = S.RESOLVED, resolution
    escalation.closed_by, escalation.closed_at = by, timezone.now()
    escalation.save(update_fields=["status", "resolution", "closed_by", "closed_at"])
    ecps_event("resolved", escalation, by=by, text=resolution)
    return escalation


@transaction.atomic
def escalation_cancel(*, by: User, escalation: Escalation, reason: str = "") -> Escalation:
    """Withdraw the escalation (e.g. the cause was not the provider's after all)."""
    _require_actor(by, escalation)
    reason = _text("reason", reason, max_length=500)
    escalation = _locked(escalation)
    _check_move(escalation, "cancel")
    escalation.status, escalation.cancel_reason = S.CANCELLED, reason
    escalation.closed_by, escalation.closed_at = by, timezone.now()
    escalation.save(update_fields=["status", "cancel_reason", "closed_by", "closed_at"])
    ecps_event("cancelled", escalation, by=by, text=reason)
    return escalation


@transaction.atomic
def joint_call_request(*, by: User, escalation: Escalation, note: str = "") -> JointCall:
    """Ask for a joint call of Poly, the cloud partner and the Poly partner."""
    _require_actor(by, escalation)
    note = _text("note", note, max_length=500)
    escalation = _locked(escalation)
    _check_move(escalation, "request_joint_call")
    if escalation.joint_calls.filter(status=JointCallStatus.REQUESTED).exists():
        raise ValidationError({"joint_call": ["A joint call is already asked for and waits to be scheduled."]})
    call = JointCall.objects.create(partner_id=escalation.partner_id, escalation=escalation, note=note,
                                    requested_by=by)
    ecps_event("joint_call_requested", escalation, by=by, ref=str(call.pk), text=note)
    return call


@transaction.atomic
def joint_call_schedule(*, by: User, call: JointCall, scheduled_for: datetime.datetime) -> JointCall:
    """Poly sets the time of a requested joint call (shown in the site's zone)."""
    require_poly_case_worker(by)
    if timezone.is_naive(scheduled_for):
        raise ValidationError({"scheduled_for": ["Give the time with its offset."]})
    _check_date("scheduled_for", scheduled_for.astimezone(datetime.UTC).date())
    call = JointCall.objects.select_for_update().select_related("escalation__case__site").get(pk=call.pk)
    if call.status == JointCallStatus.CANCELLED:
        raise ValidationError({"status": ["This joint call was cancelled."]})
    if not call.escalation.is_active:
        raise ValidationError({"status": ["The escalation is closed."]})
    call.status, call.scheduled_for, call.scheduled_by = JointCallStatus.SCHEDULED, scheduled_for, by
    call.save(update_fields=["status", "scheduled_for", "scheduled_by"])
    zone = call.escalation.case.site.zone
    ecps_event("joint_call_scheduled", call.escalation, by=by, ref=str(call.pk),
               text=f"The call is at {scheduled_for.astimezone(zone):%Y-%m-%d %H:%M} ({zone.key}).")
    return call
