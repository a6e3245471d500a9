from django.urls import path

from polyplus.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("sites/search/", views.site_search, name="site_search"),
]
