from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TicketsConfig(AppConfig):
    name = "tickets"

    def ready(self) -> None:
        from tickets import notify, policies  # noqa: F401 - registers the case policies
        from tickets.sla import ensure_default_targets

        notify.register()  # who hears of each kind of case event
        post_migrate.connect(ensure_default_targets, sender=self, dispatch_uid="tickets-default-sla-targets")
