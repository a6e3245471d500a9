"""The ECPS state machine and its guards: authorisations and agreements judged on the site's day,
the provider's incident number, Poly's findings, and who may do what. A refused move changes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ecps import selectors, services
from ecps.models import CloudAuthorisation, EscalationStatus, EscalationUpdate, JointCallStatus
from tests.ecps import (
    DAY,
    EXE,
    FAKE_PDF,
    agreement,
    authorise,
    escalate,
    ready_customer,
    teams,
    today_at,
    webex,
)
from tests.tickets import open_case, set_status
from tickets.models import CaseStatus

S = EscalationStatus


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# ---- requesting ----------------------------------------------------------------------------------

def test_a_provider_that_needs_authorisation_waits_for_one_when_none_is_on_file(partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, teams())
    assert escalation.status == S.AWAITING_AUTHORISATION
    assert not escalation.raised_by_poly


def test_a_provider_that_needs_no_authorisation_is_requested_straight_away(partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    assert escalation.status == S.REQUESTED


def test_an_authorisation_valid_until_today_counts_and_one_that_ended_yesterday_does_not(partner_a_engineer, site_a):
    today = today_at(site_a)
    authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today - 30 * DAY, valid_until=today - DAY)
    assert escalate(partner_a_engineer, site_a, teams()).status == S.AWAITING_AUTHORISATION
    authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today - 30 * DAY, valid_until=today)
    assert escalate(partner_a_engineer, site_a, teams()).status == S.REQUESTED


def test_an_authorisation_signed_tomorrow_is_not_yet_current(partner_a_engineer, site_a):
    today = today_at(site_a)
    authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today + DAY, valid_until=today + 90 * DAY)
    assert escalate(partner_a_engineer, site_a, teams()).status == S.AWAITING_AUTHORISATION


def test_a_poly_engineer_may_raise_one_when_the_cause_lies_with_the_provider(poly_support, partner_a_engineer, site_a):
    case = open_case(partner_a_engineer, site_a)
    escalation = escalate(poly_support, site_a, webex(), case=case)
    assert escalation.raised_by_poly and escalation.requested_by == poly_support


def test_it_refuses_an_escalation_without_a_problem_description(partner_a_engineer, site_a):
    case = open_case(partner_a_engineer, site_a)
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_request(by=partner_a_engineer, case=case, provider=webex(), problem="   ")
    assert "problem" in errors_of(excinfo)
    assert not case.ecps_escalations.exists()


def test_it_refuses_to_escalate_a_closed_case(partner_a_engineer, site_a):
    case = set_status(open_case(partner_a_engineer, site_a), CaseStatus.CLOSED)
    with pytest.raises(ValidationError) as excinfo:
        escalate(partner_a_engineer, site_a, webex(), case=case)
    assert "only an open case" in errors_of(excinfo)["case"][0]


def test_one_open_escalation_per_case_and_provider(partner_a_engineer, site_a):
    first = escalate(partner_a_engineer, site_a, webex())
    with pytest.raises(ValidationError) as excinfo:
        escalate(partner_a_engineer, site_a, webex(), case=first.case)
    assert "already has an open escalation to Webex" in errors_of(excinfo)["provider"][0]
    assert escalate(partner_a_engineer, site_a, teams(), case=first.case).provider == teams()


def test_another_partner_may_not_escalate_a_case(partner_a_engineer, partner_b_engineer, site_a):
    case = open_case(partner_a_engineer, site_a)
    with pytest.raises(PermissionDenied):
        escalate(partner_b_engineer, site_a, webex(), case=case)


def test_a_customer_viewer_may_not_escalate(partner_a_engineer, customer_viewer, site_a):
    case = open_case(partner_a_engineer, site_a)
    with pytest.raises(PermissionDenied):
        escalate(customer_viewer, site_a, webex(), case=case)


# ---- authorisation arriving while waiting ---------------------------------------------------------

def test_an_authorisation_uploaded_while_waiting_moves_the_escalation_on(partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, teams())
    today = today_at(site_a)
    authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today, valid_until=today + 365 * DAY)
    escalation.refresh_from_db()
    assert escalation.status == S.REQUESTED
    assert escalation.updates.get().body.startswith("Signed authorisation received")


def test_an_expired_authorisation_uploaded_while_waiting_moves_nothing(partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, teams())
    today = today_at(site_a)
    authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today - 90 * DAY, valid_until=today - DAY)
    escalation.refresh_from_db()
    assert escalation.status == S.AWAITING_AUTHORISATION


def test_an_authorisation_for_another_provider_moves_nothing(partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, teams())
    today = today_at(site_a)
    authorise(partner_a_engineer, site_a.customer, webex(), signed_on=today, valid_until=today + DAY)
    escalation.refresh_from_db()
    assert escalation.status == S.AWAITING_AUTHORISATION


@pytest.mark.parametrize("content", [EXE, FAKE_PDF, b""], ids=["executable", "pdf-header-only", "empty"])
def test_an_authorisation_that_is_not_a_readable_pdf_is_refused_by_content(partner_a_engineer, site_a, content):
    today = today_at(site_a)
    with pytest.raises(ValidationError) as excinfo:
        authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today, valid_until=today + DAY,
                  content=content, name="signed.pdf")
    assert "file" in errors_of(excinfo)
    assert not CloudAuthorisation.objects.exists()


def test_an_authorisation_cannot_end_before_it_was_signed(partner_a_engineer, site_a):
    today = today_at(site_a)
    with pytest.raises(ValidationError) as excinfo:
        authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today, valid_until=today - DAY)
    assert "valid_until" in errors_of(excinfo)


def test_another_partner_may_not_upload_an_authorisation_for_a_customer(partner_b_engineer, site_a):
    today = today_at(site_a)
    with pytest.raises(PermissionDenied):
        authorise(partner_b_engineer, site_a.customer, teams(), signed_on=today, valid_until=today + DAY)


# ---- opening with the provider ---------------------------------------------------------------------

@pytest.mark.parametrize("number", ["", "   "], ids=["missing", "blank"])
def test_opening_needs_the_providers_tracking_number(partner_a_engineer, site_a, number):
    ready_customer(partner_a_engineer, site_a, teams())
    escalation = escalate(partner_a_engineer, site_a, teams())
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_open_incident(by=partner_a_engineer, escalation=escalation,
                                          provider_incident_number=number)
    assert errors_of(excinfo) == {"provider_incident_number": ["Give the provider's incident tracking number."]}
    escalation.refresh_from_db()
    assert escalation.status == S.REQUESTED and escalation.provider_incident_number == ""


def test_opening_records_the_number_for_partner_and_customer(partner_a_engineer, poly_support, site_a):
    ready_customer(partner_a_engineer, site_a, teams())
    escalation = escalate(partner_a_engineer, site_a, teams())
    services.escalation_open_incident(by=poly_support, escalation=escalation,
                                      provider_incident_number="  TEAMS-INC-4471  ", note="Opened by phone.")
    escalation.refresh_from_db()
    assert escalation.status == S.OPENED_WITH_PROVIDER
    assert escalation.provider_incident_number == "TEAMS-INC-4471"
    assert escalation.opened_by == poly_support and escalation.opened_at is not None
    assert escalation.updates.get().body == "Opened by phone."


def test_the_partner_may_record_the_opening_itself(partner_a_engineer, site_a):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_open_incident(by=partner_a_engineer, escalation=escalation, provider_incident_number="WX-1")
    escalation.refresh_from_db()
    assert escalation.status == S.OPENED_WITH_PROVIDER


def test_a_provider_that_needs_no_authorisation_opens_with_an_agreement_alone(partner_a_engineer, site_a):
    agreement(site_a.customer, webex(), valid_until=today_at(site_a))
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_open_incident(by=partner_a_engineer, escalation=escalation, provider_incident_number="WX-9")
    escalation.refresh_from_db()
    assert escalation.status == S.OPENED_WITH_PROVIDER


def test_without_a_current_agreement_it_cannot_be_opened(partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_open_incident(by=partner_a_engineer, escalation=escalation, provider_incident_number="W1")
    assert "no current agreement with Webex" in errors_of(excinfo)["agreement"][0]
    escalation.refresh_from_db()
    assert escalation.status == S.REQUESTED and not escalation.provider_incident_number


def test_an_agreement_that_lapses_during_the_escalation_stops_the_opening(partner_a_engineer, site_a):
    today = today_at(site_a)
    lapsing = agreement(site_a.customer, webex(), valid_until=today)
    escalation = escalate(partner_a_engineer, site_a, webex())
    lapsing.valid_until = today - DAY  # the next day, seen from the agreement's end: it has lapsed
    lapsing.save()
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_open_incident(by=partner_a_engineer, escalation=escalation, provider_incident_number="W2")
    assert "agreement" in errors_of(excinfo)
    escalation.refresh_from_db()
    assert escalation.status == S.REQUESTED


def test_an_agreement_lapsing_after_the_opening_is_judged_at_the_site_the_next_day(partner_a_engineer, site_a):
    today = today_at(site_a)
    agreement(site_a.customer, webex(), valid_until=today)
    escalation = escalate(partner_a_engineer, site_a, webex())
    tomorrow = timezone.now() + DAY
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_open_incident(by=partner_a_engineer, escalation=escalation, provider_incident_number="W3",
                                          now=tomorrow)
    assert "agreement" in errors_of(excinfo)


def test_it_cannot_be_opened_while_awaiting_authorisation(partner_a_engineer, site_a):
    agreement(site_a.customer, teams(), valid_until=today_at(site_a) + 30 * DAY)
    escalation = escalate(partner_a_engineer, site_a, teams())
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_open_incident(by=partner_a_engineer, escalation=escalation, provider_incident_number="T1")
    assert "authorisation" in errors_of(excinfo)
    escalation.refresh_from_db()
    assert escalation.status == S.AWAITING_AUTHORISATION


def test_an_authorisation_that_expires_before_the_opening_stops_it(partner_a_engineer, site_a):
    today = today_at(site_a)
    agreement(site_a.customer, teams(), valid_until=today + 30 * DAY)
    authorise(partner_a_engineer, site_a.customer, teams(), signed_on=today - DAY, valid_until=today)
    escalation = escalate(partner_a_engineer, site_a, teams())
    assert escalation.status == S.REQUESTED
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_open_incident(by=partner_a_engineer, escalation=escalation, provider_incident_number="T2",
                                          now=timezone.now() + DAY)
    assert "authorisation" in errors_of(excinfo)
    escalation.refresh_from_db()
    assert escalation.status == S.REQUESTED


# ---- referral, resolution, cancellation ----------------------------------------------------------

@pytest.mark.parametrize("findings", ["", "  \n "], ids=["missing", "blank"])
def test_a_referral_needs_polys_findings(poly_support, partner_a_engineer, site_a, findings):
    escalation = escalate(partner_a_engineer, site_a, webex())
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_refer(by=poly_support, escalation=escalation, findings=findings)
    assert "findings" in errors_of(excinfo)
    escalation.refresh_from_db()
    assert escalation.status == S.REQUESTED


def test_poly_refers_with_findings_from_requested_or_awaiting(poly_support, partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, teams())
    services.escalation_refer(by=poly_support, escalation=escalation, findings="Media path is fine; tenant policy.")
    escalation.refresh_from_db()
    assert escalation.status == S.REFERRED_TO_PROVIDER and escalation.closed_at is not None


def test_only_poly_refers(partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    with pytest.raises(PermissionDenied):
        services.escalation_refer(by=partner_a_engineer, escalation=escalation, findings="We looked.")


def test_an_opened_escalation_cannot_be_referred(poly_support, partner_a_engineer, site_a):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="WX-2")
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_refer(by=poly_support, escalation=escalation, findings="Too late.")
    assert "opened with provider cannot be referred" in errors_of(excinfo)["status"][0]


def test_only_an_opened_escalation_is_resolved(poly_support, partner_a_engineer, site_a):
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    with pytest.raises(ValidationError) as excinfo:
        services.escalation_resolve(by=poly_support, escalation=escalation)
    assert "status" in errors_of(excinfo)
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="WX-3")
    services.escalation_resolve(by=poly_support, escalation=escalation, resolution="Fixed in a provider release.")
    escalation.refresh_from_db()
    assert escalation.status == S.RESOLVED and escalation.resolution == "Fixed in a provider release."


def test_a_closed_escalation_cannot_be_cancelled_or_updated(poly_support, partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_cancel(by=partner_a_engineer, escalation=escalation, reason="A local network fault.")
    for call in (lambda: services.escalation_cancel(by=poly_support, escalation=escalation),
                 lambda: services.escalation_add_update(by=poly_support, escalation=escalation, body="More"),
                 lambda: services.joint_call_request(by=poly_support, escalation=escalation)):
        with pytest.raises(ValidationError) as excinfo:
            call()
        assert "cancelled cannot be" in errors_of(excinfo)["status"][0]
    escalation.refresh_from_db()
    assert escalation.status == S.CANCELLED and escalation.cancel_reason == "A local network fault."


def test_a_cancelled_escalation_frees_the_case_for_a_new_one(partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_cancel(by=partner_a_engineer, escalation=escalation)
    assert escalate(partner_a_engineer, site_a, webex(), case=escalation.case).status == S.REQUESTED


# ---- updates and joint calls -----------------------------------------------------------------------

def test_only_poly_writes_internal_updates(partner_a_engineer, poly_support, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    with pytest.raises(PermissionDenied):
        services.escalation_add_update(by=partner_a_engineer, escalation=escalation, body="x", internal=True)
    services.escalation_add_update(by=poly_support, escalation=escalation, body="Provider engineer: J.", internal=True)
    services.escalation_add_update(by=partner_a_engineer, escalation=escalation, body="Customer retested.")
    assert [u.internal for u in selectors.updates_visible_to(poly_support).filter(escalation=escalation)] == [
        True, False]
    assert [u.body for u in selectors.updates_visible_to(partner_a_engineer).filter(escalation=escalation)] == [
        "Customer retested."]


def test_an_empty_update_is_refused(poly_support, partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    with pytest.raises(ValidationError):
        services.escalation_add_update(by=poly_support, escalation=escalation, body=" ")
    assert not EscalationUpdate.objects.exists()


def test_a_joint_call_is_requested_once_then_scheduled_by_poly(poly_support, partner_a_engineer, site_a):
    escalation = escalate(partner_a_engineer, site_a, webex())
    call = services.joint_call_request(by=partner_a_engineer, escalation=escalation, note="Mornings CET")
    with pytest.raises(ValidationError) as excinfo:
        services.joint_call_request(by=partner_a_engineer, escalation=escalation)
    assert "joint_call" in errors_of(excinfo)
    with pytest.raises(PermissionDenied):
        services.joint_call_schedule(by=partner_a_engineer, call=call,
                                     scheduled_for=timezone.now() + DAY)
    at = datetime.datetime(2030, 5, 6, 8, 0, tzinfo=datetime.UTC)
    services.joint_call_schedule(by=poly_support, call=call, scheduled_for=at)
    call.refresh_from_db()
    assert call.status == JointCallStatus.SCHEDULED and call.scheduled_for == at


# ---- events and the monthly report --------------------------------------------------------------

def test_every_move_is_announced_through_the_one_hook(partner_a_engineer, poly_support, site_a, monkeypatch):
    heard = []
    monkeypatch.setattr(services, "ecps_event_listeners", [lambda event, escalation, by: heard.append(event)])
    ready_customer(partner_a_engineer, site_a, webex())
    escalation = escalate(partner_a_engineer, site_a, webex())
    services.escalation_add_update(by=poly_support, escalation=escalation, body="Internal", internal=True)
    services.escalation_add_update(by=poly_support, escalation=escalation, body="Public")
    services.escalation_open_incident(by=poly_support, escalation=escalation, provider_incident_number="W-5")
    services.escalation_resolve(by=poly_support, escalation=escalation)
    assert heard == ["requested", "update", "opened_with_provider", "resolved"]


def test_a_failing_listener_costs_the_escalation_nothing(partner_a_engineer, site_a, monkeypatch):
    def broken(event, escalation, by):
        escalation.__class__.objects.filter(pk=escalation.pk).update(status="nonsense-that-is-too-long" * 5)

    monkeypatch.setattr(services, "ecps_event_listeners", [broken])
    escalation = escalate(partner_a_engineer, site_a, webex())
    escalation.refresh_from_db()
    assert escalation.status == S.REQUESTED


def test_incidents_for_customer_in_period_lists_what_was_alive_in_the_month(partner_a_engineer, poly_support,
                                                                             site_a, site_b, partner_b_engineer):
    ready_customer(partner_a_engineer, site_a, webex())
    old = escalate(partner_a_engineer, site_a, webex())
    services.escalation_cancel(by=poly_support, escalation=old)
    from ecps.models import Escalation
    Escalation.objects.filter(pk=old.pk).update(requested_at=timezone.now() - 90 * DAY,
                                                closed_at=timezone.now() - 80 * DAY)
    current = escalate(partner_a_engineer, site_a, webex())
    services.escalation_open_incident(by=poly_support, escalation=current, provider_incident_number="WX-77")
    escalate(partner_b_engineer, site_b, webex())
    today = timezone.now().date()
    found = list(selectors.incidents_for_customer_in_period(site_a.customer_id, today - 10 * DAY, today + DAY))
    assert [(e.provider.name, e.provider_incident_number) for e in found] == [("Webex", "WX-77")]


def test_a_provider_taken_off_the_list_takes_no_new_escalations_or_agreements(poly_admin, partner_a_engineer, site_a):
    provider = services.provider_save(by=poly_admin, provider=webex(), name="Webex", requires_authorisation=False,
                                      direct_engagement=True, active=False)
    with pytest.raises(ValidationError) as excinfo:
        escalate(partner_a_engineer, site_a, provider)
    assert "no longer on Poly's list" in errors_of(excinfo)["provider"][0]
    with pytest.raises(ValidationError):
        services.agreement_record(by=partner_a_engineer, customer=site_a.customer, provider=provider, reference="X",
                                  valid_until=today_at(site_a))


@pytest.mark.parametrize(("reference", "valid_until", "field"), [
    ("  ", datetime.date(2030, 1, 1), "reference"),
    ("R-1", datetime.date(2100, 1, 1), "valid_until"),
    ("bad\x00", datetime.date(2030, 1, 1), "reference"),
])
def test_an_agreement_needs_a_reference_and_a_date_in_range(partner_a_engineer, site_a, reference, valid_until, field):
    with pytest.raises(ValidationError) as excinfo:
        services.agreement_record(by=partner_a_engineer, customer=site_a.customer, provider=webex(),
                                  reference=reference, valid_until=valid_until)
    assert field in errors_of(excinfo)


def test_only_a_poly_admin_changes_providers(poly_support):
    with pytest.raises(PermissionDenied):
        services.provider_save(by=poly_support, name="X", requires_authorisation=True, direct_engagement=True)
