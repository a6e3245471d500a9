from django.apps import AppConfig


class RmaConfig(AppConfig):
    name = "rma"
