from django.urls import path

from polyplus.tenancy import views

app_name = "tenancy"

urlpatterns = [
    path("customers/", views.customer_list, name="customer_list"),
    path("customers/new/", views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", views.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/sites/new/", views.site_create, name="site_create"),
    path("sites/subdivisions/", views.subdivision_options, name="subdivision_options"),
    path("sites/<str:site_id>/edit/", views.site_edit, name="site_edit"),
    path("users/", views.user_list, name="user_list"),
    path("users/new/", views.user_create, name="user_create"),
    path("users/<int:pk>/edit/", views.user_edit, name="user_edit"),
    path("brand/", views.brand_edit, name="brand_edit"),
    path("brand/<int:pk>/logo/", views.brand_logo, name="brand_logo"),
    path("brand/logo/", views.host_logo, name="host_logo"),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:pk>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:pk>/edit/", views.partner_edit, name="partner_edit"),
    path("partners/<int:pk>/brand/", views.brand_edit, name="partner_brand_edit"),
    path("partners/<int:pk>/certifications/", views.certification_set, name="certification_set"),
    path("partners/<int:pk>/domains/", views.domain_add, name="domain_add"),
    path("partners/<int:pk>/training/", views.training_list, name="training_list"),
    path("certifications/<int:pk>/delete/", views.certification_delete, name="certification_delete"),
    path("domains/<int:pk>/delete/", views.domain_remove, name="domain_remove"),
    path("training/<int:pk>/delete/", views.training_delete, name="training_delete"),
    path("csm-assignments/", views.csm_assignments, name="csm_assignments"),
    path("csm-assignments/<int:pk>/delete/", views.csm_unassign, name="csm_unassign"),
    path("audit/", views.audit_log, name="audit_log"),
    path("account/tokens/", views.token_list, name="token_list"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
