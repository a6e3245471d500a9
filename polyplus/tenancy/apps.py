from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "polyplus.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"
