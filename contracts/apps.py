from django.apps import AppConfig


class ContractsConfig(AppConfig):
    name = "contracts"

    def ready(self) -> None:
        from contracts import policies  # noqa: F401 - registers the contract policies
