from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "polyplus.portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self):
        from polyplus.portal import jobruns, policies  # noqa: F401 - job-run signals and the portal's policies
