from django.apps import AppConfig


class InstallbaseConfig(AppConfig):
    name = "installbase"
