from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include("polyplus.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("polyplus.tenancy.urls")),
    path("", include("contracts.urls")),
    path("", include("installbase.urls")),
    path("", include("tickets.urls")),
    path("", include("ecps.urls")),
    path("", include("rma.urls")),
    path("", include("polyplus.portal.urls")),
    path("", include("polyplus.notifications.urls")),
]
