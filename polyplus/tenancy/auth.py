from email.utils import formataddr, parseaddr
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.forms import LoginForm
from allauth.core import context as allauth_context
from allauth.mfa.base.forms import AuthenticateForm
from django import forms
from django.utils import translation
from django.utils.translation import gettext as _

from polyplus.tenancy.hosts import may_use_host, own_sign_in_address, request_host_name
from polyplus.tenancy.languages import mail_language
from polyplus.tenancy.lockout import account_locked, client_ip, record_failed_sign_in


class AccountAdapter(DefaultAccountAdapter):
    """Accounts are created by partner admins and Poly admins, never by sign-up.

    Signing in with the form counts towards the account's one lock-out (polyplus.tenancy.lockout),
    which the API token exchange and the two-factor step share.
    """

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        return client_ip(request)

    def pre_authenticate(self, request, **credentials) -> None:
        super().pre_authenticate(request, **credentials)
        if account_locked(credentials.get("email", "")):
            raise self.validation_error("too_many_login_attempts")

    def authentication_failed(self, request, **credentials) -> None:
        record_failed_sign_in(credentials.get("email", ""))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account mails (password reset and the like) in the brand of the host they were asked on;
        for someone who is not that partner's, in their own partner's brand with a link to their
        own portal address, never the host's."""
        from polyplus.tenancy.models import PartnerBrand

        request = allauth_context.request
        brand = getattr(request, "host_brand", None)
        host = request_host_name(request) if request is not None else ""
        user = context.get("user")
        if request is not None and getattr(user, "pk", None) and not may_use_host(user, request):
            own = own_sign_in_address(user, request)
            brand = PartnerBrand.objects.filter(partner_id=user.partner_id).first() if user.partner_id else None
            host = urlsplit(own).hostname or host
            context = {**context, **{key: _moved_to(value, own) for key, value in context.items()
                                     if key.endswith("_url") and isinstance(value, str)}}
        self._brand = brand
        name = brand.display_name if brand else "Poly+ partner portal"
        # In the language of the page it was asked on; in the person's own partner's when it is theirs instead.
        language = translation.get_language() if brand is getattr(request, "host_brand", None) else (
            mail_language(user, brand))
        with translation.override(language):
            super().send_mail(template_prefix, email,
                              {**context, "current_site": SimpleNamespace(name=name, domain=host)})

    def format_email_subject(self, subject: str) -> str:
        brand = getattr(self, "_brand", None)
        return f"[{brand.display_name if brand else 'Poly+ partner portal'}] {subject}"

    def render_mail(self, template_prefix, email, context, headers=None):
        message = super().render_mail(template_prefix, email, context, headers=headers)
        brand = getattr(self, "_brand", None)
        if brand is not None:
            message.from_email = formataddr((brand.display_name, parseaddr(message.from_email)[1]))
            if brand.support_email:
                message.reply_to = [brand.support_email]
        return message


def _moved_to(url: str, root: str) -> str:
    """`url` on the scheme and host of `root` (the same path and query)."""
    parts, base = urlsplit(url), urlsplit(root)
    return urlunsplit((base.scheme, base.netloc, parts.path, parts.query, parts.fragment))


class MfaAuthenticateForm(AuthenticateForm):
    """The two-factor step: a locked account gets no further, and a wrong code counts as a failure."""

    def clean_code(self) -> str:
        if account_locked(self.user.email):
            raise get_adapter().validation_error("too_many_login_attempts")
        try:
            return super().clean_code()
        except forms.ValidationError:
            record_failed_sign_in(self.user.email)
            raise


class HostLoginForm(LoginForm):
    """Sign-in on a partner's own host is for that partner's people only: anyone else (another
    partner's people, Poly staff) is told where they sign in, and is not signed in here."""

    def clean(self):
        cleaned_data = super().clean()
        if self.user is not None and self.request is not None and not may_use_host(self.user, self.request):
            address = own_sign_in_address(self.user, self.request)
            self.user = None
            raise forms.ValidationError(
                _("This address is %(brand)s's portal, and your account is not one of theirs. Sign in at %(address)s"),
                code="wrong_portal", params={"brand": self.request.host_brand.display_name, "address": address})
        return cleaned_data
