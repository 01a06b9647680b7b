"""Issue 16's size limits: a page file only lays out (<= 100 lines), a view helper holds one
thing (<= 200 lines); the entry point's pages are the files dashboard.py routes to."""

from __future__ import annotations

from tests.conftest import REPO
from tests.views.test_pages import PAGES


def lines(name: str) -> int:
    return len((REPO / "views" / name).read_text(encoding="utf-8").splitlines())


def test_no_page_file_is_over_100_lines() -> None:
    pages = [*PAGES, "not_found"]
    assert {p: lines(f"{p}.py") for p in pages if lines(f"{p}.py") > 100} == {}


def test_no_view_helper_is_over_200_lines() -> None:
    helpers = [f"parts/{p.name}" for p in (REPO / "views" / "parts").glob("*.py")]
    assert len(helpers) > 10
    assert {h: lines(h) for h in helpers if lines(h) > 200} == {}
