"""The brand page: name, colours, contacts and a logo checked by its content."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from polyplus.tenancy.models import PartnerBrand


@pytest.fixture(autouse=True)
def _page_settings(settings, tmp_path):
    """Uploaded logos go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path


GOOD = {"display_name": "Nordic Care", "primary_color": "#224466", "accent_color": "#EE7700",
        "support_email": "help@nordic.example", "support_phone": "+46 8 123 45"}
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<rect width="10" height="10"/></svg>')


def image_bytes(kind: str, size=(40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#224466").save(buffer, format=kind)
    return buffer.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims an enormous picture (a decompression bomb)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


def field_html(response, name: str) -> str:
    html = response.content.decode()
    start = html.index(f'id="field-{name}"')
    end = html.find('<div class="field', start + 10)
    return html[start:end if end != -1 else len(html)]


def test_partner_admin_sees_its_brand_form_and_preview(client_for, partner_a_admin):
    response = client_for(partner_a_admin).get("/brand/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html
    assert 'type="color"' in html
    assert "How it will look" in html


def test_partner_admin_saves_name_colours_and_contacts(client_for, partner_a_admin, partner_a):
    response = client_for(partner_a_admin).post("/brand/", GOOD)
    assert response.status_code == 302
    brand = PartnerBrand.objects.get(partner=partner_a)
    assert (brand.display_name, brand.primary_color, brand.support_email) == ("Nordic Care", "#224466",
                                                                              "help@nordic.example")


@pytest.mark.parametrize(("kind", "extension"), [("PNG", ".png"), ("JPEG", ".jpg")])
def test_a_real_png_or_jpeg_logo_is_stored_under_the_partners_name(client_for, partner_a_admin, partner_a,
                                                                   kind, extension):
    logo = SimpleUploadedFile("whatever.bin", image_bytes(kind), content_type="application/octet-stream")
    response = client_for(partner_a_admin).post("/brand/", {**GOOD, "logo": logo})
    assert response.status_code == 302
    brand = PartnerBrand.objects.get(partner=partner_a)
    assert brand.logo.name.startswith("brand-logos/nordic") and brand.logo.name.endswith(extension)


@pytest.mark.parametrize(("kind", "extension"), [("WEBP", ".webp")])
def test_a_real_webp_logo_is_stored_and_served_as_webp(client_for, partner_a_admin, partner_a, customer_viewer,
                                                      kind, extension):
    logo = SimpleUploadedFile("logo.bin", image_bytes(kind))
    assert client_for(partner_a_admin).post("/brand/", {**GOOD, "logo": logo}).status_code == 302
    response = client_for(customer_viewer).get(f"/brand/{partner_a.pk}/logo/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(("name", "content"), [
    ("logo.png", b"this is not an image at all"),
    ("logo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'),
    ("logo.svg", b'<!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>'),
    ("logo.svg", SVG),
    ("logo.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20),
    ("huge.png", "huge"),
    ("logo.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
    ("logo.html", b"<html><body>hello</body></html>"),
    ("bomb.png", None),
])
def test_a_logo_that_is_not_a_real_png_jpeg_or_webp_is_refused_next_to_the_field(client_for, partner_a_admin,
                                                                                  partner_a, name, content):
    if content is None:
        content = png_claiming(70_000, 70_000)
    if content == "huge":
        content = image_bytes("PNG", size=(4001, 10))
    response = client_for(partner_a_admin).post("/brand/", {**GOOD, "logo": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert "Upload a PNG, JPEG or WebP picture (no SVG), at most 4000 pixels a side." in field_html(response, "logo")
    brand = PartnerBrand.objects.get(partner=partner_a)
    assert not brand.logo
    assert brand.display_name != "Nordic Care"


def test_a_logo_over_1_mb_is_refused(client_for, partner_a_admin, partner_a):
    big = image_bytes("PNG") + b"\x00" * (1024 * 1024)
    response = client_for(partner_a_admin).post("/brand/", {**GOOD, "logo": SimpleUploadedFile("big.png", big)})
    assert "The logo must be 1 MB or smaller." in field_html(response, "logo")
    assert not PartnerBrand.objects.get(partner=partner_a).logo


def test_a_bad_colour_is_an_error_next_to_it_and_nothing_is_saved(client_for, partner_a_admin, partner_a):
    response = client_for(partner_a_admin).post("/brand/", {**GOOD, "primary_color": "red"})
    assert "Enter a colour as #RRGGBB." in field_html(response, "primary_color")
    assert PartnerBrand.objects.get(partner=partner_a).primary_color == "#123456"


@pytest.mark.parametrize("persona", ["partner_a_engineer", "customer_viewer", "poly_support"])
def test_only_the_partners_admin_or_a_poly_admin_edit_the_brand(db, request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).post("/brand/", GOOD)
    assert response.status_code == 403


def test_poly_admin_edits_any_partners_brand_by_its_page(client_for, poly_admin, partner_b):
    response = client_for(poly_admin).post(f"/partners/{partner_b.pk}/brand/", GOOD)
    assert response.status_code == 302
    assert PartnerBrand.objects.get(partner=partner_b).display_name == "Nordic Care"


def test_another_partners_brand_and_logo_are_not_found(client_for, partner_b_admin, partner_a, partner_a_admin):
    logo = SimpleUploadedFile("logo.png", image_bytes("PNG"))
    client_for(partner_a_admin).post("/brand/", {**GOOD, "logo": logo})
    client = client_for(partner_b_admin)
    assert client.get(f"/partners/{partner_a.pk}/brand/").status_code == 404
    assert client.post(f"/partners/{partner_a.pk}/brand/", GOOD).status_code == 404
    assert client.get(f"/brand/{partner_a.pk}/logo/").status_code == 404
    assert PartnerBrand.objects.get(partner=partner_a).display_name == "Nordic Care"


def test_the_logo_shows_in_the_header_for_the_partners_people(client_for, partner_a_admin, partner_a,
                                                              partner_a_engineer):
    client_for(partner_a_admin).post("/brand/", {**GOOD, "logo": SimpleUploadedFile("l.png", image_bytes("PNG"))})
    html = client_for(partner_a_engineer).get("/dashboard/").content.decode()
    assert f'<img src="/brand/{partner_a.pk}/logo/"' in html
