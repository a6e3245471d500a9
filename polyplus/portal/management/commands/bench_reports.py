"""Measure the monthly reports: a ten-page report's render time (warm), and N contracts' reports
made by two worker processes from the schedule's task to the last mail sent.

    .venv/bin/python -m polyplus.devstack manage bench_reports                 # both, 1,000 contracts
    .venv/bin/python -m polyplus.devstack manage bench_reports --render-only
    .venv/bin/python -m polyplus.devstack manage bench_reports --contracts 200

Runs on the development database (bench contracts under a partner of their own, made once and
kept), with mail to Django's dummy backend. Stop `make run`'s worker first: the bench's workers
take the default queue.
"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from types import SimpleNamespace

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from contracts.models import Contract, ContractLine, ContractStatus, Offering
from ecps.models import EscalationStatus
from polyplus.notifications.models import OutboundMail
from polyplus.portal import reports, sections
from polyplus.portal.models import Report, ReportStatus
from polyplus.portal.pdf import render_pdf
from polyplus.tenancy.context import staff_context
from polyplus.tenancy.models import CsmAssignment, Customer, Partner, PartnerBrand, Role, Site, User

SLUG = "bench-reports"
PROVIDERS = ["Microsoft Teams", "Zoom", "Google Meet"]
STATUSES = list(EscalationStatus)
TEN_PAGES_OF_INCIDENTS = 284  # with the rest of the report, ten full A4 pages


def bench_incident(contract: Contract, month: datetime.date, n: int) -> SimpleNamespace:
    """An ECPS incident as the report reads it, without the rows behind it."""
    status = STATUSES[n % len(STATUSES)]
    requested = timezone.make_aware(datetime.datetime.combine(month, datetime.time(9)), datetime.UTC)
    return SimpleNamespace(
        case=SimpleNamespace(number=f"{contract.partner.code}-{n:06d}"),
        provider=SimpleNamespace(name=PROVIDERS[n % len(PROVIDERS)]), provider_incident_number=f"INC{n:08d}",
        get_status_display=lambda: status.label, requested_at=requested,
        closed_at=requested + datetime.timedelta(days=2) if n % 3 else None)


class Command(BaseCommand):
    help = "Time a ten-page report's rendering, and N contracts' monthly reports on two worker processes."

    def add_arguments(self, parser):
        parser.add_argument("--contracts", type=int, default=1000)
        parser.add_argument("--render-only", action="store_true")
        parser.add_argument("--renders", type=int, default=5)

    def handle(self, *args, **options):
        month = reports.previous_month(timezone.now().date())
        with staff_context(reason="bench: reports"):
            contracts = self.world(options["contracts"], month)
        self.render_ten_pages(contracts[0], month, options["renders"])
        if not options["render_only"]:
            self.many_reports(contracts, month)

    # ---- the world ----------------------------------------------------------------------------

    def world(self, count: int, month: datetime.date) -> list[Contract]:
        partner, _ = Partner.objects.get_or_create(slug=SLUG, defaults={"name": "Bench Reports AB", "code": "BENCHREP"})
        PartnerBrand.objects.get_or_create(partner=partner, defaults={"display_name": "Bench Support+"})
        poly_admin = User.objects.filter(role=Role.POLY_ADMIN).order_by("pk").first() or User.objects.create_user(
            "bench-admin@poly.example", None, role=Role.POLY_ADMIN)
        csm = User.objects.filter(email="bench-csm@poly.example").first() or User.objects.create_user(
            "bench-csm@poly.example", None, role=Role.CSM)
        if not User.objects.filter(email="admin@bench-reports.example").exists():
            User.objects.create_user("admin@bench-reports.example", None, role=Role.PARTNER_ADMIN, partner=partner)
        existing = Contract.objects.filter(partner=partner).count()
        start = month - datetime.timedelta(days=120)
        for n in range(existing, count):
            customer = Customer.objects.create(partner=partner, name=f"Bench customer {n:04d}",
                                               master_account_id=f"BENCH-{n:06d}")
            Site.objects.create(partner=partner, customer=customer, site_id=f"BENCH-{n:06d}", name="HQ",
                                country="SE", timezone="Europe/Stockholm", address="Bench")
            CsmAssignment.objects.create(partner=partner, customer=customer, csm=csm)
            contract = Contract.objects.create(
                partner=partner, customer=customer, number=f"BENCHREP-C-{n:04d}",
                offering=Offering.POLY_PLUS_ENTERPRISE,
                start_date=start, end_date=start + datetime.timedelta(days=364), status=ContractStatus.ACTIVE,
                currency="SEK", csm_hour_blocks=1, created_by=poly_admin)
            for category, committed in (("headset", 200), ("video", 57)):
                ContractLine.objects.create(partner=partner, contract=contract, category=category, installed=committed,
                                            growth=0, committed=committed, annual_unit_price=Decimal("30.00"))
        return list(Contract.objects.filter(partner=partner).order_by("pk")[:count])

    # ---- a ten-page report, warm ------------------------------------------------------------------

    def render_ten_pages(self, contract: Contract, month: datetime.date, renders: int) -> None:
        with staff_context(reason="bench: render"):
            content = reports.report_content(contract=contract, month=month)
            padding = sections.ecps_section(contract=contract, month=month)  # the one list that runs to pages
            padding.notes = []
            padding.rows = [sections.ecps_incident_row(bench_incident(contract, month, n))
                            for n in range(TEN_PAGES_OF_INCIDENTS)]
            content.sections = [padding if section.key == "ecps" else section for section in content.sections]
            context = {"report": content, "brand": content.brand}
            _pdf, pages = render_pdf("portal/pdf/report.html", context)  # warm-up: fonts, templates, CSS
            timings = []
            for _ in range(renders):
                started = time.perf_counter()
                _pdf, pages = render_pdf("portal/pdf/report.html", context)
                timings.append(time.perf_counter() - started)
        self.stdout.write(f"Render, {pages} pages, warm: median {statistics.median(timings):.3f} s, "
                          f"best {min(timings):.3f} s, worst {max(timings):.3f} s over {renders} renders")

    # ---- N reports, two worker processes ----------------------------------------------------------

    def many_reports(self, contracts: list[Contract], month: datetime.date) -> None:
        ids = [contract.pk for contract in contracts]
        with staff_context(reason="bench: clear"):
            old = list(Report.objects.filter(contract_id__in=ids, month=month).values_list("pk", flat=True))
            OutboundMail.objects.filter(key__in=[f"csm-report:{pk}:{user}" for pk in old
                                                 for user in User.objects.filter(
                                                     email__in=["bench-csm@poly.example",
                                                                "admin@bench-reports.example"])
                                                 .values_list("pk", flat=True)]).delete()
            Report.objects.filter(pk__in=old).delete()
        connection.close()
        env = {**os.environ, "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
        worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "polyplus", "worker", "--concurrency", "2",
                                   "--loglevel", "WARNING", "--without-mingle", "--without-gossip"], env=env)
        try:
            time.sleep(8)  # the worker starts
            started = time.perf_counter()
            from polyplus.portal.tasks import make_monthly_reports

            make_monthly_reports.delay(month.isoformat())
            total = len(ids)
            while True:
                with staff_context(reason="bench: progress"):
                    done = Report.objects.filter(contract_id__in=ids, month=month, status=ReportStatus.DONE).count()
                    sent = OutboundMail.objects.filter(key__startswith="csm-report:", sent_at__isnull=False,
                                                       partner__slug=SLUG).count()
                elapsed = time.perf_counter() - started
                self.stdout.write(f"\r{elapsed:6.0f} s: {done}/{total} reports, {sent}/{2 * total} mails", ending="")
                self.stdout.flush()
                if done >= total and sent >= 2 * total:
                    break
                if elapsed > 3600:
                    break
                time.sleep(5)
            self.stdout.write(f"\n{total} contracts' reports made and mailed by 2 worker processes in "
                              f"{elapsed:.0f} s ({elapsed / total:.2f} s a report)")
        finally:
            worker.terminate()
            worker.wait(timeout=60)
