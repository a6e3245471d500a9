"""The reports, quotes and job-run pages: who sees what, asking for a report, running a failed job again."""

from __future__ import annotations

import pytest

from polyplus.portal.models import JobOutcome, JobRun, Report
from tests.portal.documents import enterprise_contract, last_month
from tests.portal.test_api_documents import stored_quote, stored_report


@pytest.fixture
def contract_a(site_a, csm):
    return enterprise_contract(site_a, csm=csm)


def test_the_csm_sees_the_reports_with_downloads_and_a_form_to_ask_for_one(client_for, csm, contract_a):
    report = stored_report(contract_a, last_month())
    page = client_for(csm).get("/reports/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f"/reports/{report.pk}/pdf/" in html and "Make the report" in html
    assert "NORDIC-C-0007" in html and "(2 pages)" in html


def test_the_csm_asks_for_a_report_on_the_page_and_sees_it_queued(client_for, csm, contract_a,
                                                                  django_capture_on_commit_callbacks):
    client = client_for(csm)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post("/reports/", {"contract": contract_a.pk, "month": f"{last_month():%Y-%m}"})
    assert response.status_code == 302
    assert len(callbacks) == 1
    page = client.get("/reports/").content.decode()
    assert "Queued…" in page and 'hx-trigger="every 3s"' in page  # the page follows its progress
    assert Report.objects.get().requested_by == csm


def test_a_month_that_has_not_ended_is_refused_next_to_the_field(client_for, csm, contract_a):
    import datetime

    response = client_for(csm).post("/reports/", {"contract": contract_a.pk,
                                                  "month": f"{datetime.date.today():%Y-%m}"})
    assert response.status_code == 200
    assert "this month has not ended" in response.content.decode()
    assert not Report.objects.exists()


def test_the_partners_admin_downloads_but_does_not_ask(client_for, partner_a_admin, contract_a):
    report = stored_report(contract_a, last_month())
    client = client_for(partner_a_admin)
    html = client.get("/reports/").content.decode()
    assert "Make the report" not in html
    download = client.get(f"/reports/{report.pk}/pdf/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert client.post("/reports/", {"contract": contract_a.pk, "month": f"{last_month():%Y-%m}"}).status_code == 403


@pytest.mark.parametrize("outsider", ["partner_b_admin", "partner_a_engineer", "customer_viewer"])
def test_nobody_else_downloads_a_report_or_quote(outsider, request, client_for, contract_a, partner_b):
    report = stored_report(contract_a, last_month())
    quote = stored_quote(contract_a)
    client = client_for(request.getfixturevalue(outsider))
    for path in (f"/reports/{report.pk}/pdf/", f"/reports/quotes/{quote.pk}/pdf/"):
        assert client.get(path).status_code in (403, 404)
    if outsider == "partner_b_admin":
        assert client.get(f"/reports/{report.pk}/pdf/").status_code == 404
        assert "NORDIC" not in client.get("/reports/").content.decode()


def test_the_quotes_page_lists_numbered_quotes_with_amounts(client_for, partner_a_admin, contract_a):
    stored_quote(contract_a)
    html = client_for(partner_a_admin).get("/reports/quotes/").content.decode()
    assert "NORDIC-Q-00001" in html and "1234.56 SEK" in html


def test_the_job_runs_page_is_for_poly_admins(client_for, poly_admin, csm, partner_a_admin):
    JobRun.objects.create(task_name="polyplus.portal.tasks.make_monthly_reports", task_id="t-1",
                          outcome=JobOutcome.FAILED, error="OperationalError: the database went away")
    page = client_for(poly_admin).get("/jobs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Monthly CSM reports" in html and "the database went away" in html and "Run again" in html
    assert client_for(csm).get("/jobs/").status_code == 403
    assert client_for(partner_a_admin).get("/jobs/").status_code == 403


def test_a_failed_run_is_run_again_once(client_for, poly_admin, django_capture_on_commit_callbacks):
    failed = JobRun.objects.create(task_name="polyplus.portal.tasks.make_due_quotes", task_id="t-2",
                                   args=["2026-11-30"], outcome=JobOutcome.FAILED, error="boom")
    client = client_for(poly_admin)
    with django_capture_on_commit_callbacks() as callbacks:
        assert client.post(f"/jobs/{failed.pk}/rerun/").status_code == 302
    assert len(callbacks) == 1
    rerun = JobRun.objects.get(rerun_of=failed)
    assert (rerun.outcome, rerun.args, rerun.rerun_by) == (JobOutcome.QUEUED, ["2026-11-30"], poly_admin)
    client.post(f"/jobs/{failed.pk}/rerun/")  # a second press: refused, nothing queued
    assert JobRun.objects.filter(rerun_of=failed).count() == 1
    assert "already been run again" in client.get("/jobs/").content.decode()


def test_a_run_that_succeeded_cannot_be_run_again(client_for, poly_admin):
    done = JobRun.objects.create(task_name="polyplus.portal.tasks.make_due_quotes", task_id="t-3",
                                 outcome=JobOutcome.SUCCEEDED)
    client_for(poly_admin).post(f"/jobs/{done.pk}/rerun/")
    assert not JobRun.objects.filter(rerun_of=done).exists()


def test_the_job_runs_list_takes_the_same_queries_for_3_and_30_runs(client_for, poly_admin):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(poly_admin)
    counts = []
    for total in (3, 30):
        while JobRun.objects.count() < total:
            JobRun.objects.create(task_name="polyplus.portal.tasks.make_report", task_id=f"r{JobRun.objects.count()}",
                                  outcome=JobOutcome.FAILED, rerun_by=poly_admin)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/jobs/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_csms_dashboard_lists_the_latest_reports_with_their_downloads(client_for, csm, contract_a):
    report = stored_report(contract_a, last_month())
    html = client_for(csm).get("/dashboard/").content.decode()
    assert "Latest monthly reports" in html and f"/reports/{report.pk}/pdf/" in html
