from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


def _enter_signed_in_context(sender, request, user, **kwargs):
    """A sign-in request began anonymous (the sign-in context); from here on it works as the
    person who signed in. Any other context (a job, a test's set-up) is left as it is."""
    from polyplus.tenancy.context import SIGN_IN, context_in_force, switch_request_to_user

    if request is not None and context_in_force(request) == SIGN_IN:
        switch_request_to_user(request, user)


class TenancyConfig(AppConfig):
    name = "polyplus.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        user_logged_in.connect(_enter_signed_in_context, dispatch_uid="tenancy-signed-in-context")
        from polyplus.tenancy.dates import use_portal_date_fields_in_model_serializers

        use_portal_date_fields_in_model_serializers()
