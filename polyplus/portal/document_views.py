"""Pages for monthly CSM reports, quotes and the job runs (Poly admins)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from polyplus.portal import jobruns, reports, selectors
from polyplus.portal.forms import ReportRequestForm
from polyplus.portal.models import ReportStatus
from polyplus.portal.pdf import pdf_download
from polyplus.tenancy.models import Role
from polyplus.tenancy.scoping import get_or_404
from polyplus.tenancy.views import paginate, put_errors, roles_required
from polyplus.tenancy.web import text_param

PENDING = (ReportStatus.QUEUED, ReportStatus.RUNNING)


@roles_required(*selectors.DOCUMENT_READERS)
def report_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    can_request = user.role in selectors.REPORT_REQUESTERS
    form = None
    if can_request:
        form = ReportRequestForm(request.POST or None, contracts=selectors.reportable_contracts_for(user))
        if request.method == "POST" and form.is_valid():
            try:
                report = reports.report_request(contract=form.cleaned_data["contract"],
                                                month=form.cleaned_data["month"], by=user)
            except ValidationError as exc:
                put_errors(form, exc)
            else:
                if report.status == ReportStatus.DONE:
                    messages.info(request, f"The report of {report.month:%B %Y} is ready below.")
                else:
                    messages.success(request, f"The report of {report.month:%B %Y} is being made; "
                                              "it appears below when ready.")
                return redirect("portal:report_list")
    elif request.method == "POST":
        raise PermissionDenied("Only the customer's CSM or a Poly admin may ask for a report.")
    page, query_string = paginate(request, selectors.reports_visible_to(user))
    context = {"page_obj": page, "query_string": query_string, "form": form,
               "pending": any(report.status in PENDING for report in page.object_list)}
    template = "portal/reports/_table.html" if request.headers.get("HX-Request") else "portal/reports/list.html"
    return render(request, template, context)


@roles_required(*selectors.DOCUMENT_READERS)
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return pdf_download(selectors.report_get_for_user(user=request.user, pk=pk))


@roles_required(*selectors.DOCUMENT_READERS)
def quote_list(request: HttpRequest) -> HttpResponse:
    page, query_string = paginate(request, selectors.quotes_visible_to(request.user))
    return render(request, "portal/quotes/list.html", {"page_obj": page, "query_string": query_string})


@roles_required(*selectors.DOCUMENT_READERS)
def quote_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return pdf_download(selectors.quote_get_for_user(user=request.user, pk=pk))


@roles_required(Role.POLY_ADMIN)
def job_run_list(request: HttpRequest) -> HttpResponse:
    runs = jobruns.job_runs_visible_to(request.user)
    job = text_param(request, "job")
    if job in jobruns.TRACKED:
        runs = runs.filter(task_name=job)
    runs = runs.select_related("rerun_by").prefetch_related("reruns").order_by("-started_at", "-pk")
    page, query_string = paginate(request, runs)
    for run in page.object_list:
        run.label = jobruns.job_label(run.task_name)
        run.can_rerun = run.outcome in jobruns.RERUNNABLE and not run.reruns.all()
    return render(request, "portal/jobs/list.html", {
        "page_obj": page, "query_string": query_string, "job": job,
        "jobs": [(name, label) for name, (label, _) in jobruns.TRACKED.items()],
        "periodic": jobruns.latest_runs_per_job(request.user),
    })


@require_POST
@roles_required(Role.POLY_ADMIN)
def job_run_rerun(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_or_404(jobruns.job_runs_visible_to(request.user), pk=pk)
    try:
        jobruns.job_run_rerun(run=run, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{jobruns.job_label(run.task_name)} is running again.")
    return redirect("portal:job_run_list")


