"""An attachment's file lives exactly as long as its row: a rolled-back write leaves nothing in storage."""

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import transaction

from tests.tickets import LOG, PNG, cover, open_case, upload
from tickets import services
from tickets.models import Case, CaseAttachment


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media) -> list:
    return sorted(p.relative_to(media).as_posix() for p in media.rglob("*") if p.is_file()) if media.exists() else []


@pytest.fixture
def case(partner_a_engineer, site_a):
    cover(site_a)
    return open_case(partner_a_engineer, site_a)


def test_an_attachment_whose_transaction_rolls_back_leaves_no_file(partner_a_engineer, case, media):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_attach(by=partner_a_engineer, case=case, upload=upload("codec.log", LOG))
        assert len(stored_files(media)) == 1  # written while the transaction is open
        raise RuntimeError("a later step of the same request fails")

    assert not CaseAttachment.objects.exists()
    assert stored_files(media) == []


def test_a_case_whose_second_file_cannot_be_stored_leaves_neither_case_nor_first_file(
        partner_a_engineer, site_a, media, monkeypatch):
    cover(site_a)
    real_save = FileSystemStorage._save
    writes = []

    def fail_second_write(storage, name, content):
        writes.append(name)
        if len(writes) == 2:
            raise OSError("storage unavailable")
        return real_save(storage, name, content)

    monkeypatch.setattr(FileSystemStorage, "_save", fail_second_write)

    with pytest.raises(OSError):
        open_case(partner_a_engineer, site_a, uploads=(upload("codec.log", LOG), upload("room.png", PNG)))

    assert len(writes) == 2
    assert not Case.objects.exists()
    assert stored_files(media) == []


def test_a_committed_attachment_keeps_its_file(partner_a_engineer, case, media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        attachment = services.case_attach(by=partner_a_engineer, case=case, upload=upload("codec.log", LOG))

    assert stored_files(media) == [attachment.file.name]
    assert attachment.file.open("rb").read() == LOG
