from django.urls import path

from polyplus.notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/unread/", views.unread_badge, name="unread_badge"),
    path("notifications/read/", views.mark_all_read, name="mark_all_read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("notifications/<int:pk>/open/", views.notification_open, name="open"),
]
