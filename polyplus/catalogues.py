"""The translation catalogues (locale/<language>/LC_MESSAGES/django.po) compiled to the .mo files
Django reads. `make run`, `make test` and the image build run this, so no step is left to do by
hand; only a catalogue newer than its .mo is compiled again. Pure Python (polib): no gettext
tools are needed to run the portal.

    python -m polyplus.catalogues
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def compile_catalogues(locale: Path = LOCALE) -> list[Path]:
    """Compile every catalogue whose .mo is missing or older; return the .mo files written.
    Fuzzy and untranslated entries are left out, so they fall back to English."""
    written = []
    for catalogue in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        compiled = catalogue.with_suffix(".mo")
        if compiled.exists() and compiled.stat().st_mtime >= catalogue.stat().st_mtime:
            continue
        polib.pofile(str(catalogue)).save_as_mofile(str(compiled))
        written.append(compiled)
    return written


if __name__ == "__main__":
    for path in compile_catalogues():
        print(f"compiled {path.relative_to(LOCALE.parent)}")
    sys.exit(0)
