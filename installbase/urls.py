from django.urls import path

from installbase import views, views_workspace

app_name = "installbase"

urlpatterns = [
    path("coverage/", views.coverage, name="coverage"),
    path("devices/", views.device_list, name="device_list"),
    path("devices/new/", views.device_register, name="device_register"),
    path("compliance/", views.compliance, name="compliance"),
    path("contracts/<int:pk>/devices/", views.contract_device_add, name="contract_device_add"),
    path("contracts/<int:pk>/devices/<int:entry_pk>/remove/", views.contract_device_remove,
         name="contract_device_remove"),
    # the CSM's workspace
    path("workspace/", views_workspace.my_customers, name="my_customers"),
    path("workspace/customers/<int:pk>/", views_workspace.customer_workspace, name="customer_workspace"),
    path("workspace/customers/<int:pk>/lens-access/", views_workspace.lens_access, name="lens_access"),
    path("workspace/customers/<int:pk>/uploads/new/", views_workspace.upload_create, name="upload_create"),
    path("workspace/uploads/<int:pk>/", views_workspace.upload_detail, name="upload_detail"),
    path("workspace/contracts/<int:pk>/", views_workspace.contract_reconciliation, name="contract_reconciliation"),
    path("workspace/contracts/<int:pk>/run/", views_workspace.reconciliation_run, name="reconciliation_run"),
    path("workspace/contracts/<int:pk>/review/", views_workspace.month_review, name="month_review"),
    path("workspace/contracts/<int:pk>/true-ups/<int:true_up_pk>/<str:decision>/", views_workspace.true_up_decide,
         name="true_up_decide"),
    path("workspace/contracts/<int:pk>/renewal/", views_workspace.renewal_prepare, name="renewal_prepare"),
    path("workspace/contracts/<int:pk>/renewal/<int:proposal_pk>/<str:decision>/", views_workspace.renewal_decide,
         name="renewal_decide"),
    path("workspace/contracts/<int:pk>/csm-hours/", views_workspace.csm_hours_log, name="csm_hours_log"),
]
