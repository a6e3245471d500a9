"""The portal's demo data.

Demo partner hosts that work on this machine: `<slug>.localhost` names resolve to the
loopback address in browsers, so under `make run` each demo partner's own host shows its brand
from the sign-in page on (http://nordic.localhost:8000/)."""

from __future__ import annotations

import datetime

from polyplus.portal import quotes, reports
from polyplus.portal.models import Quote, Report, ReportStatus
from polyplus.tenancy import services
from polyplus.tenancy.models import Partner, PartnerDomain, Role, User

DEMO_PORT = 8000


def seed_partner_hosts(*, by: User, slugs: list[str], out) -> int:
    """Give each demo partner the host `<slug>.localhost`; print them with who signs in there.
    Returns how many hosts it added (none on a second run)."""
    added = 0
    lines = []
    for partner in Partner.objects.filter(slug__in=slugs).select_related("brand").order_by("name"):
        host = f"{partner.slug}.localhost"
        if not PartnerDomain.objects.filter(host=host).exists():
            services.partner_domain_add(by=by, partner=partner, host=host)
            added += 1
        people = User.objects.filter(partner=partner).exclude(role=Role.PARTNER_ENGINEER).order_by("role", "email")
        who = ", ".join(f"{person.email} ({person.get_role_display().lower()})" for person in people)
        lines.append(f"  http://{host}:{DEMO_PORT}/  {partner.brand.display_name}: {who}")
    out.write("\nPartner hosts (each in its partner's brand; only its own people sign in there; "
              f"Poly staff use http://localhost:{DEMO_PORT}/):")
    for line in lines:
        out.write(line)
    return added


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
