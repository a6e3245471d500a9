"""The monthly CSM report of an Enterprise contract: what it says, and making it exactly once.

A report is keyed (contract, month). Asking for it again, the schedule firing twice or a
task delivered twice all find the same row. Making it is one transaction that locks the row,
renders the PDF, stores it and queues the mails (the outbox, whose keys are unique per
report and recipient), then marks it done; a worker that dies before the commit leaves
nothing behind but a queued report, which the redelivered task makes whole.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from contracts.models import Contract, ContractStatus, Offering
from polyplus.files import save_file
from polyplus.portal import sections
from polyplus.portal.charts import Series, line_chart_svg
from polyplus.portal.models import Report, ReportStatus
from polyplus.portal.pdf import pdf_brand, render_pdf
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import Role, User

logger = logging.getLogger("polyplus.portal.reports")

HUNDRED = Decimal(100)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def previous_month(today: datetime.date) -> datetime.date:
    return month_start(month_start(today) - datetime.timedelta(days=1))


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(first)
    while month <= last:
        months.append(month)
        month = month_end(month) + datetime.timedelta(days=1)
    return months


def contracts_in_force_during(month: datetime.date) -> QuerySet[Contract]:
    """Enterprise contracts in force on any day of the month (a term ending on its last day included).

    A term that has since ended is 'expired', so expired terms count as well as active ones.
    """
    return Contract.objects.filter(
        offering=Offering.POLY_PLUS_ENTERPRISE,
        status__in=[ContractStatus.ACTIVE, ContractStatus.EXPIRED],
        start_date__lte=month_end(month),
        end_date__gte=month,
    )


# ---- asking for reports -------------------------------------------------------------------

def _enqueue_make(report: Report) -> None:
    from polyplus.portal import tasks

    report_id = report.pk
    transaction.on_commit(lambda: tasks.make_report.delay(report_id), robust=True)


def check_reportable(*, contract: Contract, month: datetime.date, today: datetime.date) -> None:
    if month != month_start(month):
        raise ValidationError({"month": ["Give the month as its first day, e.g. 2026-10-01."]})
    if not contract.is_enterprise:
        raise ValidationError({"contract": ["Monthly reports are for Poly+ Enterprise contracts only."]})
    if contract.status not in (ContractStatus.ACTIVE, ContractStatus.EXPIRED):
        raise ValidationError({"contract": [f"The contract is {contract.get_status_display().lower()}; "
                                            "reports are made for active or ended terms."]})
    if month >= month_start(today):
        raise ValidationError({"month": ["Reports are made for past months only; this month has not ended."]})
    if not (contract.start_date <= month_end(month) and contract.end_date >= month):
        raise ValidationError({"month": [f"The contract's term ({contract.start_date} to {contract.end_date}) "
                                         "does not include that month."]})


@transaction.atomic
def report_request(*, contract: Contract, month: datetime.date, by: User | None = None,
                   today: datetime.date | None = None) -> Report:
    """The contract's report for the month: the one already asked for, or a new one made on the worker.

    A failed report asked for again is queued again. Returns the report (done, or queued).
    """
    check_reportable(contract=contract, month=month, today=today or timezone.now().date())
    report, created = Report.objects.get_or_create(
        contract=contract, month=month,
        defaults={"partner_id": contract.partner_id, "requested_by": by},
    )
    if not created and report.status == ReportStatus.FAILED:
        report.status, report.error = ReportStatus.QUEUED, ""
        report.save(update_fields=["status", "error"])
    if report.status != ReportStatus.DONE:
        _enqueue_make(report)
    return report


def reports_request_month(*, month: datetime.date) -> list[int]:
    """The schedule's job: a report for every Enterprise contract in force during the month.

    Each contract in its own transaction, so one bad contract does not hold back the others.
    Run twice, it finds the reports already there and queues only those not done yet
    (making one is idempotent, so a report queued twice is still made once).
    """
    with staff_context(reason="monthly CSM reports: list the contracts"):
        contract_ids = list(contracts_in_force_during(month).order_by("pk").values_list("pk", flat=True))
    report_ids = []
    today = max(timezone.now().date(), month_end(month) + datetime.timedelta(days=1))
    for contract_id in contract_ids:
        with staff_context(reason=f"monthly CSM report {month:%Y-%m}"):
            contract = Contract.objects.get(pk=contract_id)
            report_ids.append(report_request(contract=contract, month=month, today=today).pk)
    return report_ids


# ---- making one -----------------------------------------------------------------------------

def report_recipients(contract: Contract) -> list[User]:
    """The customer's CSM and the partner's active admins."""
    csm = User.objects.filter(csm_assignments__customer_id=contract.customer_id, is_active=True)
    admins = User.objects.filter(partner_id=contract.partner_id, role=Role.PARTNER_ADMIN, is_active=True)
    return list((csm | admins).distinct().order_by("email"))


@dataclass
class ReportContent:
    """Everything the report's template shows. Only what the partner may see: no internal notes,
    no Poly-only flags."""

    contract: Contract
    month: datetime.date
    brand: object
    generated_on: datetime.date
    customer_name: str
    sections: list[sections.Section] = field(default_factory=list)
    charts: list[str] = field(default_factory=list)


def _percent(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return f"{(Decimal(part) * HUNDRED / Decimal(whole)).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def report_content(*, contract: Contract, month: datetime.date) -> ReportContent:
    """Gather the report's figures (run in a staff context: the report covers one contract only)."""
    content = ReportContent(
        contract=contract, month=month, brand=pdf_brand(contract.partner),
        generated_on=timezone.now().date(), customer_name=contract.customer.name,
    )
    content.sections = sections.report_sections(contract=contract, month=month)
    for chart in sections.report_charts(contract=contract, month=month):
        content.charts.append(line_chart_svg(
            title=chart.title, months=chart.months,
            series=[Series(label, values, color, dashed) for label, values, color, dashed in chart.series],
        ))
    return content


def render_report_pdf(*, contract: Contract, month: datetime.date) -> tuple[bytes, int]:
    content = report_content(contract=contract, month=month)
    return render_pdf("portal/pdf/report.html", {"report": content, "brand": content.brand})


def _mark(report_id: int, **fields) -> None:
    with staff_context(reason="report status"):
        Report.objects.filter(pk=report_id).exclude(status=ReportStatus.DONE).update(**fields)


def report_make(*, report_id: int) -> Report:
    """Make the report's PDF, store it and mail it, once. Safe to call again at any point."""
    _mark(report_id, status=ReportStatus.RUNNING)
    with staff_context(reason="make monthly CSM report"):
        report = (Report.objects.select_for_update(of=("self",)).select_related("contract__customer", "partner")
                  .get(pk=report_id))
        if report.status == ReportStatus.DONE:
            _queue_report_mails(report)  # unique keys: mails already queued are not queued again
            return report
        # The month is reconciled first (idempotent; a month closed by a true-up's PO stays as stored).
        sections.before_monthly_report(contract_id=report.contract_id, month=report.month,
                                       today=max(timezone.now().date(), report.month))
        pdf, pages = render_report_pdf(contract=report.contract, month=report.month)
        save_file(report.pdf, report.filename, ContentFile(pdf))
        report.pages = pages
        report.status = ReportStatus.DONE
        report.finished_at = timezone.now()
        report.error = ""
        recipients = _queue_report_mails(report)
        report.mailed_to = "\n".join(recipients)
        report.save()
        logger.info("report %s made (%d pages), mailed to %d", report, pages, len(recipients))
        return report


def report_mark_failed(*, report_id: int, error: str) -> None:
    _mark(report_id, status=ReportStatus.FAILED, error=error[:2000], finished_at=timezone.now())


def report_note_error(*, report_id: int, error: str) -> None:
    """A failed attempt that will be retried: the report stays queued and says why."""
    _mark(report_id, status=ReportStatus.QUEUED, error=error[:2000])


def _queue_report_mails(report: Report) -> list[str]:
    from polyplus.notifications.outbox import queue_mail

    contract = report.contract
    month_name = f"{report.month:%B %Y}"
    brand = pdf_brand(contract.partner)
    sent_to = []
    for user in report_recipients(contract):
        queue_mail(
            key=f"csm-report:{report.pk}:{user.pk}",
            to=user.email,
            subject=f"{brand.display_name}: {contract.customer.name} monthly report, {month_name}",
            text="\n".join([
                f"Hello {user.full_name or user.email},",
                "",
                f"The monthly Poly+ Enterprise report of {contract.customer.name} (contract {contract.number})",
                f"for {month_name} is attached as a PDF. It is also in the portal under Reports.",
                "",
                brand.display_name,
            ]),
            partner_id=contract.partner_id,
            attachments=[(report.filename, report.pdf.name, "application/pdf")],
        )
        sent_to.append(user.email)
    return sent_to
