from django.urls import path

from ecps import views

app_name = "ecps"

urlpatterns = [
    path("ecps/", views.escalation_list, name="escalation_list"),
    path("ecps/providers/", views.provider_list, name="provider_list"),
    path("ecps/from-case/<int:case_pk>/", views.escalation_new, name="escalation_new"),
    path("ecps/customers/<int:customer_pk>/", views.customer_preconditions, name="customer_preconditions"),
    path("ecps/customers/<int:customer_pk>/agreements/", views.agreement_add, name="agreement_add"),
    path("ecps/customers/<int:customer_pk>/authorisations/", views.authorisation_add, name="authorisation_add"),
    path("ecps/authorisations/<int:pk>/", views.authorisation_download, name="authorisation_download"),
    path("ecps/<int:pk>/", views.escalation_detail, name="escalation_detail"),
    path("ecps/<int:pk>/open-incident/", views.escalation_open_incident, name="open_incident"),
    path("ecps/<int:pk>/update/", views.escalation_update, name="add_update"),
    path("ecps/<int:pk>/internal-update/", views.escalation_internal_update, name="add_internal_update"),
    path("ecps/<int:pk>/refer/", views.escalation_refer, name="refer"),
    path("ecps/<int:pk>/resolve/", views.escalation_resolve, name="resolve"),
    path("ecps/<int:pk>/cancel/", views.escalation_cancel, name="cancel"),
    path("ecps/<int:pk>/joint-call/", views.escalation_request_call, name="request_joint_call"),
    path("ecps/<int:pk>/joint-call/schedule/", views.escalation_schedule_call, name="schedule_joint_call"),
]
