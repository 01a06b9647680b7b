"""Which strings Streamlit renders as Markdown, checked in chromium: the ground truth behind
tests/views/test_hostile_text.py's walk (it lets titles into selectbox options and tables as
they are). If an upgrade starts rendering one of those, this test fails."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.browser.test_browser import CHROMIUM

playwright_api = pytest.importorskip("playwright.sync_api")

# Each element gets a Markdown image naming it; the ones listed in PLAIN must fetch nothing.
APP = """
import os
import polars as pl
import streamlit as st

T = os.environ["TRACKER"]
def img(name):
    return f"![{name}]({T}/{name}.png)"

st.button(img("button"))
st.download_button(img("download"), lambda: b"x", "x.txt", on_click="ignore")
with st.expander(img("expander")):
    st.write("x")
st.tabs([img("tab"), "b"])
st.radio("r", [img("radio_option"), "b"])
st.checkbox("c", help=img("help"))
st.caption(img("caption"))
st.selectbox("s", [img("selectbox_option"), "b"])
st.selectbox("f", [1, 2], format_func=lambda v: img(f"selectbox_format{v}"))
st.multiselect("m", [img("multiselect_option"), "b"], default=[img("multiselect_option")])
st.dataframe(pl.DataFrame({img("column_header"): [img("cell")]}))
st.text(img("text"))
"""
MARKDOWN = {"button", "download", "expander", "tab", "radio_option", "help", "caption"}
PLAIN = {"selectbox_option", "selectbox_format1", "selectbox_format2", "multiselect_option"}
PLAIN |= {"column_header", "cell", "text"}


@pytest.fixture
def tracker() -> Iterator[tuple[str, list[str]]]:
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            hits.append(self.path.rsplit("/", 1)[-1].removesuffix(".png"))
            self.send_response(204)
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/t", hits
    server.shutdown()


def test_which_strings_are_markdown(browser, tmp_path: Path, tracker) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian chromium is missing: run ./dev system-deps")
    url, hits = tracker
    script = tmp_path / "surfaces.py"
    script.write_text(APP, encoding="utf-8")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true"]
        + ["--server.port", str(port), "--browser.gatherUsageStats", "false"],
        env={**os.environ, "TRACKER": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 2000})
        for _ in range(60):  # the server starts
            try:
                page.goto(f"http://127.0.0.1:{port}/")
                break
            except playwright_api.Error:
                time.sleep(0.5)
        page.locator('[data-testid="stDataFrame"]').wait_for(timeout=30_000)
        selects = page.locator('[data-baseweb="select"]')
        for i in range(selects.count()):  # open each list: its options are drawn
            selects.nth(i).click()
            page.wait_for_timeout(500)
            page.keyboard.press("Escape")
        page.locator('[data-testid="stTooltipIcon"]').first.hover()  # the help text
        page.wait_for_timeout(2_000)
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    fetched = set(hits)
    assert MARKDOWN <= fetched, MARKDOWN - fetched  # the check can see a fetch
    assert fetched & PLAIN == set()
