from django.conf import settings

from polyplus.tenancy.contrast import DEFAULT_ACCENT, DEFAULT_PRIMARY, readable_primary, text_color_on

PORTAL_NAME = "Poly+ partner portal"


def brand_colors(brand) -> dict:
    """The colours a page is drawn in: the brand's primary (darkened if it was saved before colours
    were checked, so text on it stays readable), its accent, and the text colour for the accent."""
    primary = readable_primary(brand.primary_color) if brand else DEFAULT_PRIMARY
    accent = brand.accent_color if brand else DEFAULT_ACCENT
    return {"brand_primary": primary, "brand_accent": accent, "brand_on_accent": text_color_on(accent)}


def brand_context(brand) -> dict:
    return {"brand": brand, "brand_name": brand.display_name if brand else PORTAL_NAME, **brand_colors(brand)}


def brand(request):
    """The brand a page is drawn in: the partner host's, from the sign-in page on; elsewhere the
    signed-in partner person's own partner's; else the portal's own (never another partner's:
    a person of another partner is signed out on a partner's host, PartnerHostMiddleware)."""
    partner_brand = getattr(request, "host_brand", None)
    if partner_brand is None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.partner_id:
            partner_brand = getattr(user.partner, "brand", None)
    return {**brand_context(partner_brand), "demo_mode": settings.DEBUG}
