"""WCAG 2.1 contrast for brand colours: what the portal puts on them must stay readable.

The portal writes white text on the primary colour (top bar, buttons) and uses the primary
colour itself for links and headings on white and on the light page background; so the
primary colour must reach 4.5:1 (WCAG 2.1 AA, success criterion 1.4.3) against white and
against the page background. The accent colour carries only borders and the brand mark,
whose letter takes black or white, whichever reads better, so any accent can be used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

AA_NORMAL_TEXT = 4.5
WHITE = "#ffffff"
INK = "#1c2430"
PAGE_BACKGROUND = "#f5f7fa"
DEFAULT_PRIMARY = "#0b3d91"
DEFAULT_ACCENT = "#f28c28"
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


def _rgb(color: str) -> tuple[int, int, int]:
    value = color.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{max(0, min(255, round(channel))):02x}" for channel in rgb)


def relative_luminance(color: str) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_color_on(background: str) -> str:
    """White or the portal's ink, whichever reads better on `background` (always at least 4.5:1)."""
    return WHITE if contrast_ratio(WHITE, background) >= contrast_ratio(INK, background) else INK


def primary_contrast(primary: str) -> float:
    """The weakest of the pairings the portal draws with the primary colour."""
    return min(contrast_ratio(primary, WHITE), contrast_ratio(primary, PAGE_BACKGROUND))


def darkened_until_readable(color: str) -> str:
    """The nearest darker shade of `color` (mixed with black) that meets AA as a primary colour."""
    r, g, b = _rgb(color)
    for step in range(0, 101):
        keep = 1 - step / 100
        candidate = _hex((r * keep, g * keep, b * keep))
        if primary_contrast(candidate) >= AA_NORMAL_TEXT:
            return candidate
    return "#000000"


@dataclass(frozen=True)
class PrimaryCheck:
    ratio: float
    suggestion: str

    @property
    def passes(self) -> bool:
        return self.ratio >= AA_NORMAL_TEXT

    @property
    def message(self) -> str:
        return (f"White text on this colour, and this colour as link text on the light page, reach only "
                f"{self.ratio:.2f}:1; WCAG 2.1 AA needs 4.5:1. Try a darker shade such as {self.suggestion}.")


def check_primary(primary: str) -> PrimaryCheck:
    return PrimaryCheck(ratio=primary_contrast(primary), suggestion=darkened_until_readable(primary))


def readable_primary(primary: str) -> str:
    """The colour to draw with: the brand's own when it passes, else its nearest readable shade
    (brands saved before colours were checked must not make pages unreadable)."""
    try:
        return primary if primary_contrast(primary) >= AA_NORMAL_TEXT else darkened_until_readable(primary)
    except (ValueError, IndexError):
        return DEFAULT_PRIMARY
