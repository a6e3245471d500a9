from django.conf import settings
from django.db import transaction
from django.http import HttpResponseNotFound
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


class PartnerHostMiddleware:
    """On a partner's own host, only that partner's people stay signed in.

    A session that reaches the host of a partner it does not belong to (Poly staff included:
    they use the portal's own host) is signed out before any view runs, so the page is drawn
    for an anonymous visitor in the host's brand and shows nobody's data; the sign-in page
    then says where that person signs in. A host that is neither the portal's nor an approved
    partner host gets a plain 404: no page, no brand, no sign-in form.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.utils.text import format_lazy
        from django.utils.translation import gettext_lazy

        from polyplus.tenancy.context import switch_request_to_user
        from polyplus.tenancy.hosts import may_use_host, own_sign_in_address

        if getattr(request, "host_unknown", False):
            return HttpResponseNotFound("Not found.\n", content_type="text/plain; charset=utf-8")
        user = request.user
        if user.is_authenticated and not may_use_host(user, request):
            address = own_sign_in_address(user, request)
            logout(request)
            switch_request_to_user(request, request.user)
            messages.warning(request, format_lazy(
                gettext_lazy("You were signed out: this address is {brand}'s portal. Sign in at {address}"),
                brand=request.host_brand.display_name, address=address))
        return self.get_response(request)
