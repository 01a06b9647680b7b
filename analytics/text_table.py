"""Compact aligned text tables for terminals, measuring Thai text by its display width."""

from __future__ import annotations

import unicodedata

import polars as pl

MAX_CELL = 42  # display columns; longer titles are cut with an ellipsis


def width(text: str) -> int:
    """Return how many terminal columns text takes (Thai vowel and tone marks take none)."""
    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def cut(text: str, limit: int = MAX_CELL) -> str:
    """Return text cut to at most `limit` display columns, marks kept with their letters."""
    if width(text) <= limit:
        return text
    kept, used = [], 0
    for char in text:
        step = width(char)
        if used + step > limit - 1:
            break
        kept.append(char)
        used += step
    return "".join(kept) + "…"


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return cut(str(value))


MIN_CELL = 8  # a text column is not cut narrower than this to fit the terminal
TITLES = ("title", "agency_title", "category_title", "winner_title")  # cut first to fit...
TITLE_MIN = 20  # ...down to this many columns, before any other
KEPT = ("status", "flags")  # what staff must read whole


def fit(
    widths: list[int], least: list[int], max_width: int, first: tuple[int, ...] = ()
) -> list[int]:
    """Return column widths whose line fits max_width, narrowing the widest columns first.

    least: how narrow each column may get; first: columns narrowed before any other (titles).
    When all are at their least the line stays wider than asked.
    """
    widths = list(widths)
    excess = sum(widths) + 2 * (len(widths) - 1) - max_width
    while excess > 0:  # a handful of columns, one display column at a time
        cuttable = [i for i, w in enumerate(widths) if w > least[i]]
        cuttable = [i for i in cuttable if i in first and widths[i] > TITLE_MIN] or cuttable
        if not cuttable:
            break
        widest = max(cuttable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    return widths


def render(frame: pl.DataFrame, max_width: int | None = None) -> str:
    """Return the frame as an aligned table: numbers right-aligned, text left-aligned.

    With max_width (a terminal's columns) long text cells and headers are cut to fit.
    """
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]
    rows = [[_cell(v) for v in row] for row in frame.iter_rows()]  # the printed rows only
    header = list(frame.columns)
    widths = [max([width(name), *(width(row[i]) for row in rows)]) for i, name in enumerate(header)]
    if max_width is not None:
        # numbers are never cut (only their headers), status and flags not at all
        least = [
            w
            if header[i] in KEPT
            else max([1, *(width(row[i]) for row in rows)])
            if numeric[i]
            else min(w, MIN_CELL)
            for i, w in enumerate(widths)
        ]
        titles = tuple(i for i, name in enumerate(header) if name in TITLES)
        fitted = fit(widths, least, max_width, titles)
        cut_at = [i for i, (w, f) in enumerate(zip(widths, fitted, strict=True)) if f < w]
        for i in cut_at:
            header[i] = cut(header[i], fitted[i])
            for row in rows:
                row[i] = cut(row[i], fitted[i])
        widths = fitted

    def line(cells: list[str]) -> str:
        padded = []
        for cell, size, right in zip(cells, widths, numeric, strict=True):
            gap = " " * (size - width(cell))
            padded.append(gap + cell if right else cell + gap)
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * size for size in widths)
    return "\n".join([line(header), rule, *(line(row) for row in rows)]) + "\n"
