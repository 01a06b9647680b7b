"""One PDF certificate per winner: Thai names and the Thai date in Buddhist Era, shaped properly."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import polars as pl
from fontTools.ttLib import TTFont
from fpdf import FPDF

from analytics.thai import thai_date
from decisions.auth import User
from decisions.store import DecisionStore

# Debian's fonts-thai-tlwg (installed by ./dev system-deps): Garuda has Thai and Latin glyphs.
THAI_FONT = Path("/usr/share/fonts/truetype/tlwg/Garuda.ttf")
THAI_FONT_BOLD = Path("/usr/share/fonts/truetype/tlwg/Garuda-Bold.ttf")


class MissingGlyphs(ValueError):
    """The font cannot draw some characters of the certificate: it would print boxes."""


def missing_glyphs(font: Path, text: str) -> set[str]:
    """Return the characters of text (spaces aside) that the font has no glyph for."""
    cmap = TTFont(str(font), lazy=True).getBestCmap()
    return {c for c in set(text) if not c.isspace() and ord(c) not in cmap}


def certificate_pdf(
    *,
    winner: str,
    award: str,
    fiscal_year: int,
    day: date,
    agency: str | None = None,
    font: Path = THAI_FONT,
    bold: Path = THAI_FONT_BOLD,
) -> bytes:
    """Return an A4 landscape certificate as PDF bytes (refused if the font lacks a glyph)."""
    if not winner.strip() or not award.strip():
        raise ValueError("a certificate needs the winner's name and the award")
    lines = [
        ("สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)", 18, False),
        ("เกียรติบัตรฉบับนี้ให้ไว้เพื่อแสดงว่า", 20, False),
        (winner, 34, True),
        *([(f"หน่วยงาน {agency}", 20, False)] if agency else []),
        (f"ได้รับรางวัล {award}", 24, True),
        (f"DIGI Data Awards ประจำปีงบประมาณ พ.ศ. {fiscal_year}", 20, False),
        (f"ให้ไว้ ณ วันที่ {thai_date(day)}", 18, False),
    ]
    # the signatory signs by hand: a line, a place for the printed name, and the office
    signature = [
        ("ลงชื่อ ..................................................", 16, False),
        ("(..................................................)", 16, False),
        ("ผู้อำนวยการสำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)", 16, False),
    ]
    for path in {font, bold}:
        if not path.exists():
            raise FileNotFoundError(f"Thai font {path} is missing: run ./dev system-deps")
        lacking = missing_glyphs(path, "".join(text for text, _, _ in lines + signature))
        if lacking:
            raise MissingGlyphs(f"{path.name} has no glyph for {''.join(sorted(lacking))!r}")
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(f"{award} {fiscal_year}: {winner}")
    pdf.add_font("thai", "", str(font))
    pdf.add_font("thai", "B", str(bold))
    pdf.set_text_shaping(True)  # Thai vowels and tone marks stack only with shaping (HarfBuzz)
    pdf.add_page()
    pdf.set_draw_color(31, 78, 156)
    pdf.set_line_width(2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_auto_page_break(False)  # one page: long names wrap, the signature stays on it
    pdf.set_y(22)
    for text, size, strong in lines:
        pdf.set_font("thai", "B" if strong else "", size)
        pdf.multi_cell(0, size * 0.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.ln(4)
    for text, size, strong in signature:
        pdf.set_font("thai", "B" if strong else "", size)
        pdf.multi_cell(0, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def winner_certificates(
    store: DecisionStore,
    user: User,
    fiscal_year: int,
    *,
    day: date,
    award_titles: Mapping[str, str],
) -> dict[str, bytes]:
    """Return {file name: PDF} for each approved winner of the year (staff only).

    award_titles maps a category id to its Thai title (the rules' `title`); a dataset winner's
    certificate also names its agency.
    """
    if user.role != "staff":
        raise PermissionError(f"{user.name} ({user.role}) may not print certificates: staff only")
    winners = store.decisions_frame(user, fiscal_year).filter(pl.col("status") == "approved")
    certificates = {}
    for row in winners.iter_rows(named=True):  # one PDF per winner: a few dozen at most
        agency = row["agency_title"] if row["agency_title"] != row["winner_title"] else None
        stem = f"certificate-{fiscal_year}-{row['category']}-{row['winner_id']}"
        name = re.sub(r"[^\w.-]+", "_", stem)
        certificates[f"{name}.pdf"] = certificate_pdf(
            winner=row["winner_title"],
            award=award_titles.get(row["category"], row["category"]),
            fiscal_year=fiscal_year,
            day=day,
            agency=agency or None,
        )
    return certificates
