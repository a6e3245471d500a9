"""The monthly report's PDF, read back with pypdf: the figures, the brand, the chart, nothing internal."""

from __future__ import annotations

import datetime
import gc
import logging
from decimal import Decimal

import pytest

from installbase.services import csm_hours_log
from polyplus.portal.reports import render_report_pdf
from polyplus.tenancy.models import PartnerBrand
from tests.portal.documents import H, case_in_month, enterprise_contract, last_month, pdf_text
from tickets.services import case_comment_add


def _report_text(contract, month) -> str:
    pdf, pages = render_report_pdf(contract=contract, month=month)
    assert pdf.startswith(b"%PDF") and pages >= 1
    return pdf_text(pdf)


def test_the_report_shows_committed_and_baseline_per_category_to_the_cent(site_a, csm):
    contract = enterprise_contract(site_a, csm=csm)
    text = _report_text(contract, last_month())
    assert "Headsets and personal devices" in text and "Video" in text
    assert "200" in text and "210.00" in text  # Q and B = Q × 1.05 of the headsets
    assert "57" in text and "59.85" in text  # Q and B of the video line
    assert "NORDIC-C-0007" in text and "Volvo Cars Göteborg" in text


def test_the_report_is_under_the_partners_brand_and_has_the_chart(site_a, partner_a, csm):
    PartnerBrand.objects.filter(partner=partner_a).update(display_name="Nordic Support+",
                                                          support_email="help@nordic.example")
    contract = enterprise_contract(site_a, csm=csm)
    text = _report_text(contract, last_month())
    assert "Nordic Support+" in text
    assert "help@nordic.example" in text
    assert "Headsets and personal devices: devices against Q and B" in text  # the chart's own title
    assert "Baseline B" in text and "Committed Q" in text  # its legend


def test_the_report_counts_cases_and_sla_attainment_by_severity(site_a, partner_a_engineer, poly_support, csm):
    contract = enterprise_contract(site_a, csm=csm)
    month = last_month()
    # Severity 2: two answered in time, one late; one resolved in time, one late, one open past its target.
    case_in_month(partner_a_engineer, site_a, month, day=3, severity=2, response_after=H / 2, resolved_after=4 * H)
    case_in_month(partner_a_engineer, site_a, month, day=4, severity=2, response_after=H / 4, resolved_after=9 * H)
    case_in_month(partner_a_engineer, site_a, month, day=5, severity=2, response_after=2 * H, resolved_after=None)
    # Severity 1: answered in time, still open past its resolution target at the month's end.
    internal = case_in_month(partner_a_engineer, site_a, month, day=6, severity=1, response_after=H / 2,
                             resolved_after=None)
    case_comment_add(by=poly_support, case=internal, body="INTERNAL-ONLY: partner owes us money", internal=True)
    # Opened the month before: not counted.
    case_in_month(partner_a_engineer, site_a, month - datetime.timedelta(days=20), day=1, severity=2,
                  response_after=H / 2, resolved_after=H)
    text = _report_text(contract, month)
    lines = text.splitlines()
    severity_2 = next(line for line in lines if line.startswith("2 · Major impact"))
    assert severity_2.split()[4:] == ["3", "2", "66.7%", "(2", "of", "3)", "33.3%", "(1", "of", "3)"]
    severity_1 = next(line for line in lines if line.startswith("1 · Down"))
    assert severity_1.split()[3:] == ["1", "0", "100.0%", "(1", "of", "1)", "0.0%", "(0", "of", "1)"]
    total = next(line for line in lines if line.startswith("All "))
    assert total.split()[1:] == ["4", "2", "75.0%", "(3", "of", "4)", "25.0%", "(1", "of", "4)"]
    assert "INTERNAL-ONLY" not in text
    assert "Case of day" not in text  # no case subjects at all


def test_the_report_keeps_poly_only_flags_out(site_a, partner_a, csm):
    contract = enterprise_contract(site_a, csm=csm)
    partner_a.certifications.update(expires_on=datetime.date(2026, 1, 1))  # lapsed: Poly support's flag
    text = _report_text(contract, last_month()).lower()
    assert "lapsed" not in text and "certif" not in text and "internal" not in text


def test_the_csm_hours_bought_and_used_are_shown(site_a, csm):
    contract = enterprise_contract(site_a, csm=csm)
    month = last_month()
    csm_hours_log(by=csm, contract=contract, day=month + datetime.timedelta(days=2), hours=Decimal("5.5"))
    csm_hours_log(by=csm, contract=contract, day=month - datetime.timedelta(days=3), hours=Decimal("2"))
    text = _report_text(contract, month)
    line = next(line for line in text.splitlines() if line.startswith("2 16"))
    assert line.split()[:3] == ["2", "16", "5.50"]  # two blocks, 16 hours a month, 5.5 used (not the 2 before)
    assert "34.4% of the month's hours used" in text
    assert "hour log is pending" not in text


def test_rendering_leaves_the_cycle_collector_on_even_when_the_render_fails(site_a, csm, monkeypatch):
    contract = enterprise_contract(site_a, csm=csm)
    _report_text(contract, last_month())
    assert gc.isenabled()

    def fails(*args, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr("weasyprint.HTML.render", fails)
    with pytest.raises(RuntimeError):
        render_report_pdf(contract=contract, month=last_month())
    assert gc.isenabled()


def test_a_caller_that_turned_the_cycle_collector_off_finds_it_off_after_a_render(site_a, csm):
    contract = enterprise_contract(site_a, csm=csm)
    gc.disable()
    try:
        _report_text(contract, last_month())
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_weasyprint_and_fonttools_log_no_steps(site_a, csm, caplog):
    contract = enterprise_contract(site_a, csm=csm)
    with caplog.at_level(logging.DEBUG):
        _report_text(contract, last_month())
    steps = [record for record in caplog.records
             if record.name.startswith(("weasyprint", "fontTools")) and record.levelno < logging.WARNING]
    assert not steps
