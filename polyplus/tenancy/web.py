"""Reading what a person put in a page's address, safely: the same helpers for every app's views."""

from __future__ import annotations

import re

from django.http import HttpRequest

ID_PATTERN = re.compile(r"[0-9]{1,18}")


def text_param(request: HttpRequest, name: str) -> str:
    """What a person typed into a filter; PostgreSQL text cannot hold NUL, so it is dropped."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:200]


def id_param(request: HttpRequest, name: str) -> int | None:
    """A row id from the address, or None for anything that is not one (letters, "²", 40 digits)."""
    value = request.GET.get(name, "")
    return int(value) if ID_PATTERN.fullmatch(value) else None
