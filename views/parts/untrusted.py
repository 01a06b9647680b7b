"""What comes from outside (catalog titles, URL values): shown as text, used only when valid."""

from __future__ import annotations

import math
import re

# Every ASCII punctuation mark can start Markdown or Streamlit syntax (links, images, `:red[...]`,
# `:material/x:`, `$math$`, entities, autolinks); CommonMark lets a backslash make any of them
# literal, so all of them are escaped rather than a list that misses the next directive.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GitHub's autolinks (http://..., www.x, a@b.c) are found in the text after escapes are
# resolved, so escaping cannot stop them: an invisible word joiner after ':' and '@' and before
# '.' breaks every pattern they need and changes nothing a reader sees.
_JOINER = "\u2060"


def md_text(value: object) -> str:
    """Return the value as Markdown that renders exactly its text (one line, nothing active)."""
    text = " ".join(str(value).split())  # a line break could start a heading or a list
    escaped = _PUNCTUATION.sub(r"\\\1", text)
    return (
        escaped.replace("\\:", "\\:" + _JOINER)
        .replace("\\@", "\\@" + _JOINER)
        .replace("\\.", _JOINER + "\\.")
    )


def url_seconds(raw: str | None, default: float, low: float, high: float) -> tuple[float, bool]:
    """Return seconds from a URL value clamped to [low, high], and whether the value was usable.

    Anything that is not a plain finite number (`²`, `nan`, `1e999`, text) gives the default.
    """
    if raw is None:
        return default, True
    try:
        value = float(raw) if raw.strip().isascii() else float("nan")
    except ValueError:
        return default, False
    if not math.isfinite(value):
        return default, False
    return max(low, min(value, high)), True
