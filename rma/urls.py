from django.urls import path

from rma import views

app_name = "rma"

urlpatterns = [
    path("rmas/", views.rma_list, name="rma_list"),
    path("rmas/billing/", views.billing, name="billing"),
    path("rmas/<int:pk>/", views.rma_detail, name="rma_detail"),
    path("rmas/<int:pk>/note/", views.rma_note, name="rma_note"),
    path("rmas/<int:pk>/<slug:action>/", views.rma_action, name="rma_action"),
    path("cases/<int:case_pk>/rma/", views.rma_request, name="rma_request"),
    path("devices/<int:device_pk>/rma/", views.rma_request_for_device, name="rma_request_for_device"),
]
