"""Text PostgreSQL cannot store: a NUL character, or a lone surrogate (which UTF-8 cannot encode).

Every way text comes in checks it here and names where it was, so such input is a 400
naming the field (the API, tenancy/api_common.py) or an error naming the line and column
(CSV imports), never a database error. Forms need nothing more: Django's CharField refuses
NUL, a choice field finds no choice for it, and form-encoded text decodes with replacement
characters, so it never carries a lone surrogate.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

NUL_MESSAGE = "contains a NUL character (\\x00), which cannot be stored."
SURROGATE_MESSAGE = "contains an unpaired surrogate character, which is not valid Unicode text."


def unstorable_reason(text: str) -> str | None:
    """Why `text` cannot be stored, or None when it can."""
    if "\x00" in text:
        return NUL_MESSAGE
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATE_MESSAGE
    return None


def printable_name(name: str) -> str:
    """A field name that may itself hold such characters, written so it can be shown."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def _walk(value, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        items = value.lists() if hasattr(value, "lists") else value.items()
        for key, item in items:
            key = str(key)
            child = f"{path}.{key}" if path else key
            yield child, key
            yield from _walk(item, child)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}[{index}]" if path else str(index))


def first_unstorable(data) -> tuple[str, str] | None:
    """(field, message) for the first text in `data` (a mapping, list or string) that cannot be stored.

    The field is the top-level name; for a value deeper inside, the message says where.
    """
    for path, text in _walk(data, ""):
        reason = unstorable_reason(text)
        if reason is None:
            continue
        field = printable_name(path.split(".", 1)[0].split("[", 1)[0])
        where = f" (at {printable_name(path)})" if printable_name(path) != field else ""
        return field, f"This value {reason.removesuffix('.')}{where}."
    return None
