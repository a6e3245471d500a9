from rest_framework.routers import DefaultRouter

from polyplus.tenancy import api as tenancy_api

router = DefaultRouter()
tenancy_api.register(router)

urlpatterns = [*tenancy_api.urlpatterns, *router.urls]
