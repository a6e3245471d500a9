"""SLA clocks where a rule could break unnoticed, beyond test_sla.py: a resume stamped earlier than
its pause (clock skew between servers) never moves a clock back, and each clock function on its own."""

import datetime

import pytest

from contracts.models import Offering
from tests.tickets import DAY, MINUTE, UTC, Clock, H, cover, open_case
from tickets import services, sla
from tickets.models import Case, CaseStatus, SlaTarget

E, P = Offering.POLY_PLUS_ENTERPRISE, Offering.POLY_PLUS
OPENED = datetime.datetime(2025, 5, 12, 8, 0, tzinfo=UTC)


def case_opened(severity=2, offering=E, **fields) -> Case:
    """A case in memory, its clocks started at OPENED (2 h / 24 h for S2 Enterprise)."""
    case = Case(severity=severity, offering=offering, opened_at=OPENED, status=CaseStatus.NEW, **fields)
    sla.start_clocks(case)
    return case


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, OPENED)


# ---- clock skew ------------------------------------------------------------------------------------

def test_a_resume_earlier_than_the_pause_leaves_every_clock_where_it_was(db):
    case = case_opened()
    sla.pause_clocks(case, OPENED + 30 * MINUTE)
    first_due, resolution_due = case.first_response_due, case.resolution_due

    sla.resume_clocks(case, OPENED + 25 * MINUTE)

    assert (case.first_response_due, case.resolution_due) == (first_due, resolution_due)
    assert case.paused_since is None
    assert case.next_due_at == first_due


def test_a_reopening_stamped_before_the_resolution_leaves_the_resolution_clock_where_it_was(db):
    case = case_opened()
    resolution_due = case.resolution_due

    sla.resume_clocks(case, OPENED + 1 * H, since=OPENED + 2 * H)

    assert case.resolution_due == resolution_due


def test_a_partner_reply_stamped_before_the_pause_never_moves_a_clock_back(clock, partner_a_engineer, poly_support,
                                                                          site_a):
    cover(site_a, offering=E)
    case = open_case(partner_a_engineer, site_a, severity=2)
    first_due, resolution_due = case.first_response_due, case.resolution_due
    clock.advance(30 * MINUTE)
    services.case_transition(by=poly_support, case=case, to_status=CaseStatus.WAITING_ON_PARTNER)

    clock.advance(-5 * MINUTE)  # the answering server's clock is behind
    services.case_comment_add(by=partner_a_engineer, case=case, body="Rebooted it; the fault is back.")

    case.refresh_from_db()
    assert (case.status, case.paused_since) == (CaseStatus.IN_PROGRESS, None)
    assert (case.first_response_due, case.resolution_due) == (first_due, resolution_due)


# ---- each clock function on its own ------------------------------------------------------------

def test_a_resume_moves_both_clocks_by_the_wait_before_the_first_response(db):
    case = case_opened()
    sla.pause_clocks(case, OPENED + 10 * MINUTE)
    sla.resume_clocks(case, OPENED + 10 * MINUTE + 3 * H)
    assert case.first_response_due == OPENED + 2 * H + 3 * H
    assert case.resolution_due == OPENED + 1 * DAY + 3 * H
    assert case.next_due_at == case.first_response_due


def test_a_resume_after_the_first_response_moves_only_the_resolution_clock(db):
    case = case_opened(first_response_at=OPENED + 5 * MINUTE)
    sla.pause_clocks(case, OPENED + 10 * MINUTE)
    sla.resume_clocks(case, OPENED + 10 * MINUTE + 3 * H)
    assert case.first_response_due == OPENED + 2 * H
    assert case.resolution_due == OPENED + 1 * DAY + 3 * H
    assert case.next_due_at == case.resolution_due


def test_a_second_pause_keeps_the_first_pause_time(db):
    case = case_opened()
    sla.pause_clocks(case, OPENED + 10 * MINUTE)
    sla.pause_clocks(case, OPENED + 50 * MINUTE)
    assert (case.paused_since, case.next_due_at) == (OPENED + 10 * MINUTE, None)
    sla.resume_clocks(case, OPENED + 70 * MINUTE)
    assert case.first_response_due == OPENED + 2 * H + 60 * MINUTE


def test_a_resume_without_a_pause_moves_nothing(db):
    case = case_opened()
    sla.resume_clocks(case, OPENED + 3 * H)
    assert (case.first_response_due, case.resolution_due) == (OPENED + 2 * H, OPENED + 1 * DAY)


@pytest.mark.parametrize(("first_response", "resolution", "next_due"), [
    (2 * H, 1 * DAY, 2 * H),
    (3 * H, 2 * H, 2 * H),  # a resolution target shorter than the first response comes first
])
def test_the_next_due_time_is_the_earlier_clock_until_the_first_response(db, first_response, resolution, next_due):
    case = Case(status=CaseStatus.NEW, first_response_due=OPENED + first_response, resolution_due=OPENED + resolution)
    sla.refresh_next_due(case)
    assert case.next_due_at == OPENED + next_due


@pytest.mark.parametrize("status", [CaseStatus.RESOLVED, CaseStatus.CLOSED])
def test_a_case_that_is_no_longer_open_has_no_next_due_time(db, status):
    case = case_opened()
    case.status = status
    sla.refresh_next_due(case)
    assert case.next_due_at is None


def test_the_clocks_start_from_the_target_for_the_case_severity_and_offering(db):
    case = case_opened(severity=3, offering=P)
    assert (case.first_response_due, case.resolution_due) == (OPENED + 12 * H, OPENED + 5 * DAY)
    assert case.next_due_at == case.first_response_due


def test_an_empty_target_table_is_filled_with_every_default(db):
    SlaTarget.objects.all().delete()
    sla.ensure_default_targets()
    filled = {(target.severity, target.offering): (target.first_response, target.resolution)
              for target in SlaTarget.objects.all()}
    assert filled == {
        (1, E): (30 * MINUTE, 4 * H), (1, P): (1 * H, 8 * H),
        (2, E): (2 * H, 1 * DAY), (2, P): (4 * H, 2 * DAY),
        (3, E): (8 * H, 3 * DAY), (3, P): (12 * H, 5 * DAY),
        (4, E): (24 * H, 10 * DAY), (4, P): (48 * H, 15 * DAY),
    }
