"""One PDF certificate per winner: Thai names and the Thai date in Buddhist Era, shaped properly."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pypdfium2 as pdfium
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


Line = tuple[str, int, bool]  # text, size in points, bold


def _lines(winner: str, award: str, fiscal_year: int, day: date, agency: str | None) -> list[Line]:
    if not winner.strip() or not award.strip():
        raise ValueError("a certificate needs the winner's name and the award")
    return [
        ("สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)", 18, False),
        ("เกียรติบัตรฉบับนี้ให้ไว้เพื่อแสดงว่า", 20, False),
        (winner, 34, True),
        *([(f"หน่วยงาน {agency}", 20, False)] if agency else []),
        (f"ได้รับรางวัล {award}", 24, True),
        (f"DIGI Data Awards ประจำปีงบประมาณ พ.ศ. {fiscal_year}", 20, False),
        (f"ให้ไว้ ณ วันที่ {thai_date(day)}", 18, False),
    ]


# the signatory signs by hand: a line, a place for the printed name, and the office
SIGNATURE: list[Line] = [
    ("ลงชื่อ ..................................................", 16, False),
    ("(..................................................)", 16, False),
    ("ผู้อำนวยการสำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)", 16, False),
]


def _document(title: str, pages: list[list[Line]], font: Path, bold: Path) -> bytes:
    """Return one PDF with a certificate page per list of lines (refused if a glyph lacks)."""
    every = "".join(text for lines in [*pages, SIGNATURE] for text, _, _ in lines)
    for path in {font, bold}:
        if not path.exists():
            raise FileNotFoundError(f"Thai font {path} is missing: run ./dev system-deps")
        lacking = missing_glyphs(path, every)
        if lacking:
            raise MissingGlyphs(f"{path.name} has no glyph for {''.join(sorted(lacking))!r}")
    pdf = FPDF(orientation="L", format="A4")
    pdf.set_title(title)
    pdf.add_font("thai", "", str(font))
    pdf.add_font("thai", "B", str(bold))
    pdf.set_text_shaping(True)  # Thai vowels and tone marks stack only with shaping (HarfBuzz)
    pdf.set_auto_page_break(False)  # one page each: long names wrap, the signature stays on it
    for lines in pages:  # one page per award: a few dozen at most
        pdf.add_page()
        pdf.set_draw_color(31, 78, 156)
        pdf.set_line_width(2)
        pdf.rect(10, 10, 277, 190)
        pdf.set_y(22)
        for text, size, strong in lines:
            pdf.set_font("thai", "B" if strong else "", size)
            pdf.multi_cell(0, size * 0.6, text, align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        pdf.ln(4)
        for text, size, strong in SIGNATURE:
            pdf.set_font("thai", "B" if strong else "", size)
            pdf.multi_cell(0, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


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
    lines = _lines(winner, award, fiscal_year, day, agency)
    return _document(f"{award} {fiscal_year}: {winner}", [lines], font, bold)


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
    awards = winners.select(
        pl.col("category").replace_strict(award_titles, default=pl.col("category")).alias("award")
    )
    return dict(
        winner_certificate(row, fiscal_year, day=day)
        for row in winners.with_columns(awards).iter_rows(named=True)  # a few dozen at most
    )


def winner_certificate(
    winner: Mapping[str, Any], fiscal_year: int, *, day: date
) -> tuple[str, bytes]:
    """Return (file name, PDF) of one winner: a decision row with its `award` title."""
    agency = winner["agency_title"] if winner["agency_title"] != winner["winner_title"] else None
    stem = f"certificate-{fiscal_year}-{winner['category']}-{winner['winner_id']}"
    pdf = certificate_pdf(
        winner=winner["winner_title"],
        award=winner["award"],
        fiscal_year=fiscal_year,
        day=day,
        agency=agency or None,
    )
    return re.sub(r"[^\w.-]+", "_", stem) + ".pdf", pdf


# Characters no file system or zip tool takes in a name; Thai letters and marks stay.
UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f\s]+')


def safe_name(text: str, limit: int = 60) -> str:
    """Return text fit for a file name: runs of unsafe characters or spaces to '_', cut."""
    cleaned = UNSAFE_IN_NAMES.sub("_", text.strip()).strip("._")
    return cleaned[:limit].rstrip("._") or "_"


def winners_in_order(
    store: DecisionStore, user: User, fiscal_year: int, shortlist: pl.DataFrame
) -> pl.DataFrame:
    """Return the year's approved winners in announcement order (staff only).

    The order is the rules' (the shortlist's categories as they come), then each winner's position
    on its shortlist; adds `award` (the category's title), `rank` (1.. within the award) and
    `file_name` (award, rank and winner, safe: the pack's zip names).
    """
    if user.role != "staff":
        raise PermissionError(f"{user.name} ({user.role}) may not print certificates: staff only")
    approved = store.decisions_frame(user, fiscal_year).filter(pl.col("status") == "approved")
    awards = (
        shortlist.select("category", pl.col("category_title").alias("award"))
        .unique("category", maintain_order=True)
        .with_row_index("award_order")
    )
    places = shortlist.select(
        "category", pl.col("id").alias("winner_id"), pl.col("position").cast(pl.Int64)
    ).unique(["category", "winner_id"], keep="first")
    ordered = (
        approved.join(awards, on="category", how="left")
        .join(places, on=["category", "winner_id"], how="left")
        .with_columns(pl.col("award").fill_null(pl.col("category")))
        .sort(
            pl.col("award_order").is_null(),
            "award_order",
            pl.col("position").is_null(),
            "position",
            "id",
        )
        .with_columns(pl.int_range(1, pl.len() + 1).over("category").alias("rank"))
        .with_row_index("order", offset=1)
    )
    return ordered.with_columns(
        pl.struct("order", "award", "rank", "winner_title")
        .map_elements(  # a few dozen names, each cleaned by one regex
            lambda r: (
                f"{r['order']:02d}-{safe_name(r['award'])}-{r['rank']:02d}-"
                f"{safe_name(r['winner_title'])}.pdf"
            ),
            return_dtype=pl.String,
        )
        .alias("file_name")
    )


def _pages(winners: pl.DataFrame, fiscal_year: int, day: date) -> list[list[Line]]:
    return [
        _lines(title, award, fiscal_year, day, agency if agency and agency != title else None)
        for title, award, agency in winners.select(
            "winner_title", "award", "agency_title"
        ).iter_rows()
    ]


def certificate_pack(winners: pl.DataFrame, fiscal_year: int, *, day: date) -> bytes:
    """Return one PDF with a certificate page per winner of winners_in_order, ready to print."""
    if winners.is_empty():
        raise ValueError(f"fiscal year {fiscal_year} has no approved winner to print")
    title = f"DIGI Data Awards {fiscal_year}"
    return _document(title, _pages(winners, fiscal_year, day), THAI_FONT, THAI_FONT_BOLD)


def certificate_zip(
    winners: pl.DataFrame, fiscal_year: int, *, day: date, pack: bytes | None = None
) -> bytes:
    """Return a zip of one PDF per winner of winners_in_order, named by its `file_name`.

    The PDFs are the pages of the merged pack (certificate_pack, or `pack` if already made):
    the same certificates, shaped and subset once.
    """
    merged = pdfium.PdfDocument(pack or certificate_pack(winners, fiscal_year, day=day))
    if len(merged) != winners.height:
        raise ValueError(f"the pack has {len(merged)} pages for {winners.height} winners")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for page, name in enumerate(winners["file_name"]):  # a few dozen pages
            single = pdfium.PdfDocument.new()
            single.import_pages(merged, [page])
            out = io.BytesIO()
            single.save(out)
            bundle.writestr(name, out.getvalue())
    return buffer.getvalue()
