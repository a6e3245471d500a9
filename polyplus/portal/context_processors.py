from django.conf import settings
from django.urls import reverse

from polyplus.tenancy.contrast import DEFAULT_ACCENT, DEFAULT_PRIMARY, readable_primary, text_color_on
from polyplus.tenancy.languages import page_brand

PORTAL_NAME = "Poly+ partner portal"


def brand_colors(brand) -> dict:
    """The colours a page is drawn in: the brand's primary (darkened if it was saved before colours
    were checked, so text on it stays readable), its accent, and the text colour for the accent."""
    primary = readable_primary(brand.primary_color) if brand else DEFAULT_PRIMARY
    accent = brand.accent_color if brand else DEFAULT_ACCENT
    return {"brand_primary": primary, "brand_accent": accent, "brand_on_accent": text_color_on(accent)}


def brand_context(brand, logo_url: str | None = None) -> dict:
    """What base.html draws a brand with; the logo is served by the partner's id to people signed
    in who may see the partner, unless `logo_url` says where else (a host's or a path's own)."""
    if brand is not None and brand.logo and logo_url is None:
        logo_url = reverse("tenancy:brand_logo", args=[brand.partner_id])
    return {"brand": brand, "brand_name": brand.display_name if brand else PORTAL_NAME,
            "brand_logo_url": logo_url if brand is not None and brand.logo else "", **brand_colors(brand)}


def _host_logo_url(request) -> str:
    code = getattr(request, "path_partner_code", None)
    return reverse("portal:partner_path_logo", args=[code]) if code else reverse("tenancy:host_logo")


def brand(request):
    """The brand a page is drawn in: the partner host's, from the sign-in page on; elsewhere the
    signed-in partner person's own partner's; else the portal's own (never another partner's:
    a person of another partner is signed out on a partner's host, PartnerHostMiddleware)."""
    if getattr(request, "host_brand", None) is not None:
        return {**brand_context(request.host_brand, _host_logo_url(request)), "demo_mode": settings.DEBUG}
    return {**brand_context(page_brand(request)), "demo_mode": settings.DEBUG}
