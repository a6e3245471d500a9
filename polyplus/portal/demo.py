"""Demo data of the reports and quotes: last month's report of each demo Enterprise contract, and
one true-up quote, made at once (no worker needed) and queued for mail like any other."""

from __future__ import annotations

import datetime

from polyplus.portal import quotes, reports
from polyplus.portal.models import Quote, Report, ReportStatus


def seed_documents(*, today: datetime.date) -> int:
    """Run inside seed_demo's staff context. Returns how many documents were made now."""
    made = 0
    month = reports.previous_month(today)
    for contract in reports.contracts_in_force_during(month).select_related("customer").order_by("pk"):
        report, _ = Report.objects.get_or_create(contract=contract, month=month,
                                                 defaults={"partner_id": contract.partner_id})
        if report.status != ReportStatus.DONE:
            reports.report_make(report_id=report.pk)
            made += 1
    if not Quote.objects.exists():
        for draft in quotes.proposed_true_up_drafts()[:1]:
            quote = quotes.quote_request(draft=draft)
            quotes.quote_make(quote_id=quote.pk)
            made += 1
    return made
