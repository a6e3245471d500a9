from django.urls import re_path
from rest_framework.decorators import api_view, authentication_classes, permission_classes, schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from contracts import api as contracts_api
from ecps import api as ecps_api
from installbase import api as installbase_api
from polyplus.notifications import api as notifications_api
from polyplus.portal import api as portal_api
from polyplus.tenancy import api as tenancy_api
from rma import api as rma_api
from tickets import api as tickets_api

router = DefaultRouter()
for app_api in (tenancy_api, contracts_api, installbase_api, tickets_api, ecps_api, notifications_api, rma_api,
                portal_api):
    app_api.register(router)


@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([AllowAny])
@schema(None)
def not_found(request, *args, **kwargs):
    """Any other path under the API answers in the API's error shape, not an HTML page."""
    raise NotFound()


urlpatterns = [
    *tenancy_api.urlpatterns,
    *getattr(contracts_api, "urlpatterns", []),
    *getattr(installbase_api, "urlpatterns", []),
    *tickets_api.urlpatterns,
    *notifications_api.urlpatterns,
    *router.urls,
    # Last, and only for paths ending in a slash, so a missing slash still redirects.
    re_path(r"^[\s\S]*/$", not_found),  # any character, a newline too
]
