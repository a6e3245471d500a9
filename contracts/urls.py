from django.urls import path, re_path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/import/", views.product_import, name="product_import"),
    re_path(r"^products/(?P<sku>[A-Za-z0-9.\-]{1,40})/edit/$", views.product_edit, name="product_edit"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/activate/", views.contract_activate, name="contract_activate"),
    path("contracts/<int:pk>/cancel/", views.contract_cancel, name="contract_cancel"),
    path("contracts/<int:pk>/renew/", views.contract_renew, name="contract_renew"),
    path("contracts/<int:pk>/lines/", views.contract_line_add, name="contract_line_add"),
    path("contracts/<int:pk>/quotes/", views.custom_quote_request, name="custom_quote_request"),
    path("quotes/", views.quote_list, name="quote_list"),
    path("quotes/<int:pk>/decide/", views.custom_quote_decide, name="custom_quote_decide"),
]
