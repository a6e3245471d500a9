from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "polyplus.portal"
    label = "portal"
    verbose_name = "Portal"
