"""Every command example in README.md runs as written on the demo database.

Each ```sh block of the README is run line by line with bash, from a folder laid out like the
repository (`.venv/bin/python`, `data/warehouse.duckdb`, `data/demo/generated/`), on a fresh copy
of a demo database built once; a non-zero exit or a traceback fails it. A block preceded by
`<!-- not run: REASON -->` (one that serves the dashboard, follows a log until stopped, or runs
the test suite) is left out, and must say why. Names the README puts in URLs and options
(`agency=agency-068`) must be the demo's.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from demo.build import DemoScale, build_demo
from settings import key_path_for
from tests.conftest import REPO

README = REPO / "README.md"
# The demo's whole catalog (its 150 agencies and 3,000 datasets, the names the README uses) and
# fewer log lines: built in seconds, and every period the examples ask for still has use.
SCALE = DemoScale(lines_per_year=20_000)
NOT_RUN = re.compile(r"<!-- not run: (.+?) -->\s*$")
# `users add` asks twice; without a terminal, getpass reads the answers from standard input
PASSWORDS = "a long pass phrase\n" * 2


def blocks() -> list[tuple[str, list[str] | None]]:
    """Return the README's ```sh blocks: (where, its command lines or None when not run)."""
    found: list[tuple[str, list[str] | None]] = []
    heading, before = "top", ""
    lines = README.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("#"):
            heading = line.lstrip("# ")
        if line.strip() == "```sh":
            end = lines.index("```", i + 1)
            commands = [c for c in lines[i + 1 : end] if c.strip()]
            where = f"{heading} #{sum(1 for w, _ in found if w.startswith(heading)) + 1}"
            found.append((where, None if NOT_RUN.match(before) else commands))
            i = end
        if line.strip():
            before = line
        i += 1
    return found


BLOCKS = blocks()


def test_the_readme_has_examples_to_run_and_says_why_others_are_not() -> None:
    ran = [where for where, commands in BLOCKS if commands is not None]
    assert len(ran) >= 8, ran
    text = README.read_text(encoding="utf-8")
    for marker in re.findall(r"<!-- not run:(.*?)-->", text):
        assert len(marker.strip()) > 10, f"say why a block is not run: {marker!r}"
    # a fence of another language would escape the runner silently
    assert not re.findall(r"^```(?!sh$|text$|$)\S+", text, flags=re.M)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    build_demo(db, scale=SCALE)
    return db


def checkout(demo: Path, work: Path) -> Path:
    """Lay out work like a clone after `./dev run`, on a copy of the demo; return its database."""
    data = work / "data"
    (data / "demo").mkdir(parents=True)
    db = data / "warehouse.duckdb"
    shutil.copy2(demo, db)
    shutil.copy2(key_path_for(demo), key_path_for(db))
    (data / "demo" / "generated").symlink_to(demo.with_name(demo.name + ".demo-inputs"))
    (data / "awards.toml").symlink_to(REPO / "data" / "awards.toml")
    venv = work / ".venv" / "bin"
    venv.mkdir(parents=True)
    # a wrapper, not a symlink: a linked python would not find the virtualenv's packages
    (venv / "python").write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n', encoding="utf-8")
    (venv / "python").chmod(0o755)
    return db


@pytest.mark.parametrize(
    "commands",
    [pytest.param(c, id=where) for where, c in BLOCKS if c is not None],
)
def test_readme_example_runs_on_the_demo(demo: Path, tmp_path: Path, commands: list[str]) -> None:
    db = checkout(demo, tmp_path)
    env = {
        **os.environ,
        "ODA_DB": str(db),  # what the default resolves to in a clone
        "PYTHONPATH": str(REPO),
        "COLUMNS": "100",
    }
    env.pop("ODA_USERS", None)
    for command in commands:
        proc = subprocess.run(
            ["bash", "-o", "pipefail", "-c", command],
            cwd=tmp_path,
            env=env,
            input=PASSWORDS,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            start_new_session=True,  # no terminal: getpass reads standard input
        )
        said = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"`{command}` exited {proc.returncode}:\n{said}"
        assert "Traceback" not in said, f"`{command}`:\n{said}"


def test_names_in_the_readme_are_the_demos(demo: Path) -> None:
    text = README.read_text(encoding="utf-8")
    agencies = set(re.findall(r"(?:agency=|--agency |`)(agency-\d{3})\b", text))
    datasets = set(re.findall(r"\b(dataset-\d{5})\b", text))
    assert agencies, "the README shows no demo agency"
    with duckdb.connect(str(demo), read_only=True) as con:
        known = {name for (name,) in con.execute("select name from agencies").fetchall()}
        named = {name for (name,) in con.execute("select name from datasets").fetchall()}
    assert agencies <= known, sorted(agencies - known)
    assert datasets <= named, sorted(datasets - named)
    # URL parameters naming an agency or dataset take the demo's names, not a real portal's
    for value in re.findall(r"[?&](?:agency|dataset)=([\w-]+)", text):
        assert value in known | named, value
