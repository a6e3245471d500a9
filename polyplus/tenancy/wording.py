"""Small rules of English the portal's sentences follow."""

from __future__ import annotations

import re

# Letters whose names start with a vowel sound, for words read letter by letter (an ITP, an SX).
VOWEL_SOUND_LETTERS = frozenset("AEFHILMNORSX")
# Words spelt with a vowel that start with a consonant sound, and the reverse.
CONSONANT_SOUND_STARTS = ("uni", "use", "usu", "uti", "ura", "ure", "uro", "eu", "ewe", "one", "once", "ubiq")
VOWEL_SOUND_STARTS = ("hour", "honest", "honor", "honour", "heir")


def indefinite_article(phrase: str) -> str:
    """"a" or "an" before `phrase`, by the sound its first word starts with."""
    words = phrase.split()
    if not words:
        return "a"
    word = words[0].strip("(\"'“‘")
    letters = re.match(r"[A-Za-z]*", word).group(0)
    if len(letters) > 1 and letters.isupper():  # read letter by letter: an ITP, an SX-50, a USB hub
        return "an" if letters[0] in VOWEL_SOUND_LETTERS else "a"
    lower = word.lower()
    if lower.startswith(VOWEL_SOUND_STARTS):
        return "an"
    if lower.startswith(CONSONANT_SOUND_STARTS):
        return "a"
    return "an" if lower[:1] in ("a", "e", "i", "o", "u") else "a"


def with_article(phrase: str) -> str:
    """`phrase` after its indefinite article: "an Immersive Telepresence (ITP)", "a Video"."""
    return f"{indefinite_article(phrase)} {phrase}"
