from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/queue/", views.case_queue, name="case_queue"),
    path("cases/escalations/", views.escalations, name="escalations"),
    path("cases/follow-severity-1/", views.severity_one_follow, name="severity_one_follow"),
    path("cases/new/", views.case_open, name="case_open"),
    path("cases/new/sites/", views.site_picker, name="site_picker"),
    path("cases/sla-targets/", views.sla_targets, name="sla_targets"),
    path("cases/sla-targets/<int:pk>/", views.sla_target_edit, name="sla_target_edit"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/reply/", views.case_reply, name="case_reply"),
    path("cases/<int:pk>/note/", views.case_note, name="case_note"),
    path("cases/<int:pk>/status/", views.case_status, name="case_status"),
    path("cases/<int:pk>/escalate/", views.case_escalate, name="case_escalate"),
    path("cases/<int:pk>/onsite/", views.case_onsite, name="case_onsite"),
    path("cases/<int:pk>/owner/", views.case_assign, name="case_assign"),
    path("cases/<int:pk>/follow/", views.case_follow, name="case_follow"),
    path("cases/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment_download"),
]
