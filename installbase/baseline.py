"""The arithmetic of baselines and true-ups (DOMAIN.md: install base, baseline and true-up).

Pure functions on dates, counts and Decimals, so each rule can be read and tested at its edges.
"""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from contracts.models import BASELINE_FACTOR
from installbase.models import month_end, month_start

CENT = Decimal("0.01")


def baseline(committed: int) -> Decimal:
    """B = Q × 1.05, exact (Q is whole, so two places always hold it)."""
    return Decimal(committed) * BASELINE_FACTOR


def over_threshold(*, count: int, committed: int) -> bool:
    """The trigger C ≥ Q × 1.05, compared exactly in Decimal. With Q = 0 a count of 0 is no growth."""
    return Decimal(count) >= baseline(committed) and count > committed


def percent_over(*, count: int, committed: int) -> Decimal | None:
    """(C − Q) / Q × 100 to two places (half-up), for reading; the trigger never uses it."""
    if committed == 0:
        return None
    return (Decimal(count - committed) * 100 / Decimal(committed)).quantize(CENT, rounding=ROUND_HALF_UP)


def term_midpoint(start: datetime.date, end: datetime.date) -> datetime.date:
    """The start date plus half the term's length in days (both ends included), rounded down."""
    length = (end - start).days + 1
    return start + datetime.timedelta(days=length // 2)


def adjustment_month(start: datetime.date, end: datetime.date) -> datetime.date:
    """The first day of the calendar month that contains the term's midpoint."""
    return month_start(term_midpoint(start, end))


def term_months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first day of every calendar month the term touches, in order."""
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = month_end(month) + datetime.timedelta(days=1)
    return months


def months_charged(month: datetime.date, term_end: datetime.date) -> int:
    """`month` and every later calendar month of the term; the term's last month counts whole."""
    return (term_end.year - month.year) * 12 + term_end.month - month.month + 1


def true_up_amount(*, additional: int, annual_unit_price: Decimal, months: int) -> Decimal:
    """A × annual unit price × months / 12, rounded half-up to cents once, at the end."""
    return (Decimal(additional) * Decimal(annual_unit_price) * months / 12).quantize(CENT, rounding=ROUND_HALF_UP)


def count_day(month: datetime.date, term_end: datetime.date) -> datetime.date:
    """The day a month's count is taken: its last day, or the term's last day if that is earlier."""
    return min(month_end(month), term_end)
