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


def local_return_path(request: HttpRequest, value: str, default: str = "/") -> str:
    """Where to send a person back to after a form: a path on this host only, never another site
    and never a control character (a newline in a redirect's Location is a 500), else `default`."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if not value or not value.startswith("/") or any(ord(char) < 32 or ord(char) == 127 for char in value):
        return default
    if not url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return default
    return value
