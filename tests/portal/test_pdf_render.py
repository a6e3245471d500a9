"""How the PDF documents are drawn: their own user-agent sheet covers every element they use, and a
list that runs to pages keeps its columns readable and its header on every page."""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from types import SimpleNamespace

from polyplus.portal import reports, sections
from polyplus.portal.charts import Series, line_chart_svg
from polyplus.portal.pdf import USER_AGENT_STYLESHEET, render_pdf
from tests.portal.documents import enterprise_contract, last_month, pdf_text

PDF_TEMPLATES = Path(reports.__file__).parent / "templates" / "portal" / "pdf"


def _element_names(markup: str) -> set[str]:
    return {name.lower() for name in re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", markup)}


def _user_agent_selectors() -> set[str]:
    css = re.sub(r"/\*.*?\*/", "", USER_AGENT_STYLESHEET.read_text(), flags=re.S)
    css = re.sub(r"@page\s*{.*}", "", css, flags=re.S)  # the page rules name margin boxes, not elements
    selectors = re.findall(r"([^{}]+){", css)
    return {re.split(r"[:\s]", part.strip())[0] for group in selectors for part in group.split(",")}


def test_every_element_the_documents_use_has_a_user_agent_rule():
    used = set().union(*(_element_names(path.read_text()) for path in PDF_TEMPLATES.glob("*.html")))
    chart = line_chart_svg(title="t", months=[last_month()], series=[Series("C", [1], "#000", False)])
    used.add(next(iter(_element_names(chart[:5]))))  # the chart's root; WeasyPrint draws its inside itself
    assert {"table", "td", "svg", "h1"} <= used
    assert used - _user_agent_selectors() == set()


def _report_with_incidents(contract, rows: list[list[str]]) -> tuple[str, int]:
    content = reports.report_content(contract=contract, month=last_month())
    incidents = sections.ecps_section(contract=contract, month=last_month())
    incidents.notes, incidents.rows = [], rows
    content.sections = [incidents if section.key == "ecps" else section for section in content.sections]
    pdf, pages = render_pdf("portal/pdf/report.html", {"report": content, "brand": content.brand})
    return pdf_text(pdf), pages


def _incident(n: int) -> SimpleNamespace:
    requested = datetime.datetime(2026, 11, 3, 9, tzinfo=datetime.UTC)
    return SimpleNamespace(case=SimpleNamespace(number=f"ZETAHELP-{n:06d}"),  # the longest code: eight capitals
                           provider=SimpleNamespace(name="Microsoft Teams"), provider_incident_number=f"INC{n:08d}",
                           get_status_display=lambda: "Awaiting authorisation", requested_at=requested,
                           closed_at=requested + datetime.timedelta(days=2) if n % 2 else None)


def test_a_long_incident_list_keeps_every_case_number_whole_and_its_header_on_each_page(site_a, csm, caplog):
    contract = enterprise_contract(site_a, csm=csm)
    text, pages = _report_with_incidents(contract, [sections.ecps_incident_row(_incident(n)) for n in range(120)])
    assert pages >= 4
    lines = text.splitlines()
    for n in (0, 57, 119):  # each case number whole on its row's first line, nothing broken or overlapping
        assert any(line.startswith(f"ZETAHELP-{n:06d} Microsoft Teams") for line in lines)
    assert "2026-11-03 – 2026-11-05" in text and "2026-11-03 – open" in text
    assert text.count("Cloud provider and") >= pages - 1  # the list's header repeats on each page it runs onto
    assert not [record for record in caplog.records if record.name.startswith("weasyprint")]
