"""The report's headset RMAs against the allowance and its ECPS incidents; the daily return reminder."""

from __future__ import annotations

import datetime

from django.utils import timezone

from polyplus.portal import reminders
from polyplus.portal.reports import render_report_pdf
from tests.portal.documents import last_month, pdf_text

UTC = datetime.UTC


def _month_at(day: int, hour: int = 9) -> datetime.datetime:
    month = last_month()
    return datetime.datetime(month.year, month.month, day, hour, tzinfo=UTC)


def test_the_report_counts_headset_rmas_against_the_five_percent_allowance(site_a, partner_a_engineer, poly_support,
                                                                           csm):
    from rma.models import Rma
    from tests import factories
    from tests.rma import approved, covered_world

    contract, product = covered_world(site_a, category="headset", committed=40,  # 5% of 40: 2 included
                                      start=datetime.date(2026, 1, 1), end=datetime.date(2027, 12, 31))
    factories.CsmAssignmentFactory(customer=site_a.customer, csm=csm)
    for day in (3, 4, 5):
        approved(partner_a_engineer, poly_support, site_a, product, at=_month_at(day), contract=contract)
    assert sorted(Rma.objects.values_list("billable", flat=True)) == [False, False, True]
    text = pdf_text(render_report_pdf(contract=contract, month=last_month())[0])
    row = next(line for line in text.splitlines() if line.startswith(f"{last_month().year} 40"))
    assert row.split() == [str(last_month().year), "40", "2", "3", "3", "1"]


def test_the_report_lists_the_months_ecps_incidents_with_the_providers_numbers(site_a, partner_a_engineer, csm):
    from ecps import services as ecps_services
    from ecps.models import Escalation
    from tests.portal.documents import enterprise_contract
    from tests.tickets import open_case

    contract = enterprise_contract(site_a, csm=csm)
    case = open_case(partner_a_engineer, site_a, subject="Teams calls drop")
    Escalation.objects.create(partner=site_a.partner, customer=site_a.customer, case=case,
                              provider=ecps_services.provider_named("Webex"), status="opened_with_provider",
                              problem="INTERNAL-PROBLEM-TEXT", provider_incident_number="WX-0047110",
                              requested_at=_month_at(7), opened_at=_month_at(7, 11))
    text = pdf_text(render_report_pdf(contract=contract, month=last_month())[0])
    assert "WX-0047110" in text and "Webex" in text and case.number in text
    assert "INTERNAL-PROBLEM-TEXT" not in text


def test_overdue_returns_not_marked_sent_are_reminded_once_a_day(site_a, partner_a_engineer, partner_a_admin,
                                                                 poly_support, monkeypatch):
    from polyplus.notifications.models import OutboundMail
    from tests.rma import covered_world, delivered
    from tests.tickets import Clock

    today = timezone.now().date()
    clock = Clock(monkeypatch, timezone.now() - datetime.timedelta(days=20))  # shipped and delivered back then
    _contract, product = covered_world(site_a, category="video")
    rma = delivered(partner_a_engineer, poly_support, site_a, product)  # delivered that day, due 10 days later
    clock.set(clock.now + datetime.timedelta(days=20))
    assert rma.return_due < today
    assert reminders.overdue_return_reminders_send_all(today=today) == 2  # the admin and the requester
    assert reminders.overdue_return_reminders_send_all(today=today) == 0  # once a day
    mails = list(OutboundMail.objects.filter(key__startswith="rma-return-reminder:").order_by("to"))
    assert [mail.to for mail in mails] == ["admin@nordic.example", "eng@nordic.example"]
    assert rma.number in mails[0].text and "overdue" in mails[0].subject
    assert reminders.overdue_return_reminders_send_all(today=today + datetime.timedelta(days=1)) == 2
    assert OutboundMail.objects.filter(key__startswith="rma-return-reminder:").count() == 4  # again the next day
