"""No file of the project reads a path outside it: a clean clone alone must run and pass.

CI's clone has the shared folder beside it, so a test reading it there passes in CI and fails for
anyone
who clones the project alone; only a scan of the files themselves catches it. Comments may name
such paths (the CI script says what lies beside its clone); code and configuration may not. This
file assembles its examples of such paths from parts, so that it names none itself.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

# What runs or configures: code, scripts, settings. Docs and test data are not read as paths.
SUFFIXES = {".py", ".sh", ".toml", ".cfg", ".ini", ".txt", ".service", ".sql", ".css"}
SCRIPTS = {"dev", ".ci/run", "deploy/event"}
SELF = "tests/test_self_contained.py"
UP, FOLDER = "." * 2, "sh" + "ared"  # the parent folder and the shared one, never spelled whole
BESIDE = f"{UP}/{FOLDER}"
OUTSIDE = [
    (re.compile(re.escape(BESIDE) + r"|/work/"), "a path to the shared folder beside the clone"),
    (re.compile(r"""["'](\.\.[/\\]|\.\.["'])"""), "a path relative to the parent folder"),
    (re.compile(r"""[/(]\s*["']\.\.["']"""), "a parent folder joined to a path"),
    (re.compile(r"\b(REPO|REPO_ROOT|ROOT)\.parents?\b"), "the folder above the project root"),
]


def tracked_files() -> list[str]:
    """Return the project's files as git tracks them (a walk of the tree without git)."""
    try:
        out = subprocess.run(
            ["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout
        return out.splitlines()
    except (OSError, subprocess.CalledProcessError):
        skip = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
        return [
            str(p.relative_to(REPO))
            for p in REPO.rglob("*")
            if p.is_file() and not skip & set(p.relative_to(REPO).parts)
        ]


def scanned() -> list[str]:
    return [
        name
        for name in tracked_files()
        if (Path(name).suffix in SUFFIXES or name in SCRIPTS)
        and not name.startswith("tests/data/")
        and name != SELF  # its examples below build such paths on purpose
    ]


def code_lines(text: str) -> list[tuple[int, str]]:
    """Return (number, line) of the lines that are not comments (# or --) alone."""
    return [
        (n, line)
        for n, line in enumerate(text.splitlines(), 1)
        if not line.lstrip().startswith(("#", "--"))
    ]


def escapes_by_parents(name: str, line: str) -> bool:
    """Whether Path(__file__) climbs above the project root: .parent once more than its depth."""
    depth = len(Path(name).parts) - 1  # folders between the root and the file
    for chain in re.findall(r"__file__\)(?:\.resolve\(\))?((?:\.parent\b)+)", line):
        if chain.count(".parent") > depth + 1:
            return True
    return any(
        int(k) > depth for k in re.findall(r"__file__\)(?:\.resolve\(\))?\.parents\[(\d+)\]", line)
    )


def outside_paths(name: str, text: str) -> list[str]:
    """Return 'file:line: what' for each line of text that names a path outside the project."""
    found = []
    for n, line in code_lines(text):
        checked = re.sub(r"startswith\([^)]*\)", "", line)  # refusing such a path reads none
        for pattern, what in OUTSIDE:
            if pattern.search(checked):
                found.append(f"{name}:{n}: {what}: {line.strip()}")
        if escapes_by_parents(name, line):
            found.append(f"{name}:{n}: Path(__file__) climbs above the project: {line.strip()}")
    return found


def test_scan_covers_the_code_scripts_and_ci() -> None:
    names = scanned()
    assert {"dev", ".ci/run", "settings.py", "tests/conftest.py", "pyproject.toml"} <= set(names)
    assert len([n for n in names if n.endswith(".py")]) > 100


def test_no_file_reads_a_path_outside_the_project() -> None:
    found = []
    for name in scanned():
        text = (REPO / name).read_text(encoding="utf-8", errors="replace")
        found += outside_paths(name, text)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("tests/test_x.py", f'STYLE = REPO.parent / "{FOLDER}" / "STYLE.md"  # {BESIDE}/STYLE.md'),
        ("tests/test_x.py", f'STYLE = REPO.parent / "{FOLDER}" / "STYLE.md"'),
        ("analytics/x.py", f'RULES = REPO_ROOT.parent / "{FOLDER}"'),
        ("tests/test_x.py", f'rules = Path("{BESIDE}/COUNTING.md").read_text()'),
        ("bench/x.py", f'LOG = Path("/work/{FOLDER}/logs/access.log")'),
        ("tests/test_x.py", f'data = REPO / "{UP}" / "corpus"'),
        ("tests/test_x.py", f"data = os.path.join(REPO, '{UP}', 'corpus')"),
        ("dev", f"cp {BESIDE}/COUNTING.md docs/"),
        (
            "tests/analytics/test_x.py",
            "ROOT = Path(__file__).resolve().parent.parent.parent.parent",
        ),
        ("tests/analytics/test_x.py", "ROOT = Path(__file__).resolve().parents[3]"),
    ],
)
def test_a_path_outside_is_caught(name: str, line: str) -> None:
    assert outside_paths(name, line) != []


@pytest.mark.parametrize(
    ("name", "line"),
    [
        ("tests/conftest.py", "REPO = Path(__file__).resolve().parent.parent"),
        ("tests/analytics/test_x.py", "ROOT = Path(__file__).resolve().parents[2]"),
        ("tests/test_docs.py", 'elif word.startswith("../"):  # outside the project'),
        (".ci/run", f"# CI: a clean clone with {BESIDE} beside it"),
        ("views/x.py", 'st.caption("ข้อมูล..." + name)'),
    ],
)
def test_paths_inside_pass(name: str, line: str) -> None:
    assert outside_paths(name, line) == []
