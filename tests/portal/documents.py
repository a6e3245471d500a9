"""Helpers for the report and quote tests: a known Enterprise contract, cases in a known month, PDF text."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.utils import timezone

from contracts.models import ContractStatus, Offering
from polyplus.portal.reports import previous_month
from tests import factories
from tests.tickets import open_case, set_status
from tickets.models import Case

UTC = datetime.UTC
H = datetime.timedelta(hours=1)


def last_month() -> datetime.date:
    return previous_month(timezone.now().date())


def enterprise_contract(site, *, number="NORDIC-C-0007", csm=None):
    """Headsets N 190 + G 10 = Q 200 (B 210.00) at 30.00 a year; video Q 57 (B 59.85) at 120.00."""
    today = timezone.localdate()
    for category in ("headset", "video"):
        if not site.partner.certifications.filter(category=category).exists():
            factories.CertificationFactory(partner=site.partner, category=category,
                                           certified_on=today - datetime.timedelta(days=400),
                                           expires_on=today + datetime.timedelta(days=400))
    contract = factories.ContractFactory(
        customer=site.customer, offering=Offering.POLY_PLUS_ENTERPRISE, status=ContractStatus.ACTIVE,
        number=number, start_date=today - datetime.timedelta(days=200), end_date=today + datetime.timedelta(days=165),
        csm_hour_blocks=2,
    )
    factories.ContractLineFactory(contract=contract, category="headset", installed=190, growth=10,
                                  annual_unit_price=Decimal("30.00"))
    factories.ContractLineFactory(contract=contract, category="video", installed=50, growth=7,
                                  annual_unit_price=Decimal("120.00"))
    if csm is not None:
        factories.CsmAssignmentFactory(customer=site.customer, csm=csm)
    return contract


def case_in_month(by, site, month: datetime.date, *, day: int, severity: int, response_after: datetime.timedelta | None,
                  resolved_after: datetime.timedelta | None, response_target=H, resolution_target=8 * H) -> Case:
    case = open_case(by, site, severity=severity, category="video", subject=f"Case of day {day}")
    opened = datetime.datetime(month.year, month.month, day, 9, 0, tzinfo=UTC)
    return set_status(
        case, "resolved" if resolved_after else "in_progress",
        opened_at=opened, first_response_due=opened + response_target, resolution_due=opened + resolution_target,
        first_response_at=opened + response_after if response_after else None,
        resolved_at=opened + resolved_after if resolved_after else None,
    )


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)
