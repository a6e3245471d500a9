from django.apps import AppConfig


class InstallbaseConfig(AppConfig):
    name = "installbase"

    def ready(self) -> None:
        from contracts.services import contract_renewed
        from installbase.services import carry_serials_into_renewal

        contract_renewed.connect(carry_serials_into_renewal, dispatch_uid="installbase-carry-serials")
        from installbase.views import register_sections

        register_sections()
