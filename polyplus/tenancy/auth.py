from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.forms import LoginForm
from allauth.mfa.base.forms import AuthenticateForm
from django import forms

from polyplus.tenancy.hosts import may_use_host, own_sign_in_address
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
                f"This address is {self.request.host_brand.display_name}'s portal, and your account is not one "
                f"of theirs. Sign in at {address}", code="wrong_portal")
        return cleaned_data
