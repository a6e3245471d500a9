from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from rest_framework import authentication, exceptions

from polyplus.tenancy.context import NO_TENANT, SIGN_IN, log_staff_access, set_request_context, switch_request_to_user
from polyplus.tenancy.hosts import may_use_host
from polyplus.tenancy.middleware import user_has_totp
from polyplus.tenancy.services import api_token_authenticate


class TenantSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session; TenancyMiddleware has already set the person's context.

    Poly staff see every partner, so (as in the pages, StaffMfaMiddleware) their session
    reaches the API only once they have two-factor authentication set up.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            user = result[0]
            if user.is_poly_staff and settings.POLYPLUS_REQUIRE_STAFF_MFA and not user_has_totp(user):
                raise exceptions.PermissionDenied("Set up two-factor authentication in the portal first.")
        return result

    def authenticate_header(self, request):
        # DRF takes the challenge from the first authenticator and answers 403 when it has
        # none; a call without credentials must answer 401 (API.md), naming the token scheme.
        return TenantTokenAuthentication.keyword


class TenantTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`; on success the request switches to the token owner's context.

    The key is looked up under the sign-in context (no tenant is known yet, whatever the
    request carried before); a key that fails leaves the request seeing no tenant rows.
    """

    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: expected 'Token <key>'.")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        if "\x00" in key:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        set_request_context(request, SIGN_IN)
        found = api_token_authenticate(key)
        if found is None:
            set_request_context(request, NO_TENANT)
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        user, token = found
        if not may_use_host(user, request):
            # A partner's own host answers for that partner's people only (hosts.py).
            set_request_context(request, NO_TENANT)
            raise exceptions.AuthenticationFailed("This token does not work on this portal address.")
        switch_request_to_user(request, user)
        log_staff_access(user, url=request.path, method=request.method, token=token.prefix)
        return user, token

    def authenticate_header(self, request):
        return self.keyword


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TenantTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`: create one in the portal or by POST /api/v1/auth/token/."}


class FieldErrorsSchema(OpenApiSerializerExtension):
    """A 400's body: a field may itself be called `code` or `detail` (a partner's code), so the
    schema cannot promise those two are strings; it says what the body holds instead."""

    target_class = "polyplus.tenancy.api_common.FieldErrorsSerializer"

    def map_serializer(self, auto_schema, direction):
        messages = {"oneOf": [{"type": "string"}, {"type": "array"}, {"type": "object"}]}
        return {
            "type": "object",
            "description": "Either `detail` and `code` (strings) about the request as a whole, or each "
                           "invalid field (of the body, a filter, or `page`) with a list of its messages; "
                           "a nested object or list carries its own errors in the same way.",
            "additionalProperties": messages,
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = TenantSessionAuthentication
    name = "cookieAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME,
                "description": "The portal's browser session (unsafe methods also need the CSRF token)."}
