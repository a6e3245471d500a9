"""Helpers for the ECPS tests: providers from the seeded list, agreements, authorisations, real PDFs."""

from __future__ import annotations

import datetime
import io

from pypdf import PdfWriter

from ecps import services
from ecps.models import CloudAgreement, CloudProvider, Escalation
from tests.tickets import open_case

DAY = datetime.timedelta(days=1)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = pdf_bytes()
FAKE_PDF = b"%PDF-1.7\nthis is not really a pdf at all\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def teams() -> CloudProvider:
    """Needs the customer's signed authorisation (the starting list; made again after a flush)."""
    return services.provider_named("Microsoft Teams")


def webex() -> CloudProvider:
    """Needs no authorisation (the starting list)."""
    return services.provider_named("Webex")


def today_at(site) -> datetime.date:
    return services.site_today_for_site(site)


def agreement(customer, provider, *, valid_until: datetime.date, reference="EA-1001") -> CloudAgreement:
    return CloudAgreement.objects.create(partner_id=customer.partner_id, customer=customer, provider=provider,
                                         reference=reference, valid_until=valid_until)


def authorise(by, customer, provider, *, signed_on: datetime.date, valid_until: datetime.date, content=PDF,
              name="authorisation.pdf"):
    return services.authorisation_upload(by=by, customer=customer, provider=provider, name=name,
                                         file=io.BytesIO(content), size=len(content), signed_on=signed_on,
                                         valid_until=valid_until)


def ready_customer(by, site, provider):
    """A customer with a current agreement and (where needed) authorisation for `provider`."""
    today = today_at(site)
    agreement(site.customer, provider, valid_until=today + 300 * DAY)
    if provider.requires_authorisation:
        authorise(by, site.customer, provider, signed_on=today - 10 * DAY, valid_until=today + 300 * DAY)


def escalate(by, site, provider, *, problem="Calls drop after 60 minutes in the Teams tenant.", case=None,
             **kwargs) -> Escalation:
    case = case or open_case(by, site)
    return services.escalation_request(by=by, case=case, provider=provider, problem=problem, **kwargs)
