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


def render(frame: pl.DataFrame) -> str:
    """Return the frame as an aligned table: numbers right-aligned, text left-aligned."""
    numeric = [dtype.is_numeric() for dtype in frame.dtypes]
    rows = [[_cell(v) for v in row] for row in frame.iter_rows()]  # the printed rows only
    widths = [
        max([width(name), *(width(row[i]) for row in rows)]) for i, name in enumerate(frame.columns)
    ]

    def line(cells: list[str]) -> str:
        padded = []
        for cell, size, right in zip(cells, widths, numeric, strict=True):
            gap = " " * (size - width(cell))
            padded.append(gap + cell if right else cell + gap)
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * size for size in widths)
    return "\n".join([line(list(frame.columns)), rule, *(line(row) for row in rows)]) + "\n"
