"""Which language a page speaks: English, Polish or Swedish on the pages a partner's customers
read (sign-in and password reset, status pages, share links) and in the mails customers get.

The partner's brand sets the default; the viewer's own choice (saved on the person when signed
in, else in a cookie) or, failing that, the browser's Accept-Language overrides it. Every other
page speaks English, so no page is half translated. Dates follow the language (month names).
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

DEFAULT = "en"

# allauth's pages on the way in: sign-in, its two-factor step, sign-out and password reset.
ACCOUNT_PAGES = frozenset({
    "account_login", "account_logout", "mfa_authenticate", "account_reset_password", "account_reset_password_done",
    "account_reset_password_from_key", "account_reset_password_from_key_done",
})


def supported(code: str | None) -> str | None:
    """`code` if the portal speaks it (a regional variant such as sv-SE counts as sv), else None."""
    if not code:
        return None
    code = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return code if code in dict(settings.LANGUAGES) else None


def browser_language(request) -> str | None:
    """The first language of the Accept-Language header the portal speaks, by the header's order."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:500]
    for code, _quality in parse_accept_lang_header(header):
        if (found := supported(code)) is not None:
            return found
    return None


def cookie_language(request) -> str | None:
    """The language picked on this browser (the picker's cookie), if the portal speaks it."""
    return supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def chosen_language(request) -> str | None:
    """The language the viewer picked: on the person when signed in, else in the cookie."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and (found := supported(user.language)):
        return found
    return cookie_language(request)


def brand_language(brand) -> str:
    return supported(getattr(brand, "default_language", None)) or DEFAULT


def language_for(request, brand) -> str:
    """The viewer's choice, else their browser's, else the brand's default, else English."""
    return chosen_language(request) or browser_language(request) or brand_language(brand)


def mail_language(user, brand) -> str:
    """A mail has no browser: the reader's choice, else the brand's default."""
    return supported(getattr(user, "language", None)) or brand_language(brand)


def speak(request, brand) -> str:
    """Let the rest of this request (the page, the mails it sends) speak the customer's language."""
    code = language_for(request, brand)
    translation.activate(code)
    request.LANGUAGE_CODE = code
    request.page_translated = True
    return code


def speak_english(request) -> None:
    translation.activate(DEFAULT)
    request.LANGUAGE_CODE = DEFAULT
    request.page_translated = False


class PageLanguageMiddleware:
    """English unless the page is one customers read; those speak `speak`'s language, in the
    brand of the host (or of the person signed in). Views that know the brand only once they
    have looked it up (a status page, a share link, /p/<code>/) call `speak` themselves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        speak_english(request)
        try:
            response = self.get_response(request)
        finally:
            translated = request.page_translated
            code = request.LANGUAGE_CODE
            translation.activate(DEFAULT)
        response.headers.setdefault("Content-Language", code)
        if translated:
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.url_name in ACCOUNT_PAGES:
            speak(request, page_brand(request))
        return None


def page_brand(request):
    """The brand an account page wears: the host's, else the signed-in partner person's."""
    brand = getattr(request, "host_brand", None)
    if brand is not None:
        return brand
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.partner_id:
        return getattr(user.partner, "brand", None)
    return None
