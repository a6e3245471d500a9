"""Mail you can read locally: each message as an `.eml` file (attachments included) in a folder.

`make run` uses this backend: every message the worker sends lands in EMAIL_FILE_PATH
(`var/mail/` by default) as a standard MIME file that any mail program opens, and a line
naming the file is printed on the worker's console.
"""

from __future__ import annotations

import re
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone


class EmlFileBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        folder = Path(str(settings.EMAIL_FILE_PATH))
        folder.mkdir(parents=True, exist_ok=True)
        sent = 0
        for message in email_messages:
            subject = re.sub(r"[^A-Za-z0-9]+", "-", message.subject)[:60].strip("-") or "mail"
            path = folder / f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}-{subject}.eml"
            path.write_bytes(message.message().as_bytes(linesep="\r\n"))
            print(f"mail to {', '.join(message.recipients())}: {message.subject!r} -> {path}", file=sys.stdout,
                  flush=True)
            sent += 1
        return sent
