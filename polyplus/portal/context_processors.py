from django.conf import settings


def brand(request):
    """The brand a page is drawn in: the signed-in partner user's partner, else Poly's own."""
    user = getattr(request, "user", None)
    partner_brand = None
    if user is not None and user.is_authenticated and user.partner_id:
        partner_brand = getattr(user.partner, "brand", None)
    return {
        "brand": partner_brand,
        "brand_name": partner_brand.display_name if partner_brand else "Poly+ partner portal",
        "brand_primary": partner_brand.primary_color if partner_brand else "#0b3d91",
        "brand_accent": partner_brand.accent_color if partner_brand else "#f28c28",
        "demo_mode": settings.DEBUG,
    }
