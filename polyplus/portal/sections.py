"""The sections of a monthly CSM report, each read from the app that owns its figures.

Each section is a small table with a title. A section whose figures come from a part of the
portal that is not there yet says so ("pending") instead of showing made-up numbers.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q

from contracts.models import Contract
from tickets.models import Case, Severity

HUNDRED = Decimal(100)


@dataclass
class Section:
    key: str
    title: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pending: str = ""  # why the section has no figures yet


@dataclass
class ChartSpec:
    title: str
    months: list[datetime.date]
    series: list[tuple[str, list, str, bool]]  # label, values per month, colour, dashed


def _month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = _month_end(month) + datetime.timedelta(days=1)
    return months


def _month_window(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime.combine(month, datetime.time.min, tzinfo=datetime.UTC)
    end = datetime.datetime.combine(_month_end(month) + datetime.timedelta(days=1), datetime.time.min,
                                    tzinfo=datetime.UTC)
    return start, end


def percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{(Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def money(amount: Decimal, currency: str) -> str:
    return f"{amount:,.2f} {currency}"


# ---- the sections -------------------------------------------------------------------------

def inventory_section(*, contract: Contract, month: datetime.date) -> Section:
    section = Section(
        key="inventory", title="Inventory against baseline",
        columns=["Category", "Count C", "Committed Q", "Baseline B = Q × 1.05", "Trigger"],
    )
    lines = list(contract.lines.order_by("category"))
    counts = monthly_counts(contract=contract, months=[month])
    for line in lines:
        count = counts.get((line.category, month))
        trigger = "—" if count is None else ("Warning: C ≥ B" if Decimal(count) >= line.baseline else "Below B")
        section.rows.append([line.get_category_display(), "—" if count is None else str(count),
                             str(line.committed), f"{line.baseline}", trigger])
    if not counts:
        section.pending = "The month's reconciliation (device counts C) is pending."
    return section


def monthly_counts(*, contract: Contract, months: list[datetime.date]) -> dict[tuple[str, datetime.date], int]:
    """Reconciled counts C by (category, month), from the install base's monthly reconciliation."""
    return {}


def true_up_section(*, contract: Contract, month: datetime.date) -> Section:
    return Section(key="true_up", title="True-up status", pending="True-up status is pending.")


def rma_section(*, contract: Contract, month: datetime.date) -> Section:
    return Section(key="rma", title="Headset RMAs against the allowance", pending="Headset RMA figures are pending.")


def case_section(*, contract: Contract, month: datetime.date) -> Section:
    """Cases opened and resolved in the month, and SLA attainment by severity.

    A target counts once it is decided: met (answered or resolved in time) or missed (answered
    or resolved late, or still open past its due time at the month's end).
    """
    start, end = _month_window(month)
    cases = Case.objects.filter(customer_id=contract.customer_id)
    opened = cases.filter(opened_at__gte=start, opened_at__lt=end)
    by_severity = {
        row["severity"]: row
        for row in opened.values("severity").annotate(
            opened=Count("pk"),
            response_met=Count("pk", filter=Q(first_response_at__isnull=False,
                                               first_response_at__lte=F("first_response_due"))),
            response_decided=Count("pk", filter=Q(first_response_at__isnull=False)
                                   | Q(first_response_at__isnull=True, first_response_due__lt=end)),
            resolution_met=Count("pk", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("resolution_due"))),
            resolution_decided=Count("pk", filter=Q(resolved_at__isnull=False)
                                     | Q(resolved_at__isnull=True, resolution_due__lt=end)),
        )
    }
    resolved = dict(
        cases.filter(resolved_at__gte=start, resolved_at__lt=end).values("severity")
        .annotate(n=Count("pk")).values_list("severity", "n")
    )
    section = Section(
        key="cases", title="Cases and SLA attainment",
        columns=["Severity", "Opened", "Resolved", "First response in time", "Resolution in time"],
    )
    totals = dict.fromkeys(["opened", "resolved", "rm", "rd", "sm", "sd"], 0)
    for severity in Severity:
        row = by_severity.get(severity.value, {})
        values = {"opened": row.get("opened", 0), "resolved": resolved.get(severity.value, 0),
                  "rm": row.get("response_met", 0), "rd": row.get("response_decided", 0),
                  "sm": row.get("resolution_met", 0), "sd": row.get("resolution_decided", 0)}
        for key, value in values.items():
            totals[key] += value
        section.rows.append([severity.label, str(values["opened"]), str(values["resolved"]),
                             f"{percent(values['rm'], values['rd'])} ({values['rm']} of {values['rd']})",
                             f"{percent(values['sm'], values['sd'])} ({values['sm']} of {values['sd']})"])
    section.rows.append(["All", str(totals["opened"]), str(totals["resolved"]),
                         f"{percent(totals['rm'], totals['rd'])} ({totals['rm']} of {totals['rd']})",
                         f"{percent(totals['sm'], totals['sd'])} ({totals['sm']} of {totals['sd']})"])
    section.notes.append("Cases opened in the month; a target counts once it is met or missed.")
    return section


def ecps_section(*, contract: Contract, month: datetime.date) -> Section:
    return Section(key="ecps", title="ECPS incidents", pending="ECPS incidents are pending.")


def csm_hours_section(*, contract: Contract, month: datetime.date) -> Section:
    hours_bought = contract.csm_hours_per_month
    section = Section(key="csm_hours", title="CSM hours", columns=["Blocks bought", "Hours a month", "Hours used"])
    used = csm_hours_used(contract=contract, month=month)
    section.rows.append([str(contract.csm_hour_blocks), str(hours_bought), "—" if used is None else f"{used}"])
    if used is None:
        section.pending = "The CSM's hour log is pending."
    elif hours_bought:
        section.notes.append(f"{percent(int(used * 100), hours_bought * 100)} of the month's hours used.")
    return section


def csm_hours_used(*, contract: Contract, month: datetime.date) -> Decimal | None:
    return None


SECTIONS = [inventory_section, true_up_section, rma_section, case_section, ecps_section, csm_hours_section]


def report_sections(*, contract: Contract, month: datetime.date) -> list[Section]:
    return [make(contract=contract, month=month) for make in SECTIONS]


def report_charts(*, contract: Contract, month: datetime.date) -> list[ChartSpec]:
    """Per category, the counts over the term up to the month against Q and B."""
    months = _months(contract.start_date, min(contract.end_date, _month_end(month)))
    counts = monthly_counts(contract=contract, months=months)
    charts = []
    for line in contract.lines.order_by("category"):
        charts.append(ChartSpec(
            title=f"{line.get_category_display()}: devices against Q and B",
            months=months,
            series=[
                ("Count C", [counts.get((line.category, m)) for m in months], "#1b6e3a", False),
                ("Committed Q", [line.committed] * len(months), "#555555", True),
                ("Baseline B", [line.baseline] * len(months), "#b3261e", True),
            ],
        ))
    return charts


def before_monthly_report(*, contract_id: int, month: datetime.date) -> None:
    """The schedule reconciles the month before reporting on it (the install base's service)."""
