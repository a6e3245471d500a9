from django.urls import path

from installbase import views

app_name = "installbase"

urlpatterns = [
    path("coverage/", views.coverage, name="coverage"),
    path("devices/", views.device_list, name="device_list"),
    path("devices/new/", views.device_register, name="device_register"),
    path("compliance/", views.compliance, name="compliance"),
    path("contracts/<int:pk>/devices/", views.contract_device_add, name="contract_device_add"),
    path("contracts/<int:pk>/devices/<int:entry_pk>/remove/", views.contract_device_remove,
         name="contract_device_remove"),
]
