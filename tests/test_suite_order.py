"""The suite's order: the slowest files first, each file's tests in their own order."""

from __future__ import annotations

from types import SimpleNamespace

from tests.conftest import FILE_SECONDS, REPO, pytest_collection_modifyitems


def test_every_timed_file_exists() -> None:
    missing = [path for path in FILE_SECONDS if not (REPO / path).is_file()]
    assert missing == []  # a renamed file would lose its place at the front


def test_slow_files_move_to_the_front_and_keep_their_tests_in_order() -> None:
    ids = [
        "tests/a/test_quick.py::test_one",
        "tests/browser/test_stage.py::test_b",
        "tests/a/test_quick.py::test_two",
        "tests/browser/test_browser.py::test_a",
        "tests/browser/test_stage.py::test_a",
        "tests/z/test_other.py::test_one",
    ]
    items = [SimpleNamespace(nodeid=i) for i in ids]
    pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert [i.nodeid for i in items] == [
        "tests/browser/test_browser.py::test_a",  # 110 s
        "tests/browser/test_stage.py::test_b",  # 50 s, its own order kept
        "tests/browser/test_stage.py::test_a",
        "tests/a/test_quick.py::test_one",  # untimed files after, in collection order
        "tests/a/test_quick.py::test_two",
        "tests/z/test_other.py::test_one",
    ]
