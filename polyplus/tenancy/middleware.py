from django.conf import settings
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse

from polyplus.tenancy.context import request_context


class TenancyMiddleware:
    """Runs each request in one transaction under the signed-in person's tenant context.

    The session's user is loaded under the sign-in lookup context; from then on only
    that person's partner (or, for Poly staff, the audited staff context) is visible.
    A request that ends in a server error keeps nothing it wrote: Django has already
    turned the exception into a 500 response by the time it gets back here.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_context(request):
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            return response


MFA_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/healthz")


class StaffMfaMiddleware:
    """Poly staff see every partner's data, so they must have TOTP set up first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            settings.POLYPLUS_REQUIRE_STAFF_MFA
            and user.is_authenticated
            and user.is_poly_staff
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
            and not request.path.startswith("/api/")
            and not user_has_totp(user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def user_has_totp(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
