"""Ship and delivery dates: the cut-off in the site's local time, weekends, public holidays of the
country and subdivision, and both DST changes (a local time is converted, never shifted by hours)."""

import datetime

import pytest

from polyplus.tenancy.models import PolicySetting, Site
from rma.calendar import shipping_dates

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
D = datetime.date


def site(country: str, subdivision: str, zone: str) -> Site:
    return Site(country=country, subdivision=subdivision, timezone=zone)


STOCKHOLM = site("SE", "SE-AB", "Europe/Stockholm")
WARSAW = site("PL", "", "Europe/Warsaw")
MUNICH = site("DE", "DE-BY", "Europe/Berlin")
BERLIN = site("DE", "DE-BE", "Europe/Berlin")
BOSTON = site("US", "US-MA", "America/New_York")
NEW_YORK_NO_STATE = site("US", "", "America/New_York")


def at(*parts) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=UTC)


def dates(where: Site, when: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    answer = shipping_dates(site=where, at=when)
    return answer.ship_date, answer.promised_delivery


# Sweden, winter time (UTC+1): 14:00 local is 13:00 UTC.
def test_it_ships_the_same_day_one_second_before_the_cutoff():
    assert dates(STOCKHOLM, at(2026, 12, 1, 12, 59, 59)) == (D(2026, 12, 1), D(2026, 12, 2))


def test_it_ships_the_next_business_day_at_the_cutoff_minute():
    assert dates(STOCKHOLM, at(2026, 12, 1, 13, 0, 0)) == (D(2026, 12, 2), D(2026, 12, 3))


def test_a_friday_afternoon_approval_ships_monday_and_arrives_tuesday():
    assert dates(STOCKHOLM, at(2026, 12, 4, 14, 0)) == (D(2026, 12, 7), D(2026, 12, 8))


def test_a_friday_morning_approval_is_promised_for_monday_across_the_weekend():
    assert dates(STOCKHOLM, at(2026, 12, 4, 8, 0)) == (D(2026, 12, 4), D(2026, 12, 7))


def test_a_saturday_morning_approval_ships_monday():
    assert dates(STOCKHOLM, at(2026, 12, 5, 8, 0)) == (D(2026, 12, 7), D(2026, 12, 8))


def test_swedish_christmas_is_skipped_and_named():
    answer = shipping_dates(site=STOCKHOLM, at=at(2026, 12, 24, 9, 0))  # Thursday morning
    assert (answer.ship_date, answer.promised_delivery) == (D(2026, 12, 24), D(2026, 12, 28))
    assert [day.date for day in answer.skipped_holidays] == [D(2026, 12, 25), D(2026, 12, 26)]


# Poland: Independence Day, Wednesday 11 November 2026.
def test_polish_holiday_eve_before_the_cutoff_ships_that_day_and_delivers_after_the_holiday():
    answer = shipping_dates(site=WARSAW, at=at(2026, 11, 10, 12, 0))  # 13:00 in Warsaw
    assert (answer.ship_date, answer.promised_delivery) == (D(2026, 11, 10), D(2026, 11, 12))
    assert answer.skipped_holidays[0].name == "National Independence Day"


def test_polish_holiday_eve_after_the_cutoff_ships_after_the_holiday():
    assert dates(WARSAW, at(2026, 11, 10, 13, 30)) == (D(2026, 11, 12), D(2026, 11, 13))


def test_an_approval_on_a_polish_holiday_ships_the_next_day():
    answer = shipping_dates(site=WARSAW, at=at(2026, 11, 11, 8, 0))
    assert (answer.ship_date, answer.promised_delivery) == (D(2026, 11, 12), D(2026, 11, 13))
    assert answer.skipped_holidays[0].date == D(2026, 11, 11)


# Germany: Corpus Christi (Thursday 4 June 2026) is a holiday in Bavaria, not in Berlin.
def test_bavaria_skips_corpus_christi():
    assert dates(MUNICH, at(2026, 6, 3, 13, 0)) == (D(2026, 6, 5), D(2026, 6, 8))  # 15:00 CEST


def test_berlin_works_on_corpus_christi():
    assert dates(BERLIN, at(2026, 6, 3, 13, 0)) == (D(2026, 6, 4), D(2026, 6, 5))


def test_bavaria_before_the_cutoff_on_the_eve_delivers_after_the_holiday():
    assert dates(MUNICH, at(2026, 6, 3, 11, 59)) == (D(2026, 6, 3), D(2026, 6, 5))


# United States: Patriots' Day (Monday 20 April 2026) in Massachusetts only.
def test_massachusetts_skips_patriots_day():
    assert dates(BOSTON, at(2026, 4, 17, 19, 0)) == (D(2026, 4, 21), D(2026, 4, 22))  # Fri 15:00 EDT


def test_a_us_site_without_a_state_ships_on_patriots_day():
    assert dates(NEW_YORK_NO_STATE, at(2026, 4, 17, 19, 0)) == (D(2026, 4, 20), D(2026, 4, 21))


def test_thanksgiving_is_skipped_in_every_state():
    assert dates(NEW_YORK_NO_STATE, at(2026, 11, 25, 15, 0)) == (D(2026, 11, 25), D(2026, 11, 27))


# Daylight saving: the same UTC time is before the cut-off in winter and after it in summer.
def test_europe_after_spring_forward_1230_utc_is_after_the_cutoff():
    assert dates(STOCKHOLM, at(2026, 3, 30, 12, 30)) == (D(2026, 3, 31), D(2026, 4, 1))  # 14:30 CEST


def test_europe_before_spring_forward_1230_utc_is_before_the_cutoff():
    assert dates(STOCKHOLM, at(2026, 3, 27, 12, 30)) == (D(2026, 3, 27), D(2026, 3, 30))  # 13:30 CET


def test_europe_before_fall_back_1230_utc_is_after_the_cutoff():
    assert dates(BERLIN, at(2026, 10, 23, 12, 30)) == (D(2026, 10, 26), D(2026, 10, 27))  # Fri 14:30 CEST


def test_europe_after_fall_back_1230_utc_is_before_the_cutoff():
    assert dates(BERLIN, at(2026, 10, 26, 12, 30)) == (D(2026, 10, 26), D(2026, 10, 27))  # Mon 13:30 CET


def test_new_york_after_spring_forward():
    assert dates(NEW_YORK_NO_STATE, at(2026, 3, 9, 18, 30)) == (D(2026, 3, 10), D(2026, 3, 11))  # 14:30 EDT


def test_new_york_after_fall_back():
    assert dates(NEW_YORK_NO_STATE, at(2026, 11, 2, 18, 30)) == (D(2026, 11, 2), D(2026, 11, 3))  # 13:30 EST


def test_the_local_day_not_the_utc_day_decides():
    # 23:30 UTC on Sunday is already Monday 08:30 in Tokyo... and still Sunday in New York.
    tokyo = site("JP", "", "Asia/Tokyo")
    assert dates(tokyo, at(2026, 12, 6, 23, 30)) == (D(2026, 12, 7), D(2026, 12, 8))
    assert dates(NEW_YORK_NO_STATE, at(2026, 12, 6, 23, 30)) == (D(2026, 12, 7), D(2026, 12, 8))


def test_the_cutoff_is_a_policy_setting():
    PolicySetting.objects.create(key="rma_ship_cutoff", value="16:00")
    assert dates(STOCKHOLM, at(2026, 12, 1, 14, 30)) == (D(2026, 12, 1), D(2026, 12, 2))  # 15:30 CET


def test_an_unknown_subdivision_falls_back_to_the_country():
    assert dates(site("DE", "DE-XX", "Europe/Berlin"), at(2026, 12, 24, 9, 0)) == (D(2026, 12, 24), D(2026, 12, 28))


def test_a_country_without_a_calendar_skips_weekends_only():
    assert dates(site("ZZ", "", "UTC"), at(2026, 12, 25, 9, 0)) == (D(2026, 12, 25), D(2026, 12, 28))
