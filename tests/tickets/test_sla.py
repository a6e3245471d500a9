"""SLA clocks: targets per severity and offering, a 24/7 calendar, DST, pause and resume,
the first response, and reopening."""

import datetime

import pytest

from contracts.models import Offering
from tests.tickets import DAY, MINUTE, STOCKHOLM, UTC, Clock, H, cover, open_case
from tickets import selectors, services, sla
from tickets.models import Case, CaseStatus, SlaTarget

E, P = Offering.POLY_PLUS_ENTERPRISE, Offering.POLY_PLUS
# (severity, offering, first response, resolution): DOMAIN.md's first-response defaults and the
# seeded resolution targets (tickets/migrations/0002).
TARGETS = [
    (1, E, 30 * MINUTE, 4 * H), (1, P, 1 * H, 8 * H),
    (2, E, 2 * H, 1 * DAY), (2, P, 4 * H, 2 * DAY),
    (3, E, 8 * H, 3 * DAY), (3, P, 12 * H, 5 * DAY),
    (4, E, 24 * H, 10 * DAY), (4, P, 48 * H, 15 * DAY),
]


@pytest.mark.parametrize(("severity", "offering", "first_response", "resolution"), TARGETS,
                         ids=[f"S{s}-{o}" for s, o, _, _ in TARGETS])
def test_due_times_follow_the_seeded_target_for_each_severity_and_offering(partner_a_engineer, site_a, severity,
                                                                          offering, first_response, resolution):
    cover(site_a, offering=offering)

    case = open_case(partner_a_engineer, site_a, severity=severity)

    assert (case.entitled, case.offering) == (True, offering)
    assert case.first_response_due - case.opened_at == first_response
    assert case.resolution_due - case.opened_at == resolution
    assert case.next_due_at == case.first_response_due
    assert case.priority == (0 if offering == E else 1)


def test_a_target_a_poly_admin_changed_applies_to_cases_opened_afterwards(partner_a_engineer, site_a):
    cover(site_a, offering=P)
    before = open_case(partner_a_engineer, site_a, severity=2)
    SlaTarget.objects.filter(severity=2, offering=P).update(first_response=90 * MINUTE)

    after = open_case(partner_a_engineer, site_a, severity=2)

    assert after.first_response_due - after.opened_at == 90 * MINUTE
    before.refresh_from_db()
    assert before.first_response_due - before.opened_at == 4 * H


@pytest.mark.parametrize(("severity", "offering", "first_response_local", "resolution_local"), [
    (1, E, "2025-06-02 00:29", "2025-06-02 03:59"),
    (1, P, "2025-06-02 00:59", "2025-06-02 07:59"),
    (2, P, "2025-06-02 03:59", "2025-06-03 23:59"),
    (4, E, "2025-06-02 23:59", "2025-06-11 23:59"),
])
def test_a_case_opened_at_23_59_on_a_sunday_is_due_on_the_clock_not_on_a_business_day(
        monkeypatch, partner_a_engineer, site_a, severity, offering, first_response_local, resolution_local):
    sunday = datetime.datetime(2025, 6, 1, 23, 59, tzinfo=STOCKHOLM)
    assert sunday.weekday() == 6
    Clock(monkeypatch, sunday)
    cover(site_a, offering=offering)

    case = open_case(partner_a_engineer, site_a, severity=severity)

    assert case.opened_at == sunday
    assert f"{case.first_response_due.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}" == first_response_local
    assert f"{case.resolution_due.astimezone(STOCKHOLM):%Y-%m-%d %H:%M}" == resolution_local


# Stockholm springs forward on 2025-03-30 at 02:00 (to 03:00) and falls back on 2025-10-26 at 03:00 (to 02:00).
@pytest.mark.parametrize(("opened_local", "severity", "offering", "hours", "due_local", "due_offset_hours"), [
    (datetime.datetime(2025, 3, 30, 1, 30), 1, P, 1, "2025-03-30 03:30", 2),
    (datetime.datetime(2025, 3, 30, 1, 30), 2, E, 2, "2025-03-30 04:30", 2),
    (datetime.datetime(2025, 10, 26, 2, 30), 1, P, 1, "2025-10-26 02:30", 1),
    (datetime.datetime(2025, 10, 26, 2, 30), 2, E, 2, "2025-10-26 03:30", 1),
], ids=["spring-1h", "spring-2h", "fall-1h", "fall-2h"])
def test_a_case_opened_30_minutes_before_a_dst_change_keeps_exactly_its_elapsed_hours(
        monkeypatch, partner_a_engineer, site_a, opened_local, severity, offering, hours, due_local, due_offset_hours):
    opened = opened_local.replace(tzinfo=STOCKHOLM)  # fold=0: before the change
    Clock(monkeypatch, opened)
    cover(site_a, offering=offering)

    case = open_case(partner_a_engineer, site_a, severity=severity)

    assert case.first_response_due - case.opened_at == hours * H
    assert (case.first_response_due.timestamp() - opened.timestamp()) == hours * 3600
    local_due = case.first_response_due.astimezone(STOCKHOLM)
    assert f"{local_due:%Y-%m-%d %H:%M}" == due_local
    assert local_due.utcoffset() == due_offset_hours * H


def test_clocks_started_from_a_local_time_count_real_hours_across_the_dst_change(partner_a_engineer, site_a):
    cover(site_a, offering=P)
    case = Case(severity=1, offering=P, opened_at=datetime.datetime(2025, 3, 30, 1, 30, tzinfo=STOCKHOLM))

    sla.start_clocks(case)

    assert case.first_response_due == datetime.datetime(2025, 3, 30, 1, 30, tzinfo=UTC)
    assert f"{case.first_response_due.astimezone(STOCKHOLM):%H:%M}" == "03:30"


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch, datetime.datetime(2025, 5, 12, 8, 0, tzinfo=UTC))


def test_waiting_on_the_partner_moves_the_due_times_by_exactly_the_wait(clock, partner_a_engineer, poly_support,
                                                                         site_a):
    cover(site_a, offering=E)
    case = open_case(partner_a_engineer, site_a, severity=2)  # 2 h / 24 h
    first_due, resolution_due = case.first_response_due, case.resolution_due

    clock.advance(20 * MINUTE)
    services.case_transition(by=poly_support, case=case, to_status=CaseStatus.WAITING_ON_PARTNER)
    clock.advance(3 * H + 17 * MINUTE)
    services.case_comment_add(by=partner_a_engineer, case=case, body="Logs attached; it happens on firmware 4.1.")

    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.paused_since is None
    assert case.first_response_due == first_due + 3 * H + 17 * MINUTE
    assert case.resolution_due == resolution_due + 3 * H + 17 * MINUTE
    assert case.next_due_at == case.first_response_due


def test_after_a_first_response_only_the_resolution_clock_moves_with_the_wait(clock, partner_a_engineer,
                                                                               poly_support, site_a):
    cover(site_a, offering=P)
    case = open_case(partner_a_engineer, site_a, severity=3)
    first_due, resolution_due = case.first_response_due, case.resolution_due
    clock.advance(30 * MINUTE)
    services.case_comment_add(by=poly_support, case=case, body="Which firmware runs on the codec?")
    services.case_transition(by=poly_support, case=case, to_status=CaseStatus.WAITING_ON_PARTNER)

    clock.advance(2 * DAY + 5 * MINUTE)
    services.case_transition(by=partner_a_engineer, case=case, to_status=CaseStatus.IN_PROGRESS)

    case.refresh_from_db()
    assert case.first_response_due == first_due
    assert case.first_response_at == clock.now - 2 * DAY - 5 * MINUTE
    assert case.resolution_due == resolution_due + 2 * DAY + 5 * MINUTE
    assert case.next_due_at == case.resolution_due


def test_a_first_public_reply_given_while_waiting_does_not_count_the_wait(clock, partner_a_engineer, poly_support,
                                                                           site_a):
    cover(site_a, offering=E)
    case = open_case(partner_a_engineer, site_a, severity=2)  # first response within 2 h
    first_due = case.first_response_due
    clock.advance(30 * MINUTE)
    services.case_transition(by=poly_support, case=case, to_status=CaseStatus.WAITING_ON_PARTNER)
    clock.advance(3 * H)  # the clock stands still: 1 h 30 min of the target remain

    services.case_comment_add(by=poly_support, case=case, body="We reproduced it in the lab.")

    case.refresh_from_db()
    assert case.first_response_due == first_due + 3 * H
    assert not case.first_response_breached(clock.now)


def test_the_first_response_is_the_first_public_reply_by_poly_staff(clock, partner_a_engineer, poly_support,
                                                                     site_a):
    cover(site_a)
    case = open_case(partner_a_engineer, site_a)

    clock.advance(10 * MINUTE)
    services.case_comment_add(by=poly_support, case=case, body="Checking the crash dumps.", internal=True)
    clock.advance(10 * MINUTE)
    services.case_comment_add(by=partner_a_engineer, case=case, body="It happened again at 09:00.")
    case.refresh_from_db()
    assert case.first_response_at is None
    assert case.status == CaseStatus.NEW

    clock.advance(10 * MINUTE)
    answered = clock.now
    services.case_comment_add(by=poly_support, case=case, body="Please update to 4.2; it fixes the reboot.")
    clock.advance(10 * MINUTE)
    services.case_comment_add(by=poly_support, case=case, body="Any news?")

    case.refresh_from_db()
    assert case.first_response_at == answered
    assert case.status == CaseStatus.IN_PROGRESS
    assert not case.first_response_breached(clock.now)
    assert case.next_due_at == case.resolution_due


def test_a_paused_case_is_not_breached_and_has_no_next_due(clock, partner_a_engineer, poly_support, site_a):
    cover(site_a, offering=P)
    case = open_case(partner_a_engineer, site_a, severity=1)  # first response within 1 h
    clock.advance(10 * MINUTE)
    services.case_transition(by=poly_support, case=case, to_status=CaseStatus.WAITING_ON_PARTNER)

    clock.advance(5 * H)  # long past the original first-response due time
    case.refresh_from_db()

    assert case.paused_since is not None
    assert not case.breached(clock.now)
    assert case.next_due_at is None
    assert case.time_left(clock.now) is None
    breached_ids = set(selectors.case_queue(poly_support, breached=True).values_list("pk", flat=True))
    assert case.pk not in breached_ids

    services.case_comment_add(by=partner_a_engineer, case=case, body="Back from the site.")
    case.refresh_from_db()
    assert case.time_left(clock.now) == 50 * MINUTE
    assert not case.breached(clock.now)


def test_reopening_shifts_the_resolution_due_time_by_the_time_it_stood_resolved(clock, partner_a_engineer,
                                                                               poly_support, site_a):
    cover(site_a, offering=E)
    case = open_case(partner_a_engineer, site_a, severity=3)
    clock.advance(1 * H)
    services.case_comment_add(by=poly_support, case=case, body="Replace the power supply.")
    resolution_due = Case.objects.get(pk=case.pk).resolution_due
    clock.advance(2 * H)
    services.case_transition(by=poly_support, case=case, to_status=CaseStatus.RESOLVED)
    case.refresh_from_db()
    assert case.next_due_at is None and case.resolved_at == clock.now

    clock.advance(1 * DAY)
    services.case_transition(by=partner_a_engineer, case=case, to_status=CaseStatus.CLOSED)
    clock.advance(2 * DAY + 7 * MINUTE)
    services.case_transition(by=partner_a_engineer, case=case, to_status=CaseStatus.IN_PROGRESS)

    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.resolved_at is None and case.closed_at is None
    assert case.resolution_due == resolution_due + 3 * DAY + 7 * MINUTE
    assert case.next_due_at == case.resolution_due


def test_resolving_a_case_that_waits_on_the_partner_stops_the_clocks_at_the_time_of_resolution(
        clock, partner_a_engineer, poly_support, site_a):
    cover(site_a, offering=P)
    case = open_case(partner_a_engineer, site_a, severity=1)  # 1 h / 8 h
    clock.advance(30 * MINUTE)
    services.case_comment_add(by=poly_support, case=case, body="Try another cable.")
    services.case_transition(by=poly_support, case=case, to_status=CaseStatus.WAITING_ON_PARTNER)
    clock.advance(10 * H)  # past the original resolution due, but waiting

    services.case_transition(by=partner_a_engineer, case=case, to_status=CaseStatus.RESOLVED)

    case.refresh_from_db()
    assert case.resolution_due == case.opened_at + 8 * H + 10 * H
    assert not case.resolution_breached(clock.now + 30 * DAY)
    assert case.next_due_at is None


def test_missing_targets_are_filled_with_defaults_and_changed_ones_are_kept(db):
    import datetime as dt

    from tickets.models import SlaTarget
    from tickets.sla import ensure_default_targets

    SlaTarget.objects.filter(severity=1, offering="poly_plus").update(first_response=dt.timedelta(minutes=45))
    SlaTarget.objects.filter(severity=4, offering="poly_plus").delete()

    ensure_default_targets()

    assert SlaTarget.objects.count() == 8
    assert SlaTarget.objects.get(severity=1, offering="poly_plus").first_response == dt.timedelta(minutes=45)
    assert SlaTarget.objects.get(severity=4, offering="poly_plus").first_response == dt.timedelta(hours=48)
