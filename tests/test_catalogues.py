"""The Polish and Swedish catalogues are complete: every string marked for translation on the
customers' pages and mails (as `makemessages` finds them in the code and templates today) has a
translation in each, none fuzzy, each keeping its placeholders and markup, and each compiles.

When this fails after a change of wording: run
    .venv/bin/python -m polyplus.devstack manage makemessages -l pl -l sv --no-location \
        --ignore='.venv/*' --ignore='var/*' --ignore='tests/*' --ignore='build/*' --ignore='mutation/*'
then translate what it lists in locale/pl and locale/sv (README, "Languages").
"""

import re
import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

from polyplus.catalogues import LOCALE, compile_catalogues

LANGUAGES = ("pl", "sv")
IGNORED = ["locale", ".venv/*", "var/*", "tests/*", "build/*", "mutation/*", "staticfiles/*", "node_modules/*",
           "docs/*"]
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|<[^>]+>")


@pytest.fixture(scope="module")
def current_catalogues(tmp_path_factory, django_db_blocker):
    """The committed catalogues merged with what the code marks today, in a copy (the tree stays as it is)."""
    copy = tmp_path_factory.mktemp("locale")
    for code in LANGUAGES:
        shutil.copytree(LOCALE / code, copy / code)
    from django.test import override_settings

    with override_settings(LOCALE_PATHS=[copy]):
        call_command("makemessages", locale=list(LANGUAGES), no_location=True, ignore_patterns=IGNORED, verbosity=0,
                     no_obsolete=True)
    return {code: polib.pofile(str(copy / code / "LC_MESSAGES" / "django.po")) for code in LANGUAGES}


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_marked_string_is_translated_and_none_is_fuzzy(current_catalogues, code):
    catalogue = current_catalogues[code]
    missing = [entry.msgid for entry in catalogue if not entry.obsolete and not entry.translated()]
    assert missing == [], f"locale/{code}: untranslated or fuzzy: {missing}"
    assert len(catalogue.translated_entries()) > 150  # the pages are really marked, not an empty catalogue


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_committed_catalogue_holds_every_string_the_code_marks(current_catalogues, code):
    committed = {entry.msgid for entry in polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po"))}
    marked = {entry.msgid for entry in current_catalogues[code] if not entry.obsolete}
    assert sorted(marked - committed) == []


@pytest.mark.parametrize("code", LANGUAGES)
def test_translations_keep_their_placeholders_and_markup(code):
    for entry in polib.pofile(str(LOCALE / code / "LC_MESSAGES" / "django.po")):
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for words in translations:
            assert sorted(PLACEHOLDER.findall(words)) == wanted, f"locale/{code}: {entry.msgid!r} -> {words!r}"


def test_the_catalogues_compile(tmp_path):
    for code in LANGUAGES:
        shutil.copytree(LOCALE / code, tmp_path / code)
    written = compile_catalogues(tmp_path)
    assert sorted(path.parent.parent.name for path in written) == sorted(LANGUAGES)
    assert all(path.stat().st_size > 1000 for path in written)
    assert compile_catalogues(tmp_path) == []  # up to date: nothing compiled again


def test_the_portal_reads_compiled_catalogues():
    for code in LANGUAGES:
        assert Path(LOCALE / code / "LC_MESSAGES" / "django.mo").exists(), "make run / make test compile them"
