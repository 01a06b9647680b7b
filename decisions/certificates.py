"""One PDF certificate per winner: Thai names and the Thai date in Buddhist Era, shaped properly."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from analytics.thai import thai_date

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
    """Return an A4 landscape certificate as PDF bytes."""
    lines = [
        ("สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)", 18, False),
        ("เกียรติบัตรฉบับนี้ให้ไว้เพื่อแสดงว่า", 20, False),
        (winner, 34, True),
        *([(f"หน่วยงาน {agency}", 20, False)] if agency else []),
        (f"ได้รับรางวัล {award}", 24, True),
        (f"DIGI Data Awards ประจำปีงบประมาณ พ.ศ. {fiscal_year}", 20, False),
        (f"ให้ไว้ ณ วันที่ {thai_date(day)}", 18, False),
    ]
    for path in {font, bold}:
        if not path.exists():
            raise FileNotFoundError(f"Thai font {path} is missing: run ./dev system-deps")
        lacking = missing_glyphs(path, "".join(text for text, _, _ in lines))
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
    pdf.set_y(30)
    for text, size, strong in lines:
        pdf.set_font("thai", "B" if strong else "", size)
        pdf.multi_cell(0, size * 0.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
    return bytes(pdf.output())
