"""The portal's demo data.

Demo partner hosts that work on this machine: `<slug>.localhost` names resolve to the
loopback address in browsers, so under `make run` each demo partner's own host shows its brand
from the sign-in page on (http://nordic.localhost:8000/)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from ecps import services as ecps_services
from ecps.models import Escalation
from polyplus.portal import quotes, reports
from polyplus.portal.models import Quote, Report, ReportStatus
from polyplus.tenancy import services
from polyplus.tenancy.models import Customer, Partner, PartnerDomain, Role, User
from tickets import services as tickets_services
from tickets.models import Case, CaseStatus, CaseStatusChange

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


# Last month's cases of the Enterprise customer, for its monthly report: severity, category,
# subject, day and hour (site time), and when it was answered and resolved as a share of each
# target (above 1: late).
LAST_MONTH_CASES = (
    (1, "video", "Studio X70 reboots during calls", 4, 9, 0.5, 0.8),
    (2, "video", "Room camera loses auto-framing", 10, 14, 0.4, 0.7),
    (2, "headset", "Headsets drop from the charging base", 13, 11, 1.6, 1.2),
    (3, "voice", "Message light stays on after voicemail is read", 18, 10, 0.6, 0.5),
    (4, "headset", "Which Poly Lens policy sets the sidetone?", 22, 15, 0.3, 0.4),
)
LAST_MONTH_INCIDENT = "TM-2026-109512"


def seed_last_month(*, engineer: User, support: User, customer: Customer, today: datetime.date) -> int:
    """Cases opened and resolved last month at the customer's first site, in and out of their
    targets, one of them escalated to Microsoft Teams and fixed there, so the demo's monthly
    report has figures. Written as history: opened through the services, then their times set in
    last month. Returns how many records it made (0 when last month already has cases)."""
    month = reports.previous_month(today)
    site = customer.sites.order_by("site_id").first()
    if site is None:
        return 0
    zone = ZoneInfo(site.timezone)
    this_month = datetime.datetime.combine(reports.month_start(today), datetime.time(), tzinfo=zone)
    if Case.objects.filter(customer=customer, opened_at__lt=this_month).exists():
        return 0
    made = 0
    for severity, category, subject, day, hour, answered, resolved in LAST_MONTH_CASES:
        case = tickets_services.case_open(by=engineer, site=site, category=category, severity=severity,
                                          subject=subject, description=f"{subject}. Logged by the partner's engineer.")
        opened = datetime.datetime(month.year, month.month, day, hour, tzinfo=zone)
        if severity == 1:
            made += _escalated_to_teams(engineer=engineer, support=support, case=case, at=opened)
        _resolved_in_the_past(case, by=support, opened=opened, answered=answered, resolved=resolved)
        made += 1
    return made


def _resolved_in_the_past(case: Case, *, by: User, opened: datetime.datetime, answered: float,
                          resolved: float) -> None:
    response_target = case.first_response_due - case.opened_at
    resolution_target = case.resolution_due - case.opened_at
    answered_at, resolved_at = opened + response_target * answered, opened + resolution_target * resolved
    Case.objects.filter(pk=case.pk).update(
        status=CaseStatus.RESOLVED, opened_at=opened, first_response_due=opened + response_target,
        resolution_due=opened + resolution_target, first_response_at=answered_at, resolved_at=resolved_at,
        next_due_at=None, owner=by)
    CaseStatusChange.objects.bulk_create([
        CaseStatusChange(partner_id=case.partner_id, case=case, from_status=CaseStatus.NEW,
                         to_status=CaseStatus.IN_PROGRESS, by=by, at=answered_at),
        CaseStatusChange(partner_id=case.partner_id, case=case, from_status=CaseStatus.IN_PROGRESS,
                         to_status=CaseStatus.RESOLVED, by=by, at=resolved_at),
    ])


def _escalated_to_teams(*, engineer: User, support: User, case: Case, at: datetime.datetime) -> int:
    teams = ecps_services.provider_named("Microsoft Teams")
    escalation = ecps_services.escalation_request(
        by=engineer, case=case, provider=teams, now=at,
        problem="The room system drops out of Teams meetings and restarts; the Teams service logs a crash.")
    ecps_services.escalation_open_incident(by=support, escalation=escalation, now=at + datetime.timedelta(hours=1),
                                           provider_incident_number=LAST_MONTH_INCIDENT)
    ecps_services.escalation_resolve(by=support, escalation=escalation, resolution="Fixed by Microsoft's update.")
    Escalation.objects.filter(pk=escalation.pk).update(closed_at=at + datetime.timedelta(hours=3))
    return 1


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
