"""README.md and ARCHITECTURE.md name only what exists: paths, modules, commands, tables."""

from __future__ import annotations

import ast
import importlib
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import REPO

DOCS = ("README.md", "ARCHITECTURE.md")
PACKAGES = ("ingest", "demo", "analytics", "decisions", "reports", "views")
# Where a repository path can start; a span naming a file of another project (COUNTER's
# `source/07-reports.rst`) or a URL path (`/agency?agency=ddc`) starts elsewhere.
ROOTS = (*PACKAGES, "tests", "bench", "deploy", "data", ".ci", ".streamlit", ".venv")
TOP_FILES = ("dashboard.py", "settings.py", "cli_paths.py", "dev", "README.md", "ARCHITECTURE.md")
TOP_FILES += ("requirements.txt", "requirements-dev.txt", "pyproject.toml")


def spans(doc: str) -> list[str]:
    """Return the `code` spans of a document (inline and in fenced blocks, line by line)."""
    text = (REPO / doc).read_text(encoding="utf-8")
    fenced = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    return re.findall(r"`([^`\n]+)`", text) + [ln for block in fenced for ln in block.splitlines()]


def named_paths(doc: str) -> set[str]:
    """Return the repository paths a document names (placeholders such as NAME left out)."""
    found = set()
    for span in spans(doc):
        for word in span.split():
            word = word.lstrip("([").rstrip(".,;:)]").removeprefix("./")
            if re.search(r"[<>*|=?]|NAME|\.\.\.$", word):
                continue
            first = word.split("/", 1)[0]
            if (first in ROOTS and "/" in word) or word in TOP_FILES:
                found.add(word)
            elif word.startswith("../"):  # outside the project: a clone alone has none
                found.add(word)
    return found


def ignored(path: str) -> bool:
    """Return whether git ignores path: a generated file (the database, the demo's inputs)."""
    return (
        subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, check=False).returncode == 0
    )


@pytest.mark.parametrize("doc", DOCS)
def test_every_named_path_exists_or_is_generated(doc: str) -> None:
    paths = named_paths(doc)
    assert {"ingest/", "demo/", "analytics/", "decisions/"} & paths or doc == "README.md"
    missing = []
    for name in sorted(paths):
        path = REPO / name
        module = path.with_name(path.name + ".py")  # `views/_demo` names a module
        if name.startswith("../") or not (path.exists() or module.exists() or ignored(name)):
            missing.append(name)
    assert not missing, f"{doc} names paths that do not exist: {missing}"


def dotted_names(doc: str) -> set[str]:
    """Return `package.module.name` spans naming our own code."""
    pattern = re.compile(rf"^(?:{'|'.join(PACKAGES)})(?:\.\w+)+$")
    return {s for s in spans(doc) if pattern.match(s)}


@pytest.mark.parametrize("doc", DOCS)
def test_every_named_module_and_function_exists(doc: str) -> None:
    missing = []
    for dotted in sorted(dotted_names(doc)):
        parts = dotted.split(".")
        # the longest importable module, then attributes
        for cut in range(len(parts), 0, -1):
            try:
                target: object = importlib.import_module(".".join(parts[:cut]))
            except ModuleNotFoundError:
                continue
            break
        for attr in parts[cut:]:
            target = getattr(target, attr, None)
        if target is None:
            missing.append(dotted)
    assert not missing, f"{doc} names code that does not exist: {missing}"


def architecture_table() -> dict[str, tuple[str, str]]:
    """Return ARCHITECTURE.md's room table: folder -> (what it holds, what it may import)."""
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)/` \| (.*?) \| ([^|]*) \|$", text, flags=re.M)
    return {folder: (holds, imports) for folder, holds, imports in rows}


def architecture_rows() -> dict[str, str]:
    """Return ARCHITECTURE.md's room table: folder -> what it holds."""
    return {folder: holds for folder, (holds, _) in architecture_table().items()}


def imported(path: Path) -> set[str]:
    """Return the modules a file imports (`from ingest import db` is `ingest.db`)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            folder = REPO / node.module.replace(".", "/")
            for alias in node.names:
                is_module = (folder / f"{alias.name}.py").exists()
                found.add(f"{node.module}.{alias.name}" if is_module else node.module)
    return found


def test_each_room_imports_only_what_architecture_allows() -> None:
    first_party = {*PACKAGES, "settings", "cli_paths"}
    for package, (_, may_import) in architecture_table().items():
        allowed = {package}
        cli_only = set()  # `decisions` (its CLI only): allowed in __main__.py alone
        for name, cli in re.findall(r"`([\w.]+)`( \(its CLI only)?", may_import):
            (cli_only if cli else allowed).add(name)
        for path in (REPO / package).glob("*.py"):
            here = allowed | (cli_only if path.name == "__main__.py" else set())
            ours = {m for m in imported(path) if m.split(".")[0] in first_party}
            wrong = {m for m in ours if not any(m == a or m.startswith(a + ".") for a in here)}
            assert not wrong, f"{path.relative_to(REPO)} may not import {sorted(wrong)}"
            if package != "views":
                assert "streamlit" not in {m.split(".")[0] for m in imported(path)}, path


def test_architecture_names_every_module_of_every_package_and_only_those() -> None:
    rows = architecture_rows()
    assert set(rows) == set(PACKAGES)
    for package, holds in rows.items():
        named = {w for w in re.findall(r"`([\w]+)`", holds)}
        modules = {p.stem for p in (REPO / package).glob("*.py") if not p.stem.startswith("__")}
        assert named <= modules, f"{package}/: no such modules {sorted(named - modules)}"
        if package != "views":  # view helpers come and go with the pages; the rest is listed
            assert modules <= named, f"{package}/: not in ARCHITECTURE.md {sorted(modules - named)}"


def test_architecture_names_every_table() -> None:
    from sqlmodel import SQLModel

    import decisions.sessions
    import decisions.store
    import decisions.throttle  # noqa: F401 (their tables join SQLModel's metadata)

    sources = [*(REPO / "ingest").glob("*.sql"), *(REPO / "ingest").glob("*.py")]
    duck = {
        t
        for f in sources
        for t in re.findall(r"create table if not exists (\w+)", f.read_text(encoding="utf-8"))
    }
    tables = duck | set(SQLModel.metadata.tables)
    assert {"events", "daily_usage", "decision"} <= tables
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## Tables", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`(\w+)`", section))
    assert tables <= named, f"tables missing from ARCHITECTURE.md: {sorted(tables - named)}"
    assert named <= tables, f"ARCHITECTURE.md names no such table: {sorted(named - tables)}"


def commands(doc: str) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    """Return (python -m PACKAGE SUB..., --options) as a document writes them on one line."""
    found = set()
    for span in spans(doc):
        for match in re.finditer(r"python -m (\w+)((?: [a-z][a-z-]*(?=\s|$))*)(.*)", span):
            words, rest = tuple(match.group(2).split()), match.group(3)
            if rest.lstrip().startswith("..."):  # `python -m ingest ...`: any command
                rest = ""
            options = tuple(sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest))))
            found.add(((match.group(1), *words), options))
    return found


@cache
def help_text(command: tuple[str, ...]) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", *command, "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"`python -m {' '.join(command)}` is no command: {proc.stderr}"
    return proc.stdout


@pytest.mark.parametrize("doc", DOCS)
def test_every_named_command_and_option_exists(doc: str) -> None:
    named = commands(doc)
    if doc == "README.md":
        assert (("demo",), ()) in named and any(c[:2] == ("ingest", "logs") for c, _ in named)
    for command, options in sorted(named):
        usage = help_text(command)
        unknown = [o for o in options if o not in usage]
        assert not unknown, f"{doc}: `python -m {' '.join(command)}` has no {unknown}"
