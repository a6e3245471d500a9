from django.urls import path

from polyplus.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("account/time-zone/", views.own_time_zone, name="own_time_zone"),
    path("sites/search/", views.site_search, name="site_search"),
    path("sites/<str:site_id>/", views.site_detail, name="site_detail"),
    path("settings/policies/", views.policy_list, name="policy_list"),
    path("settings/policies/<str:key>/", views.policy_edit, name="policy_edit"),
]

from polyplus.portal import document_views  # noqa: E402 - the reports, quotes and job-run pages

urlpatterns += [
    path("reports/", document_views.report_list, name="report_list"),
    path("reports/<int:pk>/pdf/", document_views.report_pdf, name="report_pdf"),
    path("reports/quotes/", document_views.quote_list, name="quote_list"),
    path("reports/quotes/<int:pk>/pdf/", document_views.quote_pdf, name="quote_pdf"),
    path("jobs/", document_views.job_run_list, name="job_run_list"),
    path("jobs/<int:pk>/rerun/", document_views.job_run_rerun, name="job_run_rerun"),
]
