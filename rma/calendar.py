"""Business days of a site, and the one computation of RMA ship and delivery dates.

A business day is a weekday that is not a public holiday of the site's country (and
subdivision, where set), as the `holidays` package knows them. Local times come from the
site's IANA time zone through `zoneinfo`: an instant is converted, never shifted by hours.
The estimate on the request form, `GET rmas/estimate/` and the approval all call
`shipping_dates`, so they cannot disagree.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache

import holidays

from polyplus.tenancy.models import Site
from polyplus.tenancy.policy import policy_value


@dataclass(frozen=True)
class SkippedDay:
    date: datetime.date
    name: str


@dataclass(frozen=True)
class ShippingDates:
    """When a replacement approved at `approved_at` ships and is promised to arrive."""

    approved_at: datetime.datetime
    local_approved_at: datetime.datetime
    timezone: str
    cutoff: datetime.time
    ship_date: datetime.date
    promised_delivery: datetime.date
    skipped_holidays: tuple[SkippedDay, ...]
    before_cutoff: bool


def _subdivision_code(country: str, subdivision: str) -> str | None:
    """ISO 3166-2 `DE-BY` as the holidays package names it (`BY`); None when not set."""
    code = (subdivision or "").strip().upper()
    if not code:
        return None
    prefix = f"{country.upper()}-"
    return code[len(prefix):] if code.startswith(prefix) else code


@lru_cache(maxsize=256)
def _holiday_calendar(country: str, subdivision: str | None, year: int) -> dict[datetime.date, str]:
    try:
        calendar = holidays.country_holidays(country, subdiv=subdivision, years=year)
    except NotImplementedError:
        if subdivision is None:
            return {}  # a country the package does not know: weekends only
        return _holiday_calendar(country, None, year)
    return dict(calendar.items())


def public_holiday(country: str, subdivision: str, day: datetime.date) -> str | None:
    """The name of the public holiday on `day` at a site in `country`/`subdivision`, else None."""
    return _holiday_calendar(country.upper(), _subdivision_code(country, subdivision), day.year).get(day)


def is_business_day(country: str, subdivision: str, day: datetime.date) -> bool:
    return day.weekday() < 5 and public_holiday(country, subdivision, day) is None


def next_business_day(country: str, subdivision: str, after: datetime.date,
                      skipped: list[SkippedDay] | None = None) -> datetime.date:
    """The first business day after `after`; holidays passed over are added to `skipped`."""
    day = after + datetime.timedelta(days=1)
    while not is_business_day(country, subdivision, day):
        name = public_holiday(country, subdivision, day)
        if name is not None and skipped is not None:
            skipped.append(SkippedDay(day, name))
        day += datetime.timedelta(days=1)
    return day


def shipping_dates(*, site: Site, at: datetime.datetime, cutoff: datetime.time | None = None) -> ShippingDates:
    """Ship date: the approval day if it is a business day and the approval is before the cut-off
    (site's local time), else the next business day. Promised delivery: the business day after."""
    if at.tzinfo is None:
        raise ValueError("An approval instant needs a time zone.")
    cutoff = cutoff if cutoff is not None else policy_value("rma_ship_cutoff")
    zone = zoneinfo.ZoneInfo(site.timezone)
    local = at.astimezone(zone)
    day = local.date()
    skipped: list[SkippedDay] = []
    before_cutoff = local.time() < cutoff
    if is_business_day(site.country, site.subdivision, day) and before_cutoff:
        ship = day
    else:
        name = public_holiday(site.country, site.subdivision, day)
        if name is not None:
            skipped.append(SkippedDay(day, name))
        ship = next_business_day(site.country, site.subdivision, day, skipped)
    delivery = next_business_day(site.country, site.subdivision, ship, skipped)
    return ShippingDates(
        approved_at=at, local_approved_at=local, timezone=site.timezone, cutoff=cutoff, ship_date=ship,
        promised_delivery=delivery, skipped_holidays=tuple(skipped), before_cutoff=before_cutoff,
    )
