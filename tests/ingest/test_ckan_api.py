"""`ingest catalog --ckan-url`: paging a live CKAN served by a local HTTP server."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from ingest.catalog import crawl_catalog
from ingest.ckan_api import CkanClient, CkanError
from tests.conftest import REPO
from tests.ingest.logkit import query
from tests.views import site

PACKAGES = [site.package(name) for name in site.DATASETS]


class Portal:
    """What the fake portal does: pages of 2 packages, with scripted trouble per `start`."""

    def __init__(self) -> None:
        self.trouble: dict[int, list[str]] = {}  # start -> what to do on successive requests
        self.seen: list[tuple[int, str | None]] = []


@pytest.fixture
def portal() -> Iterator[tuple[str, Portal]]:
    state = Portal()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802
            url = urllib.parse.urlparse(self.path)
            params = dict(urllib.parse.parse_qsl(url.query))
            if url.path != "/api/3/action/package_search":
                self.send_error(404)
                return
            start, rows = int(params.get("start", 0)), int(params.get("rows", 10))
            state.seen.append((start, self.headers.get("Authorization")))
            plan = state.trouble.get(start, [])
            action = plan.pop(0) if plan else "ok"
            if action == "500":
                self.send_error(500)
                return
            if action == "403":
                self.send_error(403)
                return
            if action == "slow":
                time.sleep(1.5)
            if action == "html":
                body = b"<html>maintenance</html>"
            else:
                page = PACKAGES[start : start + rows]
                body = json.dumps(
                    {"success": True, "result": {"count": len(PACKAGES), "results": page}},
                    ensure_ascii=False,
                ).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)
            except BrokenPipeError:
                pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", state
    server.shutdown()


def client(url: str) -> CkanClient:
    return CkanClient(url, api_key="secret-key", timeout=0.5, retries=2, backoff=0.05, pause=0)


def test_pages_through_every_package_with_the_key(portal) -> None:
    url, state = portal
    pages = list(client(url).package_search_pages(rows=2))
    assert [len(p.packages) for p in pages] == [2, 2]
    assert [s for s, _ in state.seen] == [0, 2]
    assert {key for _, key in state.seen} == {"secret-key"}


def test_retries_a_failing_and_a_slow_page(portal) -> None:
    url, state = portal
    state.trouble = {2: ["500", "slow"]}  # a 500, then a timeout, then the page
    pages = list(client(url).package_search_pages(rows=2))
    assert sum(len(p.packages) for p in pages) == 4
    assert [s for s, _ in state.seen] == [0, 2, 2, 2]


def test_a_500_that_persists_stops_with_the_url_and_stores_nothing(portal, tmp_path: Path) -> None:
    url, state = portal
    state.trouble = {2: ["500"] * 10}
    db = tmp_path / "w.duckdb"
    with pytest.raises(CkanError, match=r"start=2.*HTTP 500, still after"):
        crawl_catalog(db, url, None, 2, client=client(url))
    assert not db.exists() or query(db, "select count(*) from datasets") == [(0,)]


@pytest.mark.parametrize(
    ("trouble", "message"),
    [("403", "HTTP 403: not allowed"), ("html", "not JSON")],
)
def test_refusals_and_non_ckan_answers_are_clear(portal, trouble: str, message: str) -> None:
    url, state = portal
    state.trouble = {0: [trouble]}
    with pytest.raises(CkanError, match=message):
        list(client(url).package_search_pages(rows=2))


def test_not_a_ckan_is_a_404(portal) -> None:
    url, _ = portal
    with pytest.raises(CkanError, match="no CKAN Action API here"):
        list(CkanClient(url + "/not-ckan", retries=0).package_search_pages())


def test_cli_crawl_loads_a_complete_listing(portal, tmp_path: Path) -> None:
    url, _ = portal
    db = tmp_path / "w.duckdb"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ingest",
            "catalog",
            "--db",
            str(db),
            "--json",
            "--ckan-url",
            url,
            "--rows",
            "3",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["new"] == 4 and summary["agencies"] == 3
    assert query(db, "select count(*) from catalog_loads where complete") == [(1,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ckan-url", "http://[::1"], "'http://[::1' is not a URL (Invalid IPv6 URL)"),
        (["--ckan-url", "data.go.th"], "'data.go.th' is not an http(s) URL such as https://"),
        (["--ckan-url", "ftp://data.go.th"], "'ftp://data.go.th' is not an http(s) URL"),
        (["--ckan-url", "https://data.go.th:x"], "'https://data.go.th:x' is not a URL (Port"),
        (["--ckan-url", "https://data.go.th", "--rows", "0"], "'0' is not a whole number from"),
        (["--ckan-url", "https://data.go.th", "--rows", "1001"], "from 1 to 1000"),
    ],
)
def test_a_bad_ckan_url_or_page_size_is_named_before_anything_is_made(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from ingest.__main__ import main

    with pytest.raises(SystemExit) as stop:  # the IPv6 one was a ValueError traceback
        main(["catalog", "--db", str(tmp_path / "w.duckdb"), *args])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
