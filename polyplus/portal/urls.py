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
    path("status/", views.own_status_page, name="own_status"),
    path("status/<int:customer_id>/", views.customer_status_page, name="customer_status"),
    path("status/<int:customer_id>/share-links/", views.share_link_create, name="share_link_create"),
    path("status/share-links/<int:pk>/revoke/", views.share_link_revoke, name="share_link_revoke"),
    path("s/<str:key>/", views.shared_status_page, name="shared_status"),
    path("language/", views.choose_language, name="choose_language"),
    path("p/<str:code>/", views.partner_path_home, name="partner_path"),
    path("p/<str:code>/accounts/login/", views.partner_path_login, name="partner_path_login"),
    path("p/<str:code>/logo/", views.partner_path_logo, name="partner_path_logo"),
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
