"""reports/ and quotes/: who reads which, asking for a report, bad input, isolation, query counts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from polyplus.portal.models import Quote, QuoteKind, QuoteStatus, Report, ReportStatus
from tests import factories, isolation
from tests.portal.documents import enterprise_contract, last_month

PDF = b"%PDF-1.7\n% a stored report\n"


def stored_report(contract, month, *, status=ReportStatus.DONE) -> Report:
    report = Report(partner=contract.partner, contract=contract, month=month, status=status, pages=2)
    if status == ReportStatus.DONE:
        report.pdf.save(report.filename, ContentFile(PDF), save=False)
    report.save()
    return report


def stored_quote(contract, *, category="headset", number="NORDIC-Q-00001") -> Quote:
    quote = Quote(partner=contract.partner, contract=contract, kind=QuoteKind.TRUE_UP, category=category,
                  source_id=1, number=number, amount=Decimal("1234.56"), currency="SEK", status=QuoteStatus.DONE)
    quote.pdf.save(quote.filename, ContentFile(PDF), save=False)
    quote.save()
    return quote


@pytest.fixture
def contract_a(site_a, csm):
    return enterprise_contract(site_a, csm=csm)


@pytest.fixture
def report_a(contract_a):
    return stored_report(contract_a, last_month())


@pytest.fixture
def quote_a(contract_a):
    return stored_quote(contract_a)


@pytest.mark.parametrize("reader", ["csm", "partner_a_admin", "poly_admin"])
def test_the_csm_the_partners_admins_and_poly_admins_read_reports_and_download_them(
        reader, request, api_for, report_a):
    client = api_for(request.getfixturevalue(reader))
    listed = client.get("/api/v1/reports/").json()["results"]
    assert [(row["id"], row["month"], row["status"]) for row in listed] == \
        [(report_a.pk, report_a.month.isoformat(), "done")]
    assert listed[0]["pdf"].endswith(f"/api/v1/reports/{report_a.pk}/pdf/")
    response = client.get(f"/api/v1/reports/{report_a.pk}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("reader", ["partner_a_engineer", "customer_viewer", "poly_support"])
def test_others_of_the_same_partner_or_poly_see_no_reports(reader, request, api_for, report_a, quote_a):
    client = api_for(request.getfixturevalue(reader))
    assert client.get("/api/v1/reports/").json()["results"] == []
    assert client.get(f"/api/v1/reports/{report_a.pk}/").status_code == 404
    assert client.get(f"/api/v1/quotes/{quote_a.pk}/pdf/").status_code == 404


@pytest.fixture(params=isolation.OUTSIDERS)
def outsider(request, partner_a, customer_b):
    return isolation.make_outsider(request, partner_a=partner_a, customer_b=customer_b)


def test_another_partner_or_csm_gets_404_for_each_report_and_quote_path(outsider, api_for, report_a, quote_a):
    client = api_for(outsider)
    for path in (f"/api/v1/reports/{report_a.pk}/", f"/api/v1/reports/{report_a.pk}/pdf/",
                 f"/api/v1/quotes/{quote_a.pk}/", f"/api/v1/quotes/{quote_a.pk}/pdf/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert b"Volvo" not in response.content and b"NORDIC" not in response.content
    assert client.get("/api/v1/reports/").json()["results"] == []
    assert client.get("/api/v1/quotes/").json()["results"] == []


def test_a_csm_asks_for_a_past_months_report_once(api_for, csm, contract_a, django_capture_on_commit_callbacks):
    client = api_for(csm)
    month = last_month()
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post("/api/v1/reports/", {"contract": contract_a.pk, "month": f"{month:%Y-%m}"})
    assert first.status_code == 202, first.json()
    assert first.json()["status"] == "queued" and first.json()["pdf"] is None
    assert first.json()["month"] == month.isoformat()
    assert len(callbacks) == 1  # the task, enqueued when the request commits
    again = client.post("/api/v1/reports/", {"contract": contract_a.pk, "month": month.isoformat()})
    assert again.json()["id"] == first.json()["id"]
    assert Report.objects.filter(contract=contract_a).count() == 1


def test_asking_for_a_report_that_is_ready_answers_it(api_for, poly_admin, report_a, contract_a):
    response = api_for(poly_admin).post("/api/v1/reports/", {"contract": contract_a.pk,
                                                              "month": report_a.month.isoformat()})
    assert response.status_code == 200 and response.json()["id"] == report_a.pk


@pytest.mark.parametrize(("body", "field", "message"), [
    ({"month": "2026-13"}, "month", "Give a month as YYYY-MM"),
    ({"month": "October"}, "month", "Give a month as YYYY-MM"),
    ({"month": "2026-10-15"}, "month", "Give a month as YYYY-MM"),
    ({"month": 202610}, "month", "Give a month as YYYY-MM"),
    ({"month": "this"}, "month", "this month has not ended"),
    ({"month": "next"}, "month", "this month has not ended"),
    ({"month": "before-term"}, "month", "does not include that month"),
    ({"contract": "１"}, "contract", "does not exist"),
    ({"contract": 999999999}, "contract", "does not exist"),
    ({"contract": None}, "contract", "may not be null"),
])
def test_a_bad_report_request_is_a_400_naming_the_field_and_writes_nothing(api_for, csm, contract_a, body, field,
                                                                           message):
    today = datetime.date.today()
    named = {"this": f"{today:%Y-%m}", "next": f"{today.replace(day=28) + datetime.timedelta(days=5):%Y-%m}",
             "before-term": f"{contract_a.start_date - datetime.timedelta(days=40):%Y-%m}"}
    data = {"contract": contract_a.pk, "month": f"{last_month():%Y-%m}", **body}
    if isinstance(data["month"], str) and data["month"] in named:
        data["month"] = named[data["month"]]
    response = api_for(csm).post("/api/v1/reports/", data, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not Report.objects.exists()


def test_a_csm_cannot_ask_for_another_customers_report_and_is_not_told_whose(api_for, customer_b, contract_a):
    other_csm = factories.CsmAssignmentFactory(customer=customer_b).csm
    response = api_for(other_csm).post("/api/v1/reports/", {"contract": contract_a.pk,
                                                             "month": f"{last_month():%Y-%m}"})
    assert response.status_code == 400 and "does not exist" in response.json()["contract"][0]
    assert b"Volvo" not in response.content
    assert not Report.objects.exists()


@pytest.mark.parametrize("asker", ["partner_a_admin", "partner_a_engineer", "poly_support", "customer_viewer"])
def test_only_the_csm_or_a_poly_admin_asks_for_a_report(asker, request, api_for, contract_a):
    response = api_for(request.getfixturevalue(asker)).post(
        "/api/v1/reports/", {"contract": contract_a.pk, "month": f"{last_month():%Y-%m}"})
    assert response.status_code == 403
    assert not Report.objects.exists()


def test_a_csm_of_a_non_enterprise_contract_is_refused_by_name(api_for, site_a, csm):
    contract = enterprise_contract(site_a, csm=csm)
    contract.offering = "poly_plus"
    contract.csm_hour_blocks = 0
    contract.save()
    response = api_for(csm).post("/api/v1/reports/", {"contract": contract.pk, "month": f"{last_month():%Y-%m}"})
    assert response.status_code == 400


def test_quotes_show_the_amount_as_a_decimal_string_with_its_currency(api_for, partner_a_admin, quote_a):
    row = api_for(partner_a_admin).get("/api/v1/quotes/").json()["results"][0]
    assert (row["number"], row["kind"], row["category"], row["amount"], row["currency"]) == \
        ("NORDIC-Q-00001", "true_up", "headset", "1234.56", "SEK")
    assert row["pdf"].endswith(f"/api/v1/quotes/{quote_a.pk}/pdf/")


def _count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/api/v1/reports/", "/api/v1/quotes/"])
def test_document_lists_take_the_same_queries_for_3_and_30_rows(path, api_for, partner_a_admin, site_a, csm):
    client = api_for(partner_a_admin)
    counts = []
    for total in (3, 30):
        while Report.objects.count() < total:
            n = Report.objects.count()
            contract = enterprise_contract(site_a, number=f"NORDIC-C-{n:04d}")
            stored_report(contract, last_month())
            stored_quote(contract, number=f"NORDIC-Q-{n:05d}")
        counts.append(_count_queries(client, path))
    assert counts[0] == counts[1] <= 12
