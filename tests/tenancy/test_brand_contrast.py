"""Brand colours stay readable: a primary colour that white text (or links on the light page)
would fail WCAG 2.1 AA on is refused with the ratio and a darker shade that passes; one saved
before colours were checked is drawn in that darker shade; the accent's text picks black or white."""

import pytest

from polyplus.tenancy.contrast import (
    AA_NORMAL_TEXT,
    check_primary,
    contrast_ratio,
    primary_contrast,
    readable_primary,
    text_color_on,
)
from polyplus.tenancy.models import PartnerBrand

GOOD = {"display_name": "Nordic Care", "primary_color": "#224466", "accent_color": "#EE7700",
        "support_email": "help@nordic.example", "support_phone": "+46 8 123 45"}


def test_contrast_ratios_match_the_wcag_formula():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("color", ["#ffd500", "#f28c28", "#ffffff", "#00ff00", "#777777"])
def test_the_suggested_shade_of_a_failing_colour_passes(color):
    check = check_primary(color)
    assert not check.passes
    assert primary_contrast(check.suggestion) >= AA_NORMAL_TEXT
    assert f"{check.ratio:.2f}:1" in check.message and check.suggestion in check.message


@pytest.mark.parametrize("accent", ["#ffd500", "#f28c28", "#0b3d91", "#000000", "#ffffff"])
def test_text_on_any_accent_reaches_aa(accent):
    assert contrast_ratio(text_color_on(accent), accent) >= AA_NORMAL_TEXT


def test_a_partner_admin_is_refused_a_yellow_primary_with_the_ratio_and_a_suggestion(client_for, partner_a_admin,
                                                                                    partner_a):
    response = client_for(partner_a_admin).post("/brand/", {**GOOD, "primary_color": "#ffd500"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "reach only 1.32:1; WCAG 2.1 AA needs 4.5:1. Try a darker shade such as #856f00." in html
    brand = PartnerBrand.objects.get(partner=partner_a)
    assert (brand.primary_color, brand.display_name) == ("#123456", "Nordic Collaboration AB")


def test_the_brand_page_previews_the_contrast_of_the_colours_as_typed(client_for, partner_a_admin):
    html = client_for(partner_a_admin).post("/brand/", {**GOOD, "primary_color": "#ffd500"}).content.decode()
    assert "White text on #ffd500: 1.32:1, below the 4.5:1 WCAG 2.1 AA needs. Try #856f00." in html
    html = client_for(partner_a_admin).get("/brand/").content.decode()
    assert "meets WCAG 2.1 AA" in html


def test_the_api_refuses_a_partner_with_an_unreadable_primary_colour(api_for, poly_admin):
    response = api_for(poly_admin).post("/api/v1/partners/", {"name": "Sunny AB", "slug": "sunny",
                                                              "primary_color": "#ffff00"}, format="json")
    assert response.status_code == 400
    assert "WCAG 2.1 AA needs 4.5:1" in response.json()["primary_color"][0]


def test_a_brand_saved_unreadable_before_the_check_is_drawn_in_a_readable_shade(client_for, partner_a,
                                                                               partner_a_engineer):
    PartnerBrand.objects.filter(partner=partner_a).update(primary_color="#ffd500", accent_color="#ffffff")
    html = client_for(partner_a_engineer).get("/dashboard/").content.decode()
    assert f"--brand-primary: {readable_primary('#ffd500')};" in html
    assert "--brand-on-accent: #1c2430;" in html
