from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from polyplus.tenancy.context import switch_to_user
from polyplus.tenancy.services import api_token_authenticate


class TenantSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session; TenancyMiddleware has already set the person's context."""


class TenantTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Token <key>`; on success the request switches to the token owner's context."""

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
        found = api_token_authenticate(key)
        if found is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        user, token = found
        switch_to_user(user)
        return user, token

    def authenticate_header(self, request):
        return self.keyword


class TokenScheme(OpenApiAuthenticationExtension):
    target_class = TenantTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Token <key>`: create one in the portal or by POST /api/v1/auth/token/."}
