"""Thai PDF certificates: every glyph present in the embedded font and drawn as Thai, not boxes.

Two independent checks, each shown to fail on a PDF set in a Latin-only font:
- every character of the text is drawn by a real glyph: base letters are in the cmap of the font
  embedded in the PDF (fontTools), and every character, marks too, is what some glyph other than
  .notdef stands for in the PDF's ToUnicode map (shaping swaps some marks for positioned variants
  that the subset's cmap no longer lists, e.g. thanthakhat in องค์การ);
- the rendered line (pdfium) looks like the same string drawn by Pillow/HarfBuzz in the Thai
  font: a .notdef box or a blank where a glyph is missing does not.
"""

from __future__ import annotations

import ctypes
import io
import re
import unicodedata
import zipfile
import zlib
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
from fontTools.ttLib import TTFont
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from decisions.certificates import (
    THAI_FONT,
    THAI_FONT_BOLD,
    MissingGlyphs,
    certificate_pack,
    certificate_pdf,
    certificate_zip,
    missing_glyphs,
    safe_name,
    winner_certificates,
    winners_in_order,
)
from decisions.store import DecisionStore
from tests.decisions.conftest import NON_STAFF, STAFF

LATIN_ONLY = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
SCALE = 6  # pixels per PDF point for both renders
LIKENESS = 0.96  # measured: 0.99 for the 34 pt winner line, 0.98 for the 18 pt date line
WINNER = "กรมควบคุมโรค"
AWARD = "หน่วยงานที่มีการใช้ข้อมูลเปิดสูงสุด"
DATE_LINE = "ให้ไว้ ณ วันที่ 7 พฤศจิกายน 2566"

pytestmark = pytest.mark.skipif(
    not (THAI_FONT.exists() and LATIN_ONLY.exists()), reason="run ./dev system-deps for fonts"
)


def embedded_code_points(pdf: bytes) -> set[int]:
    """Return every code point the fonts embedded in the PDF's first page have a glyph for."""
    page = pdfium.PdfDocument(pdf)[0]
    points: set[int] = set()
    for obj in page.get_objects(filter=[pdfium_raw.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_raw.FPDFTextObj_GetFont(obj.raw)
        size = ctypes.c_size_t()
        pdfium_raw.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
        data = (ctypes.c_uint8 * size.value)()
        pdfium_raw.FPDFFont_GetFontData(font, data, size.value, ctypes.byref(size))
        points |= set(TTFont(io.BytesIO(bytes(data))).getBestCmap() or {})
    return points


def drawn_characters(pdf: bytes) -> set[str]:
    """Return the characters that glyphs other than .notdef stand for (the ToUnicode CMaps)."""
    drawn: set[str] = set()
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream)
        except zlib.error:
            data = stream
        if b"beginbfchar" in data:
            for cid, code in re.findall(rb"<([0-9A-F]{4})> <([0-9A-F]{4})>", data):
                if int(cid, 16) != 0:
                    drawn.add(chr(int(code, 16)))
    return drawn


def missing_from_pdf(pdf: bytes, text: str) -> set[str]:
    """Return the characters of text the PDF has no real glyph for (both checks above)."""
    wanted = {c for c in text if not c.isspace()}
    bases = {c for c in wanted if unicodedata.category(c) != "Mn"}
    not_in_cmap = {c for c in bases if ord(c) not in embedded_code_points(pdf)}
    return not_in_cmap | (wanted - drawn_characters(pdf))


def bare(text: str) -> str:
    """Return text without combining marks (Thai vowels above/below and tone marks)."""
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def _ink(image: np.ndarray) -> np.ndarray:
    """Return the smallest box around the dark pixels (an empty box when there are none)."""
    ys, xs = np.nonzero(image)
    if ys.size == 0:
        return np.zeros((1, 1), dtype=bool)
    return image[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def rendered_line(pdf: bytes, text: str | None = None) -> np.ndarray:
    """Return the ink of one line as pdfium draws it: the line holding text, or the whole page."""
    page = pdfium.PdfDocument(pdf)[0]
    image = np.asarray(page.render(scale=SCALE).to_pil().convert("L")) < 128
    if text is None:
        return _ink(image)
    textpage = page.get_textpage()
    hit = textpage.search(text).get_next()
    assert hit is not None, f"{text!r} is not in the PDF's text"
    start, count = hit
    boxes = np.array([textpage.get_charbox(i) for i in range(start, start + count)])
    left, bottom = boxes[:, 0].min() - 6, boxes[:, 1].min() - 6
    right, top = boxes[:, 2].max() + 6, boxes[:, 3].max() + 6
    height = page.get_height()
    rows = slice(int((height - top) * SCALE), int((height - bottom) * SCALE))
    return _ink(image[rows, int(left * SCALE) : int(right * SCALE)])


def pillow_line(text: str, font: Path, points: float) -> np.ndarray:
    """Return the ink of the same line drawn by Pillow (HarfBuzz layout) in a font."""
    size = round(points * SCALE)
    face = ImageFont.truetype(str(font), size=size, layout_engine=ImageFont.Layout.RAQM)
    canvas = Image.new("L", (size * len(text), size * 3), 255)
    ImageDraw.Draw(canvas).text((size, size), text, font=face, fill=0)
    return _ink(np.asarray(canvas) < 128)


def likeness(drawn: np.ndarray, reference: np.ndarray) -> float:
    """Return the correlation of two inked lines scaled to the same 32-pixel-high grid."""
    height = 32
    width = max(1, round(reference.shape[1] * height / reference.shape[0]))

    def grid(ink: np.ndarray) -> np.ndarray:
        image = Image.fromarray(ink.astype(np.uint8) * 255)
        return np.asarray(image.resize((width, height), Image.Resampling.BOX), dtype=float)

    a, b = grid(drawn), grid(reference)
    if a.std() == 0 or b.std() == 0:
        return 0.0  # nothing drawn (a missing glyph left a blank)
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def one_line_pdf(text: str, font: Path, points: float) -> bytes:
    """Return a PDF of one shaped line in a font, with no glyph check (to prove the tests fail)."""
    pdf = FPDF()
    pdf.add_font("f", "", str(font))
    pdf.set_text_shaping(True)
    pdf.add_page()
    pdf.set_font("f", "", points)
    pdf.cell(0, 20, text)
    return bytes(pdf.output())


@pytest.fixture(scope="module")
def certificate() -> bytes:
    return certificate_pdf(
        winner=WINNER, award=AWARD, fiscal_year=2566, day=date(2023, 11, 7), agency="กรมควบคุมโรค"
    )


def test_the_certificate_holds_the_thai_text_and_the_buddhist_era_date(certificate: bytes) -> None:
    assert certificate.startswith(b"%PDF")
    text = pdfium.PdfDocument(certificate)[0].get_textpage().get_text_range()
    flat = text.replace("\r\n", "")  # pdfium breaks lines before some combining marks
    for expected in (WINNER, AWARD, "ปีงบประมาณ พ.ศ. 2566", DATE_LINE):
        assert expected in flat


def test_every_character_has_a_glyph_in_the_embedded_font(certificate: bytes) -> None:
    text = pdfium.PdfDocument(certificate)[0].get_textpage().get_text_range()
    assert {"ก", "ำ", "่", "์"} <= set(text)  # letters, sara am, mai ek, thanthakhat
    assert missing_from_pdf(certificate, text) == set()


@pytest.mark.parametrize(
    ("line", "font", "points"),
    [(WINNER, THAI_FONT_BOLD, 34), (DATE_LINE, THAI_FONT, 18)],
)
def test_thai_lines_render_as_thai_not_boxes(
    certificate: bytes, line: str, font: Path, points: float
) -> None:
    assert likeness(rendered_line(certificate, line), pillow_line(line, font, points)) > LIKENESS


def test_both_checks_fail_on_a_pdf_set_in_a_latin_only_font() -> None:
    line = "องค์การ " + WINNER
    broken = one_line_pdf(line, LATIN_ONLY, 34)
    assert missing_from_pdf(broken, line) == set(line.replace(" ", ""))  # the glyph check fails
    reference = pillow_line(line, THAI_FONT, 34)
    assert likeness(rendered_line(broken), reference) < 0.5  # the render check fails
    sound = one_line_pdf(line, THAI_FONT, 34)  # the same helpers pass a sound PDF
    assert missing_from_pdf(sound, line) == set()
    assert likeness(rendered_line(sound), reference) > LIKENESS


def test_a_font_without_thai_is_refused_rather_than_printing_boxes() -> None:
    assert missing_glyphs(LATIN_ONLY, "กรม abc") == {"ก", "ร", "ม"}
    with pytest.raises(MissingGlyphs, match="DejaVuSans.ttf has no glyph for '[ก-๛]+'"):
        certificate_pdf(
            winner="กรม", award="x", fiscal_year=2566, day=date(2023, 1, 1), font=LATIN_ONLY
        )


def test_a_missing_font_file_is_named(tmp_path: Path) -> None:
    gone = tmp_path / "Garuda.ttf"
    with pytest.raises(FileNotFoundError, match=f"{gone} is missing: run ./dev system-deps"):
        certificate_pdf(winner="กรม", award="x", fiscal_year=2566, day=date(2023, 1, 1), font=gone)


def test_one_certificate_per_approved_winner_for_staff_only(tmp_path: Path) -> None:
    store = DecisionStore(tmp_path / "d.sqlite")
    plaque = store.propose(
        STAFF,
        2566,
        "agency-overall",
        "ddc",
        "กรมควบคุมโรค",
        "top",
        agency="ddc",
        agency_title="กรมควบคุมโรค",
    )
    dataset = store.propose(
        STAFF,
        2566,
        "datasets",
        "covid-daily",
        "ผู้ติดเชื้อโควิดรายวัน",
        "top",
        agency="ddc",
        agency_title="กรมควบคุมโรค",
    )
    store.propose(STAFF, 2566, "datasets", "dengue", "ไข้เลือดออก", "undecided")
    store.approve(STAFF, plaque)
    store.approve(STAFF, dataset)
    titles = {"agency-overall": AWARD, "datasets": "ชุดข้อมูลที่มีคุณค่า"}
    for user in NON_STAFF:
        with pytest.raises(PermissionError, match="may not print certificates: staff only"):
            winner_certificates(store, user, 2566, day=date(2023, 11, 7), award_titles=titles)
    pdfs = winner_certificates(store, STAFF, 2566, day=date(2023, 11, 7), award_titles=titles)
    assert sorted(pdfs) == [
        "certificate-2566-agency-overall-ddc.pdf",
        "certificate-2566-datasets-covid-daily.pdf",
    ]
    texts = {
        name: pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range().replace("\r\n", "")
        for name, pdf in pdfs.items()
    }
    dataset_text = texts["certificate-2566-datasets-covid-daily.pdf"]
    # pdfium's text extraction moves a stacked mark here: compare the letters without marks
    assert bare("ผู้ติดเชื้อโควิดรายวัน") in bare(dataset_text)
    assert "หน่วยงาน กรมควบคุมโรค" in dataset_text
    assert "หน่วยงาน กรมควบคุมโรค" not in texts["certificate-2566-agency-overall-ddc.pdf"]


# Two awards as the rules list them; positions as the shortlists rank the candidates.
SHORTLIST = pl.DataFrame(
    {
        "category": ["agency-overall", "datasets", "datasets", "datasets"],
        "category_title": [AWARD, "ชุดข้อมูลที่มีคุณค่า", "ชุดข้อมูลที่มีคุณค่า", "ชุดข้อมูลที่มีคุณค่า"],
        "id": ["ddc", "covid-daily", "dengue", "cm/tourism"],
        "position": pl.Series([1, 1, 2, 3], dtype=pl.UInt32),
    }
)


@pytest.fixture(scope="module")
def decided(tmp_path_factory: pytest.TempPathFactory) -> DecisionStore:
    """Four winners approved out of announcement order (the third dataset first)."""
    store = DecisionStore(tmp_path_factory.mktemp("pack") / "d.sqlite")
    for category, winner, title, agency in [
        ("datasets", "cm/tourism", 'สถิติ "นักท่องเที่ยว" / เชียงใหม่?', "อบจ.เชียงใหม่"),
        ("datasets", "dengue", "ไข้เลือดออก", "กรมควบคุมโรค"),
        ("agency-overall", "ddc", WINNER, WINNER),
        ("datasets", "covid-daily", "ผู้ติดเชื้อโควิดรายวัน", "กรมควบคุมโรค"),
    ]:
        won = store.propose(STAFF, 2566, category, winner, title, "top", agency_title=agency)
        store.approve(STAFF, won)
    withdrawn = store.propose(STAFF, 2566, "datasets", "other", "อื่น", "r")
    store.withdraw(STAFF, withdrawn, "no")
    return store


def test_winners_come_in_announcement_order_with_readable_safe_names(
    decided: DecisionStore,
) -> None:
    winners = winners_in_order(decided, STAFF, 2566, SHORTLIST)
    assert winners["winner_id"].to_list() == ["ddc", "covid-daily", "dengue", "cm/tourism"]
    assert winners["rank"].to_list() == [1, 1, 2, 3]
    assert winners["file_name"].to_list() == [
        f"01-{AWARD}-01-{WINNER}.pdf",
        "02-ชุดข้อมูลที่มีคุณค่า-01-ผู้ติดเชื้อโควิดรายวัน.pdf",
        "03-ชุดข้อมูลที่มีคุณค่า-02-ไข้เลือดออก.pdf",
        "04-ชุดข้อมูลที่มีคุณค่า-03-สถิติ_นักท่องเที่ยว_เชียงใหม่.pdf",
    ]
    for user in NON_STAFF:
        with pytest.raises(PermissionError, match="staff only"):
            winners_in_order(decided, user, 2566, SHORTLIST)


def test_safe_names_keep_thai_marks_and_drop_what_file_systems_refuse() -> None:
    assert safe_name("องค์การ/บริหาร: ส่วน*จังหวัด\n") == "องค์การ_บริหาร_ส่วน_จังหวัด"
    assert safe_name(' ..\t"x"<>| ') == "x"
    assert safe_name("?") == "_" and len(safe_name("ก" * 200)) == 60


def test_the_merged_pack_has_a_page_per_winner_in_order_in_thai(decided: DecisionStore) -> None:
    winners = winners_in_order(decided, STAFF, 2566, SHORTLIST)
    pack = certificate_pack(winners, 2566, day=date(2023, 11, 7))
    document = pdfium.PdfDocument(pack)
    assert len(document) == 4
    texts = [page.get_textpage().get_text_range().replace("\r\n", "") for page in document]
    assert AWARD in texts[0] and "หน่วยงาน กรม" not in texts[0]  # an agency's plaque: no agency line
    for text, winner in zip(texts[1:], ["ผู้ติดเชื้อโควิดรายวัน", "ไข้เลือดออก", "นักท่องเที่ยว"], strict=True):
        assert bare(winner) in bare(text) and "ชุดข้อมูลที่มีคุณค่า" in text
        assert DATE_LINE in text
    assert "หน่วยงาน อบจ.เชียงใหม่" in texts[3]
    assert missing_from_pdf(pack, texts[0] + texts[1]) == set()
    assert likeness(rendered_line(pack, WINNER), pillow_line(WINNER, THAI_FONT_BOLD, 34)) > LIKENESS


def test_the_zip_holds_one_pdf_per_winner_under_its_readable_name(decided: DecisionStore) -> None:
    winners = winners_in_order(decided, STAFF, 2566, SHORTLIST)
    with zipfile.ZipFile(io.BytesIO(certificate_zip(winners, 2566, day=date(2023, 11, 7)))) as z:
        assert z.namelist() == winners["file_name"].to_list()
        assert all(info.flag_bits & 0x800 for info in z.infolist())  # names stored as UTF-8
        first = pdfium.PdfDocument(z.read(z.namelist()[2]))
    assert len(first) == 1 and "ไข้เลือดออก" in first[0].get_textpage().get_text_range()


def test_an_empty_pack_is_refused_with_a_reason(tmp_path: Path) -> None:
    empty = winners_in_order(DecisionStore(tmp_path / "d.sqlite"), STAFF, 2566, SHORTLIST)
    for build in (certificate_pack, certificate_zip):
        with pytest.raises(ValueError, match="2566 has no approved winner to print"):
            build(empty, 2566, day=date(2023, 11, 7))
