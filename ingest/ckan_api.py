"""Paging a live CKAN's package_search politely: page size, retries with back-off, clear errors."""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

from ingest import ckan_json


class CkanError(Exception):
    """The CKAN answered in a way we cannot use (after retries where retrying makes sense)."""


class CkanClient:
    """A small client for CKAN's Action API (package_search)."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: str | None = None,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 1.0,
        pause: float = 0.2,
    ) -> None:
        """Remember where and how to ask; nothing is sent yet."""
        self.base = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.pause = pause  # between pages: a national portal is shared with everyone

    def _get(self, action: str, params: dict[str, str | int]) -> bytes:
        url = f"{self.base}/api/3/action/{action}?{urllib.parse.urlencode(params)}"
        headers = {
            "User-Agent": "open-data-awards/0.1 (+catalog sync)",
            "Accept": "application/json",
        }
        if self.api_key:
            headers["Authorization"] = self.api_key  # CKAN reads the key from this header
        delay = self.backoff
        for attempt in range(self.retries + 1):
            try:
                request = urllib.request.Request(url, headers=headers)
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                    return bytes(response.read())
            except urllib.error.HTTPError as exc:
                if exc.code in (401, 403):
                    raise CkanError(
                        f"{url}: HTTP {exc.code}: not allowed (check --api-key)"
                    ) from exc
                if exc.code == 404:
                    raise CkanError(f"{url}: HTTP 404: no CKAN Action API here") from exc
                if exc.code < 500 and exc.code != 429:
                    raise CkanError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
                problem = f"HTTP {exc.code}"
            except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
                problem = f"{getattr(exc, 'reason', exc)}"
            if attempt == self.retries:
                raise CkanError(f"{url}: {problem}, still after {self.retries} retries")
            time.sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def package_search_pages(self, rows: int = 500) -> Iterator[ckan_json.CkanContent]:
        """Yield every page of package_search (including private datasets the key may see)."""
        start = 0
        while True:
            raw = self._get(
                "package_search", {"rows": rows, "start": start, "include_private": "true"}
            )
            source = f"{self.base} package_search start={start}"
            try:
                content = ckan_json.ckan_content(ckan_json.read_json_bytes(raw, source), source)
            except ckan_json.NotCkan as exc:
                raise CkanError(str(exc)) from exc
            if content.declared_count is None:
                raise CkanError(f"{source}: not a package_search answer (no result.count)")
            yield content
            start += rows
            if not content.packages or start >= content.declared_count:
                return
            time.sleep(self.pause)
