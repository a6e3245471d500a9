"""What a case attachment really is, judged by its bytes, never by its name."""

from __future__ import annotations

ALLOWED_KINDS = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04",),
    "application/gzip": (b"\x1f\x8b",),
}
ALLOWED_DESCRIPTION = "PNG or JPEG photos, PDF, plain-text logs, or ZIP/gzip archives of logs"


def sniff_content_type(head: bytes) -> str | None:
    """The content type of an allowed file from its first bytes, or None when it is not allowed."""
    for content_type, signatures in ALLOWED_KINDS.items():
        if head.startswith(signatures):
            return content_type
    if _is_plain_text(head):
        return "text/plain"
    return None


def _is_plain_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may end inside a multi-byte character; only an error before the last 3 bytes counts.
        return error.start >= len(head) - 3
    return True
