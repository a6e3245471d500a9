"""Stored files (case attachments, brand logos, later uploads and PDFs) and their transactions.

Every file goes through Django's storage API (STORAGES["default"]: S3 in production, the local
file system under `make run`), never a path on one web host's disk.

A file is written while its request's transaction is still open, so a failed write fails the
request; but a file written for rows that are then rolled back must not stay behind. Django has
`transaction.on_commit` and no rollback hook, so each write registers a commit callback and
watches it: on commit the callback runs and the file is kept; on rollback (of the whole
transaction or of the savepoint the write happened in) Django drops the callback unrun, and the
file is deleted at that moment. A process that dies mid-request can still leave an unreferenced
file behind, which costs only its bytes. One caveat: when a commit hook raises, Django skips the hooks
registered after it, and a file whose hook was skipped is removed as if rolled back; so a commit
hook that can fail (mail, a broker) should be registered with `robust=True`.
"""

from __future__ import annotations

import logging
import weakref

from django.core.files import File
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models.fields.files import FieldFile

logger = logging.getLogger("polyplus.files")


class _Fate:
    """Whether the transaction that wrote a file has committed."""

    __slots__ = ("committed",)

    def __init__(self) -> None:
        self.committed = False


class _KeepOnCommit:
    """The commit callback; its only job is to be run (commit) or dropped unrun (rollback)."""

    __slots__ = ("fate", "__weakref__")

    def __init__(self, fate: _Fate) -> None:
        self.fate = fate

    def __call__(self) -> None:
        self.fate.committed = True


def _delete_unless_committed(storage: Storage, name: str, fate: _Fate) -> None:
    if fate.committed:
        return
    try:
        storage.delete(name)
    except Exception:  # a finaliser must not raise; the file is then only an unreferenced leftover
        logger.warning("Could not remove %s after its transaction rolled back", name, exc_info=True)


def delete_if_rolled_back(storage: Storage, name: str, *, using: str | None = None) -> None:
    """Delete the stored file `name` if the current transaction (or savepoint) rolls back."""
    fate = _Fate()
    keep = _KeepOnCommit(fate)
    # The finaliser must not refer to `keep`, or `keep` would never be dropped.
    finaliser = weakref.finalize(keep, _delete_unless_committed, storage, name, fate)
    finaliser.atexit = False
    transaction.on_commit(keep, using=using)


def save_file(field_file: FieldFile, name: str, content: File) -> str:
    """Write `content` through the field's storage (the row is saved by the caller), kept only if
    the transaction commits. Returns the stored name, which the storage may have made unique."""
    field_file.save(name, content, save=False)
    delete_if_rolled_back(field_file.storage, field_file.name)
    return field_file.name


def delete_on_commit(storage: Storage, name: str) -> None:
    """Delete a file that a committed change no longer refers to (a replaced logo)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
