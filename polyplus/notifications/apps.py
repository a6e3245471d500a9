from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "polyplus.notifications"
    label = "notifications"
    verbose_name = "Notifications"
