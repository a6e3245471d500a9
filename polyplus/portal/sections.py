"""The sections of a monthly CSM report, each read from the app that owns its figures.

Each section is a small table with a title, read through the owning app's models, services
and selectors (the install base's reconciliation, the RMA app, ECPS, cases).
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, Q

from contracts.models import Contract
from ecps import selectors as ecps_selectors
from installbase import baseline, reconciliation
from installbase import selectors as installbase_selectors
from installbase.models import Reconciliation, TrueUp
from rma import selectors as rma_selectors
from tickets.models import Case, Severity

HUNDRED = Decimal(100)
logger = logging.getLogger("polyplus.portal.reports")


@dataclass
class Section:
    key: str
    title: str
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pending: str = ""  # why the section has no figures yet
    # Column widths in per cent, for a list that can run to pages: the PDF then lays its table out
    # from these instead of measuring every cell first (a third of a long report's layout time).
    widths: list[int] = field(default_factory=list)


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

def reconciled_rows(*, contract: Contract, months: list[datetime.date]) -> dict:
    """The install base's reconciliation rows by (category, month)."""
    if not months:
        return {}
    rows = Reconciliation.objects.filter(contract=contract, month__in=months)
    return {(row.category, row.month): row for row in rows}


def monthly_counts(*, contract: Contract, months: list[datetime.date]) -> dict[tuple[str, datetime.date], int]:
    """Reconciled counts C by (category, month)."""
    return {key: row.count for key, row in reconciled_rows(contract=contract, months=months).items()}


def inventory_section(*, contract: Contract, month: datetime.date) -> Section:
    section = Section(
        key="inventory", title="Inventory against baseline",
        columns=["Category", "Count C", "Committed Q", "Baseline B = Q × 1.05", "Over Q", "Trigger"],
    )
    rows = reconciled_rows(contract=contract, months=[month])
    for line in contract.lines.order_by("category"):
        row = rows.get((line.category, month))
        if row is None:
            section.rows.append([line.get_category_display(), "—", str(line.committed), f"{line.baseline}", "—",
                                 "not reconciled"])
            continue
        section.rows.append([
            line.get_category_display(), str(row.count), str(row.committed), f"{row.baseline}",
            "—" if row.percent_over is None else f"{row.percent_over}%",
            "Warning: C ≥ Q × 1.05" if row.over_threshold else "Below the trigger",
        ])
        if row.missing_upload:
            section.notes.append(f"{line.get_category_display()}: no Poly Lens inventory was uploaded for the "
                                 "month; the portal's device records stand in.")
    return section


def true_up_section(*, contract: Contract, month: datetime.date) -> Section:
    section = Section(key="true_up", title="True-up status",
                      columns=["Category", "Adjustment month", "Additional A = C − Q", "Months", "Amount", "Status"])
    true_ups = TrueUp.objects.filter(contract=contract, month__lte=month).order_by("month", "category")
    for true_up in true_ups:
        status = true_up.get_status_display()
        if true_up.po_number:
            status += f", PO {true_up.po_number}"
        section.rows.append([true_up.get_category_display(), f"{true_up.month:%B %Y}", str(true_up.additional_devices),
                             str(true_up.months), money(true_up.amount, true_up.currency), status])
    adjustment = baseline.adjustment_month(contract.start_date, contract.end_date)
    if not section.rows:
        when = "was" if adjustment <= month else "is"
        section.notes.append(f"No true-up. The term's adjustment month {when} {adjustment:%B %Y}; a category "
                             "that meets the trigger then is quoted for its additional devices.")
    return section


def rma_section(*, contract: Contract, month: datetime.date) -> Section:
    """Approved headset RMAs of the calendar year so far against the 5% allowance (DOMAIN.md)."""
    section = Section(key="rma", title="Headset RMAs against the allowance",
                      columns=["Year", "Committed headsets Q", "Included (5%)", "Approved this year",
                               "Approved this month", "Billable"])
    line = contract.lines.filter(category="headset").first()
    if line is None:
        section.notes.append("The contract has no headset line; the allowance applies to headsets only.")
        return section
    start, end = _month_window(month)
    in_year = rma_selectors.headset_rmas_in_year(customer_id=contract.customer_id, year=month.year).filter(
        approved_at__lt=end)
    figures = in_year.aggregate(total=Count("pk"), this_month=Count("pk", filter=Q(approved_at__gte=start)),
                                billable=Count("pk", filter=Q(billable=True)))
    included = line.committed * 5 // 100
    section.rows.append([str(month.year), str(line.committed), str(included), str(figures["total"]),
                         str(figures["this_month"]), str(figures["billable"])])
    section.notes.append("Each RMA's billing is decided when it is approved; billable ones are invoiced at the "
                         "product's list price.")
    return section


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


# Four columns, not six: the provider with its incident number, and the two dates in one cell. A
# month's incidents are the one list that runs to pages, and each cell is a box WeasyPrint lays out
# and draws; a third fewer cells is a third less of a long report's rendering time.
ECPS_COLUMNS = ["Case", "Cloud provider and incident", "Status", "Requested – closed"]
ECPS_COLUMN_WIDTHS = [20, 28, 25, 27]


def ecps_incident_row(incident) -> list[str]:
    provider = incident.provider.name
    requested = f"{incident.requested_at:%Y-%m-%d}"
    return [
        incident.case.number,
        f"{provider} {incident.provider_incident_number}" if incident.provider_incident_number
        else f"{provider}, no number yet",
        incident.get_status_display(),
        f"{requested} – {incident.closed_at:%Y-%m-%d}" if incident.closed_at else f"{requested} – open",
    ]


def ecps_section(*, contract: Contract, month: datetime.date) -> Section:
    """The customer's cloud-partner escalations alive during the month, with the provider's numbers."""
    section = Section(key="ecps", title="ECPS incidents", columns=ECPS_COLUMNS, widths=ECPS_COLUMN_WIDTHS)
    start, end = _month_window(month)
    section.rows = [ecps_incident_row(incident)
                    for incident in ecps_selectors.incidents_for_customer_in_period(contract.customer_id, start, end)]
    if not section.rows:
        section.notes.append("No ECPS escalations during the month.")
    return section


def csm_hours_section(*, contract: Contract, month: datetime.date) -> Section:
    hours_bought = contract.csm_hours_per_month
    section = Section(key="csm_hours", title="CSM hours", columns=["Blocks bought", "Hours a month", "Hours used"])
    used = csm_hours_used(contract=contract, month=month)
    section.rows.append([str(contract.csm_hour_blocks), str(hours_bought), f"{used}"])
    if hours_bought:
        section.notes.append(f"{percent(int(used * 100), hours_bought * 100)} of the month's hours used.")
        if used > hours_bought:
            section.notes.append(f"Over the hours bought by {used - hours_bought} h.")
    elif used:
        section.notes.append("No CSM hour blocks were bought: the hours used are over by all of them.")
    return section


def csm_hours_used(*, contract: Contract, month: datetime.date) -> Decimal:
    """The hours the CSM logged in the month (the workspace's hour log)."""
    return installbase_selectors.csm_hours_used(contract.pk, month)


SECTIONS = [inventory_section, true_up_section, rma_section, case_section, ecps_section, csm_hours_section]


def report_sections(*, contract: Contract, month: datetime.date) -> list[Section]:
    return [make(contract=contract, month=month) for make in SECTIONS]


def report_charts(*, contract: Contract, month: datetime.date) -> list[ChartSpec]:
    """Per category, the counts over the term up to the month against Q and B (as reconciled each
    month, so a true-up's reset shows; the contract line's where a month was not reconciled)."""
    months = _months(contract.start_date, min(contract.end_date, _month_end(month)))
    rows = reconciled_rows(contract=contract, months=months)
    charts = []
    for line in contract.lines.order_by("category"):
        of_line = [rows.get((line.category, m)) for m in months]
        charts.append(ChartSpec(
            title=f"{line.get_category_display()}: devices against Q and B",
            months=months,
            series=[
                ("Count C", [row.count if row else None for row in of_line], "#1b6e3a", False),
                ("Committed Q", [row.committed if row else line.committed for row in of_line], "#555555", True),
                ("Baseline B", [row.baseline if row else line.baseline for row in of_line], "#b3261e", True),
            ],
        ))
    return charts


def before_monthly_report(*, contract_id: int, month: datetime.date, today: datetime.date) -> None:
    """The schedule reconciles the month before reporting on it (the install base's service)."""
    try:
        with transaction.atomic():
            reconciliation.reconcile(contract_id=contract_id, month=month, today=today)
    except ValidationError as exc:  # the report still goes out, saying the month is not reconciled
        logger.warning("contract %s %s not reconciled: %s", contract_id, month, " ".join(exc.messages))
