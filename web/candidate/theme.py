"""A company's accent colour on its public pages.

The CSP allows no inline styles (``style-src 'self'``), so the colour comes as a tiny
stylesheet whose address is the colour itself (``/theme/1d5c8c.css``): no query, and it can be
cached for good, since another colour is another address. The colour is darkened, if needed,
until white text on it and it as text on white both reach WCAG AA contrast (4.5:1), so a
pale brand colour cannot make buttons or links unreadable.
"""

from __future__ import annotations

import re

from core.companies import DEFAULT_ACCENT

_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
AA_CONTRAST = 4.5


def accent_key(colour: str | None) -> str:
    """The six hex digits of a stored colour (``#1D5C8C`` → ``1d5c8c``); the default for
    anything that is not one."""
    found = _HEX.fullmatch((colour or "").strip())
    return found.group(1).lower() if found else DEFAULT_ACCENT.lstrip("#").lower()


def is_accent_key(value: str) -> bool:
    return re.fullmatch(r"[0-9a-f]{6}", value) is not None


def readable(key: str) -> str:
    """The colour, darkened in small steps until it has 4.5:1 contrast with white."""
    rgb = [int(key[i : i + 2], 16) for i in (0, 2, 4)]
    while _contrast_with_white(rgb) < AA_CONTRAST:
        rgb = [int(channel * 0.92) for channel in rgb]
    return "#" + "".join(f"{channel:02x}" for channel in rgb)


def accent_css(key: str) -> str:
    colour = readable(key)
    return (
        "/* a company's accent colour (web/candidate/theme.py) */\n"
        f":root {{ --accent: {colour}; --accent-ink: #fff; }}\n"
    )


def _contrast_with_white(rgb: list[int]) -> float:
    return 1.05 / (_luminance(rgb) + 0.05)


def _luminance(rgb: list[int]) -> float:
    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(channel) for channel in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b
