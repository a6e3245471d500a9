"""A brand logo is stored through the storage API: a new one replaces the old file only once committed,
and the API names the portal's own logo address, never a storage URL."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from PIL import Image

from polyplus.tenancy import services
from polyplus.tenancy.models import PartnerBrand


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list[str]:
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()) if media.exists() else []


def png(colour: str) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue())


def set_logo(by, partner, logo) -> PartnerBrand:
    return services.partner_brand_update(by=by, partner=partner, display_name="Nordic Care", primary_color="#224466",
                                         accent_color="#ee7700", logo=logo)


def test_a_new_logo_replaces_the_old_file_once_committed(partner_a_admin, partner_a, media,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = set_logo(partner_a_admin, partner_a, png("#224466")).logo.name
    with django_capture_on_commit_callbacks(execute=True):
        second = set_logo(partner_a_admin, partner_a, png("#ee7700")).logo.name

    assert first != second
    assert stored_files(media) == [second]


def test_a_logo_change_rolled_back_keeps_the_old_logo_and_leaves_no_new_file(partner_a_admin, partner_a, media,
                                                                             django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = set_logo(partner_a_admin, partner_a, png("#224466")).logo.name

    with pytest.raises(RuntimeError), transaction.atomic():
        set_logo(partner_a_admin, partner_a, png("#ee7700"))
        raise RuntimeError("the request fails after the brand was saved")

    assert PartnerBrand.objects.get(partner=partner_a).logo.name == first
    assert stored_files(media) == [first]


def test_the_api_names_the_portals_logo_address_not_the_storage(api_for, partner_a_admin, partner_a,
                                                                partner_a_engineer):
    set_logo(partner_a_admin, partner_a, png("#224466"))

    brand = api_for(partner_a_engineer).get(f"/api/v1/partners/{partner_a.pk}/").json()["brand"]

    assert brand["logo"] == f"http://testserver/brand/{partner_a.pk}/logo/"
