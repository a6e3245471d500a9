"""polyplus.files: a stored file lives exactly as long as the transaction that wrote it commits."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction

from polyplus.files import delete_if_rolled_back


@pytest.fixture
def storage(tmp_path) -> FileSystemStorage:
    return FileSystemStorage(location=tmp_path)


def write(storage: FileSystemStorage, name: str) -> str:
    stored = storage.save(name, ContentFile(b"codec log"))
    delete_if_rolled_back(storage, stored)
    return stored


def test_a_file_written_in_a_savepoint_that_rolls_back_is_removed_at_once(db, storage):
    with transaction.atomic():
        kept = write(storage, "kept.log")
        with pytest.raises(RuntimeError), transaction.atomic():
            rolled_back = write(storage, "rolled-back.log")
            raise RuntimeError("the inner step fails")

        assert not storage.exists(rolled_back)
        assert storage.exists(kept)


def test_files_written_in_committed_transactions_stay(transactional_db, storage):
    outside = write(storage, "outside.log")
    with transaction.atomic():
        inside = write(storage, "inside.log")
        with transaction.atomic():
            nested = write(storage, "nested.log")

    assert all(storage.exists(name) for name in (outside, inside, nested))


def test_a_whole_transaction_rolled_back_removes_every_file_it_wrote(transactional_db, storage):
    with pytest.raises(RuntimeError), transaction.atomic():
        names = [write(storage, "first.log"), write(storage, "second.log")]
        raise RuntimeError("the request fails")

    assert not any(storage.exists(name) for name in names)
