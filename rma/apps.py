from django.apps import AppConfig


class RmaConfig(AppConfig):
    name = "rma"

    def ready(self) -> None:
        from rma import policies  # noqa: F401 - registers the RMA policies
