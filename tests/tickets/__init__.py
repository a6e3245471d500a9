"""Helpers for the service-case tests: covered sites, a clock to stand at any minute, files by content."""

from __future__ import annotations

import datetime
import io
import zoneinfo

from django.utils import timezone

from contracts.models import ContractStatus, Offering
from tests import factories
from tickets import services
from tickets.models import Case

UTC = datetime.UTC
STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
H = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
DAY = datetime.timedelta(days=1)

# Files as their bytes say they are.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(64))
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
LOG = "2025-03-30T01:30:00Z codec: återanslutning misslyckades — ошибка сети ✓\n".encode() * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48 + b"This program cannot be run"


class Clock:
    """django.utils.timezone.now standing at a chosen instant, moved on by hand."""

    def __init__(self, monkeypatch, start: datetime.datetime):
        self.now = start.astimezone(UTC)  # as timezone.now() gives it
        monkeypatch.setattr("django.utils.timezone.now", lambda: self.now)

    def advance(self, delta: datetime.timedelta) -> datetime.datetime:
        self.now += delta
        return self.now

    def set(self, when: datetime.datetime) -> datetime.datetime:
        self.now = when.astimezone(UTC)
        return self.now


def cover(site, *, offering=Offering.POLY_PLUS_ENTERPRISE, categories=("video",), onsite=False,
          status=ContractStatus.ACTIVE, start=None, end=None, number=None):
    """An active contract of `site`'s customer covering `categories` (and the partner certified in them)."""
    today = timezone.localdate()
    for category in categories:
        if not site.partner.certifications.filter(category=category).exists():
            factories.CertificationFactory(partner=site.partner, category=category,
                                           certified_on=today - 400 * DAY, expires_on=today + 400 * DAY)
    extra = {"number": number} if number else {}
    contract = factories.ContractFactory(customer=site.customer, offering=offering, status=status,
                                         start_date=start or today - 200 * DAY, end_date=end or today + 165 * DAY,
                                         onsite_extension=onsite, **extra)
    for category in categories:
        factories.ContractLineFactory(contract=contract, category=category)
    return contract


def open_case(by, site, *, severity=2, category="video", subject="Codec reboots every hour",
              description="The room system restarts on its own during calls.", **kwargs) -> Case:
    return services.case_open(by=by, site=site, category=category, severity=severity, subject=subject,
                              description=description, **kwargs)


def upload(name: str, content: bytes) -> services.Upload:
    return services.Upload(name=name, file=io.BytesIO(content), size=len(content))


def set_status(case: Case, status: str, **fields) -> Case:
    """Put a case straight into a status (test set-up, not the state machine)."""
    Case.objects.filter(pk=case.pk).update(status=status, **fields)
    case.refresh_from_db()
    return case
