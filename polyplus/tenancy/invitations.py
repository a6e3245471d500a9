"""Inviting a new person: a mail in their partner's brand with a link to set their password.

The link is allauth's password-reset link, so setting the password goes through the same
checked flow as "Forgot your password?", and it expires like one (PASSWORD_RESET_TIMEOUT).
The mail goes out after the account is committed (a Celery task), and only while the person
has no password yet: a run after they set one sends nothing. A run repeated before that (a
redelivered task) sends the link again, which is harmless: each link works until it expires.
"""

from __future__ import annotations

import logging
from email.mime.image import MIMEImage
from email.utils import formataddr, parseaddr
from urllib.parse import urljoin

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from polyplus.tenancy.models import PartnerBrand, User

logger = logging.getLogger("polyplus.tenancy.invitations")

POLY_BRAND = {"name": "Poly+ partner portal", "primary": "#0b3d91", "accent": "#f28c28", "support_email": ""}


def invitation_link(user: User, base_url: str) -> str:
    """Where the person sets their password: the partner's own host if it has one, else `base_url`."""
    domain = user.partner.domains.order_by("host").first() if user.partner_id else None
    root = f"https://{domain.host}/" if domain else base_url
    path = reverse("account_reset_password_from_key",
                   kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)})
    return urljoin(root, path)


def _brand_of(user: User) -> tuple[dict, PartnerBrand | None]:
    brand = getattr(user.partner, "brand", None) if user.partner_id else None
    if brand is None:
        return POLY_BRAND, None
    return {"name": brand.display_name, "primary": brand.primary_color, "accent": brand.accent_color,
            "support_email": brand.support_email}, brand


def invitation_message(user: User, base_url: str) -> EmailMultiAlternatives:
    """The invitation, as text and as HTML in the brand's name, colours and logo."""
    brand, partner_brand = _brand_of(user)
    context = {"user": user, "brand": brand, "link": invitation_link(user, base_url),
               "has_logo": bool(partner_brand and partner_brand.logo), "role": user.get_role_display()}
    _, from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    message = EmailMultiAlternatives(
        subject=f"{brand['name']}: set your password to start",
        body=render_to_string("tenancy/mail/invitation.txt", context),
        from_email=formataddr((brand["name"], from_address)),
        to=[user.email],
        reply_to=[brand["support_email"]] if brand["support_email"] else None,
    )
    message.attach_alternative(render_to_string("tenancy/mail/invitation.html", context), "text/html")
    if context["has_logo"]:
        _attach_logo(message, partner_brand)
    return message


def _attach_logo(message: EmailMultiAlternatives, brand: PartnerBrand) -> None:
    """The logo travels inside the mail (cid:logo): the portal serves it only to people signed in."""
    extension = brand.logo.name.rsplit(".", 1)[-1].lower()
    subtype = {"png": "png", "jpg": "jpeg", "webp": "webp", "svg": "svg+xml"}.get(extension)
    if subtype is None:
        return
    try:
        with brand.logo.open("rb") as logo:
            image = MIMEImage(logo.read(), _subtype=subtype)
    except FileNotFoundError:
        return
    image.add_header("Content-ID", "<logo>")
    image.add_header("Content-Disposition", "inline", filename=f"logo.{extension}")
    message.mixed_subtype = "related"
    message.attach(image)


def invitation_send(*, user_id: int, base_url: str) -> bool:
    """Mail the invitation if the person still has no password and may sign in; True if sent.

    Run inside the person's partner context (or the staff context for Poly staff).
    """
    user = User.objects.select_related("partner__brand").filter(pk=user_id).first()
    if user is None or not user.is_active or user.has_usable_password():
        return False
    invitation_message(user, base_url).send()
    logger.info("invitation sent to user %s", user_id)
    return True
