"""Connecting as the schema owner, for the few commands that must (migrate, flush)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connections

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


def app_role() -> str:
    """The role the portal connects as (from DATABASE_URL), whoever is connected now."""
    return settings.DATABASE_APP_USER


@contextmanager
def as_schema_owner(alias: str = "default") -> Iterator[None]:
    """Reconnect `alias` as the owner role (DATABASE_OWNER_URL) for the block."""
    connection = connections[alias]
    saved = {key: connection.settings_dict.get(key) for key in CREDENTIALS}
    connection.close()
    connection.settings_dict.update({key: settings.DATABASE_OWNER.get(key) for key in CREDENTIALS})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)
