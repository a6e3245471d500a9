from django.apps import AppConfig


class EcpsConfig(AppConfig):
    name = "ecps"
