"""README.md, ARCHITECTURE.md and docs/ name only what exists: paths, modules, commands, tables
and links; the README's page table says what decisions/access.py decides; every counting rule in
docs/counting.md names tests that exist."""

from __future__ import annotations

import ast
import contextlib
import importlib
import io
import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

from tests.conftest import REPO

DOCS = (
    "README.md",
    "ARCHITECTURE.md",
    *sorted(p.relative_to(REPO).as_posix() for p in (REPO / "docs").glob("*.md")),
)
PACKAGES = ("ingest", "demo", "analytics", "decisions", "reports", "views")
# Where a repository path can start; a span naming a file of another project (COUNTER's
# `source/07-reports.rst`) or a URL path (`/agency?agency=ddc`) starts elsewhere.
ROOTS = (*PACKAGES, "tests", "bench", "deploy", "data", "docs", ".ci", ".streamlit", ".venv")
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
            word = word.lstrip("([").rstrip(".,;:)]").removeprefix("./").split("::")[0]
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
    if doc == "ARCHITECTURE.md":  # the parse found its rooms
        assert {"ingest/", "demo/", "analytics/", "decisions/"} <= paths
    missing = []
    for name in sorted(paths):
        path = REPO / name
        module = path.with_name(path.name + ".py")  # `views/parts/demo` names a module
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
        for path in (REPO / package).rglob("*.py"):
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
        modules = {p.stem for p in (REPO / package).rglob("*.py") if not p.stem.startswith("__")}
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
    """Return `python -m PACKAGE SUB... --help`, asked in this process (argparse exits first)."""
    # `python -m analytics` hands its arguments to `python -m reports` (analytics/__main__.py)
    package = "reports" if command[0] == "analytics" else command[0]
    main = importlib.import_module(f"{package}.__main__").main
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        with pytest.raises(SystemExit) as exited:
            main([*command[1:], "--help"])
    assert exited.value.code == 0, (
        f"`python -m {' '.join(command)}` is no command: {err.getvalue()}"
    )
    return out.getvalue()


@pytest.mark.parametrize("doc", DOCS)
def test_every_named_command_and_option_exists(doc: str) -> None:
    named = commands(doc)
    if doc == "README.md":
        assert (("demo",), ()) in named and any(c[:2] == ("ingest", "logs") for c, _ in named)
    for command, options in sorted(named):
        usage = help_text(command)
        unknown = [o for o in options if o not in usage]
        assert not unknown, f"{doc}: `python -m {' '.join(command)}` has no {unknown}"


def counting_rules() -> dict[str, list[str]]:
    """Return docs/counting.md's rules: `### N.M title` -> the `tests/...::test_name` it names."""
    text = (REPO / "docs" / "counting.md").read_text(encoding="utf-8")
    rules = re.split(r"^### ", text, flags=re.M)[1:]
    return {
        rule.splitlines()[0]: re.findall(r"`(tests/[\w/]+\.py::test_\w+)`", rule) for rule in rules
    }


def defined_tests(path: Path) -> set[str]:
    """Return the test functions a test file defines (at module level or in a class)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.startswith("test_")
    }


def test_every_counting_rule_names_tests_that_exist() -> None:
    rules = counting_rules()
    sections = {title.split(".", 1)[0] for title in rules}
    assert sections == {"1", "2", "3", "4", "5", "6"}, sorted(sections)
    untested = [title for title, tests in rules.items() if not tests]
    assert not untested, f"docs/counting.md: rules without a test: {untested}"
    missing = []
    for title, tests in rules.items():
        for test in tests:
            file, name = test.split("::")
            path = REPO / file
            if not path.is_file() or name not in defined_tests(path):
                missing.append(f"{title}: {test}")
    assert not missing, f"docs/counting.md names tests that do not exist: {missing}"


def heading_anchors(path: Path) -> set[str]:
    """Return the #anchors GitHub gives a Markdown file's headings."""
    text = path.read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.+)$", re.sub(r"```.*?```", "", text, flags=re.S), flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("doc", DOCS)
def test_every_relative_link_and_anchor_resolves(doc: str) -> None:
    source = REPO / doc
    text = re.sub(r"```.*?```", "", source.read_text(encoding="utf-8"), flags=re.S)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        file, _, anchor = target.partition("#")
        path = (source.parent / file).resolve() if file else source
        if not path.is_file() or (anchor and anchor not in heading_anchors(path)):
            broken.append(target)
    assert not broken, f"{doc} links to what does not exist: {broken}"


# The README's page table, cell by cell: (may open before any announcement, after one).
ACCESS_WORDS = {"yes": (True, True), "no": (False, False), "after an announcement": (False, True)}
ROLE_COLUMNS = ("staff", "agency account", "public account")


def readme_access_table() -> dict[tuple[str, str], str]:
    """Return the README's "Pages and who may open them" table: (page, role) -> its cell."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("## Pages and who may open them", 1)[1].split("\n## ", 1)[0]
    rows = [r for r in section.splitlines() if r.startswith("| ") and "---" not in r]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    assert header == ["page", *ROLE_COLUMNS], header
    cells = {}
    for row in rows[1:]:
        page, *by_role = (c.strip() for c in row.strip("|").split("|"))
        english = page.split(" · ", 1)[1].lower()
        for role, cell in zip(ROLE_COLUMNS, by_role, strict=True):
            cells[("health" if english == "data health" else english, role)] = cell
    return cells


def test_the_readme_page_table_says_what_the_access_policy_decides() -> None:
    from decisions import access
    from decisions.auth import User

    users = {
        "staff": User("s", "staff"),
        "agency account": User("a", "agency", "agency-068"),
        "public account": User("p", "public"),
    }
    cells = readme_access_table()
    assert {page for page, _ in cells} == set(access.PAGES)
    wrong = []
    for (page, role), cell in sorted(cells.items()):
        said = next((v for k, v in ACCESS_WORDS.items() if cell.lower().startswith(k)), None)
        decided = tuple(
            access.can_view(users[role], page, announced=announced) for announced in (False, True)
        )
        if said != decided:
            wrong.append(f"{page} for {role}: README {cell!r}, access.py {decided}")
    assert not wrong, wrong
