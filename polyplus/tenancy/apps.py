from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


def _enter_signed_in_context(sender, request, user, **kwargs):
    """A sign-in request began anonymous; from here on it works as the person who signed in."""
    from polyplus.tenancy.context import switch_to_user

    switch_to_user(user)


class TenancyConfig(AppConfig):
    name = "polyplus.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        user_logged_in.connect(_enter_signed_in_context, dispatch_uid="tenancy-signed-in-context")
