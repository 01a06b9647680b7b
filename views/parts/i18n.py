"""The one translation system: every word the dashboard shows, in Thai and English, by key.

The table itself is views/parts/i18n.toml, read once. Pages ask for `text("key", name=value)`; the
language is the reader's current choice, so a switch applies to everything on the next rerun.
Keys are what URLs and code hold (`unique_requests`, `central`); labels are only ever produced
here. `tests/views/test_i18n.py` checks that both languages are complete, that English has no
Thai in it, and that every key the views ask for exists.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from analytics.vocabulary import GROUP_LABELS, METRICS

TABLE = Path(__file__).with_name("i18n.toml")


def _flatten(section: dict[str, Any], prefix: str = "") -> dict[str, tuple[str, str]]:
    """Return a TOML section's ["Thai", "English"] pairs by dotted key."""
    pairs: dict[str, tuple[str, str]] = {}
    for name, value in section.items():
        key = f"{prefix}{name}"
        if isinstance(value, dict):
            pairs.update(_flatten(value, f"{key}."))
        else:
            th, en = value  # a malformed entry fails at import, not in front of a reader
            pairs[key] = (str(th), str(en))
    return pairs


# key -> (Thai, English): the table file, then the names analytics/vocabulary.py holds.
STRINGS: dict[str, tuple[str, str]] = _flatten(tomllib.loads(TABLE.read_text(encoding="utf-8")))
STRINGS.update({f"metric.{m.name}": (m.th, m.en) for m in METRICS.values()})
STRINGS.update({f"metric.{m.name}.about": (m.about_th, m.about_en) for m in METRICS.values()})
STRINGS.update({f"col.{m.name}": (m.th, m.en) for m in METRICS.values()})
STRINGS.update({f"group.{g}": labels for g, labels in GROUP_LABELS.items()})
STRINGS.update({f"value.{g}": labels for g, labels in GROUP_LABELS.items()})


def english() -> bool:
    """Return whether the reader switched to English (Thai is the default)."""
    if "en" in st.session_state:
        return bool(st.session_state["en"])
    # before the toggle is drawn (page titles in the navigation): what the URL says
    return st.query_params.get("en", "").lower() in ("true", "1")


def wording(key: str, in_english: bool, **values: object) -> str:
    """Return the wording of `key` in the given language, placeholders filled."""
    th, en = STRINGS[key]
    chosen = en if in_english else th
    return chosen.format(**values) if values else chosen


def text(key: str, **values: object) -> str:
    """Return the wording of `key` in the reader's language, placeholders filled."""
    return wording(key, english(), **values)


# What decisions/ raises (in English, for logs and the CLI) -> the table's key for the pages.
_AWARD_FULL = (  # the store's refusal of an approval beyond a category's cap, named both ways
    r"the award (?P<award_th>.+) \((?P<award_en>[^()]*)\) allows (?P<winners>\d+) winner\(s\) "
    r"and has (?P<n>\d+) approved \((?P<held>[^()]*)\)"
)
ERRORS = (
    (r"fiscal year (?P<fy>\d+) is not a Buddhist Era year.*", "error.not_be_year"),
    (r"(?P<who>.+) may not .+: staff only", "error.staff_only"),
    (r"fiscal year (?P<fy>\d+) is announced: decisions are final", "error.final"),
    (r"a proposal needs a reason", "error.needs_reason"),
    (r"a proposal needs a (?P<field>.+)", "error.needs_field"),
    (r"withdrawing needs a reason", "error.withdraw_reason"),
    (
        r"(?P<winner>.+) is already (?P<status>\w+) in (?P<category>.+) \(decision #(?P<id>\d+)\)",
        "error.already",
    ),
    (r"no decision #(?P<id>\d+)", "error.no_decision"),
    (
        r"decision #(?P<id>\d+) is (?P<status>\w+): it cannot become (?P<target>\w+)",
        "error.cannot_become",
    ),
    (
        r"(?P<winner>.+) is flagged \((?P<flags>.*)\): approving it needs a written justification",
        "error.flagged",
    ),
    (
        _AWARD_FULL + r": withdraw one before approving #(?P<id>\d+)",
        "error.cap_full",
    ),
    (
        _AWARD_FULL + r": #(?P<id>\d+) ties the last winner, and sharing the award needs a "
        r"written justification",
        "error.cap_tie_reason",
    ),
    (
        _AWARD_FULL + r": #(?P<id>\d+) may share it only if its figure ties the last winner's "
        r"\((?P<shown>.*)\)",
        "error.cap_not_tied",
    ),
    (r"decide the open proposals (?P<ids>.+) before announcing", "error.open_proposals"),
    (r"fiscal year (?P<fy>\d+) has no approved winner to announce", "error.no_winner"),
)


def error(exc: BaseException, names: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """Return an error raised below the pages in the reader's language.

    `names` gives, per parameter (`winner`, `category`), the names of the ids the store wrote:
    a reader is told about an award and an agency, never about `agency-overall`.
    """
    message = str(exc)
    for pattern, key in ERRORS:
        found = re.fullmatch(pattern, message)
        if found:
            values = {
                name: _value(name, v, (names or {}).get(name, {}))
                for name, v in found.groupdict().items()
            }
            return text(key, **values)
    return text("error.other", message=message)


def _value(name: str, value: str, names: Mapping[str, str]) -> str:
    """Return an error's parameter as the reader reads it: ids named, statuses, field names and
    flags translated."""
    if value in names:
        return names[value]
    if name == "flags":
        codes = [code for code in value.split(", ") if code]
        return ", ".join(text(f"badge.{c}") if f"badge.{c}" in STRINGS else c for c in codes)
    prefixes = {"status": "status.", "target": "status.", "field": "error.field_"}
    key = (prefixes | {"shown": "error.shown_"}).get(name, "")
    key += value.replace(" ", "_")
    return text(key) if key in STRINGS else value


def has(key: str) -> bool:
    """Return whether the table holds `key`."""
    return key in STRINGS
