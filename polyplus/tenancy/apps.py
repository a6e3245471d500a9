from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in


def _enter_signed_in_context(sender, request, user, **kwargs):
    """A sign-in request began anonymous (the sign-in context); from here on it works as the
    person who signed in. Any other context (a job, a test's set-up) is left as it is."""
    from polyplus.tenancy.context import SIGN_IN, context_in_force, switch_request_to_user

    if request is not None and context_in_force(request) == SIGN_IN:
        switch_request_to_user(request, user)


def _keep_the_language_chosen_before_sign_in(sender, request, user, **kwargs):
    """A language picked on the sign-in page (kept in a cookie until then) becomes the person's
    own, for their pages and mails, when they have not chosen one before."""
    from polyplus.tenancy.languages import cookie_language
    from polyplus.tenancy.services import user_language_set

    if request is None or user.language:
        return
    if (code := cookie_language(request)) is not None:
        user_language_set(user=user, language=code)


class TenancyConfig(AppConfig):
    name = "polyplus.tenancy"
    label = "tenancy"
    verbose_name = "Tenancy"

    def ready(self) -> None:
        user_logged_in.connect(_enter_signed_in_context, dispatch_uid="tenancy-signed-in-context")
        user_logged_in.connect(_keep_the_language_chosen_before_sign_in, dispatch_uid="tenancy-language-at-sign-in")
        from polyplus.tenancy.dates import use_portal_date_fields_in_model_serializers

        use_portal_date_fields_in_model_serializers()
