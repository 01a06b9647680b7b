"""--output writes only regular files, whole, in a folder that exists, keeping the file's mode or
the umask's (issue 29 item 8); `cli_paths.write_output` is what every command writes with."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_paths import PathProblem, write_output
from reports.__main__ import main
from tests.views import site


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("output")
    return site.load(work / "site.duckdb", work)


@pytest.fixture
def umask() -> Iterator[None]:
    saved = os.umask(0o022)
    os.umask(saved)
    yield
    os.umask(saved)


def _report(db: Path, out: Path) -> list[str]:
    # FY 2567 is not announced: staff's report includes it (else nothing to show, exit 3)
    report = ["counter-report", "--db", str(db), "--month", "2024-01", "--include-unannounced"]
    return [*report, "--output", str(out)]


def test_an_existing_link_fifo_or_folder_is_refused_and_left_alone(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "target.txt"
    target.write_text("keep me\n", encoding="utf-8")
    (tmp_path / "link.json").symlink_to(target)
    os.mkfifo(tmp_path / "fifo.json")
    (tmp_path / "folder.json").mkdir()
    cases = {
        "link.json": "is a symbolic link: name the file itself, or remove the link",
        "fifo.json": "is a device, FIFO or socket, not a regular file",
        "folder.json": "is a directory: name a file in it",
    }
    for name, why in cases.items():
        assert main(_report(db, tmp_path / name)) == 2
        assert capsys.readouterr().err == f"error: {tmp_path / name}: {why}\n"
    assert main(_report(db, Path(os.devnull))) == 2
    assert "/dev/null: is a device, FIFO or socket" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert (tmp_path / "link.json").is_symlink()
    assert stat.S_ISFIFO((tmp_path / "fifo.json").lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == [*sorted(cases), "target.txt"]


def test_a_missing_folder_is_named_not_created(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "reports" / "2567" / "dsr.json"
    assert main(_report(db, out)) == 2
    folder = tmp_path / "reports" / "2567"
    assert (
        capsys.readouterr().err
        == f"error: {out}: the folder {folder} does not exist (create it first)\n"
    )
    export = ["usage-export", "--db", str(db), "--fiscal-year", "2567"]
    assert main([*export, "--output-dir", str(folder)]) == 2
    assert capsys.readouterr().err == f"error: {folder}: no such folder (create it first)\n"
    assert list(tmp_path.iterdir()) == []


def test_an_existing_file_keeps_its_mode_and_a_new_one_follows_the_umask(
    db: Path, tmp_path: Path, umask: None
) -> None:
    kept = tmp_path / "kept.json"
    kept.write_text("old\n", encoding="utf-8")
    kept.chmod(0o600)
    assert main(_report(db, kept)) == 0
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert kept.read_text(encoding="utf-8").startswith('{"report-header"')
    shared = tmp_path / "shared.json"
    shared.write_text("old\n", encoding="utf-8")
    shared.chmod(0o664)
    assert main(_report(db, shared)) == 0
    assert stat.S_IMODE(shared.stat().st_mode) == 0o664
    os.umask(0o077)
    assert main(_report(db, tmp_path / "private.json")) == 0
    assert stat.S_IMODE((tmp_path / "private.json").stat().st_mode) == 0o600
    os.umask(0o002)
    assert main(_report(db, tmp_path / "group.json")) == 0
    assert stat.S_IMODE((tmp_path / "group.json").stat().st_mode) == 0o664
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["group.json", "kept.json", "private.json", "shared.json"]  # no temp files


def test_usage_export_writes_neither_file_when_one_cannot_be_written(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "data-go-th-usage-fy2567.ckan.json").mkdir()
    export = ["usage-export", "--db", str(db), "--fiscal-year", "2567"]
    assert main([*export, "--output-dir", str(tmp_path)]) == 2
    assert "data-go-th-usage-fy2567.ckan.json: is a directory" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data-go-th-usage-fy2567.ckan.json"]


def test_write_output_renames_a_whole_file_into_place(tmp_path: Path) -> None:
    out = tmp_path / "out.bin"
    out.write_bytes(b"old")
    with out.open("rb") as reader:  # one reading meanwhile sees the old file whole
        write_output(out, b"new")
        assert reader.read() == b"old"
    assert out.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
    with pytest.raises(PathProblem, match="is a directory"):
        write_output(tmp_path, b"x")


def test_award_rules_are_read_only_from_a_regular_file(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    os.mkfifo(tmp_path / "rules.toml")
    for rules in (tmp_path / "rules.toml", Path("/dev/zero"), tmp_path):
        args = ["awards", "--db", str(db), "--fiscal-year", "2567", "--rules", str(rules)]
        assert main(args) == 2  # /dev/zero was read until memory ran out, a FIFO forever
        assert (
            capsys.readouterr().err == f"error: {rules}: the award rules are not a regular file\n"
        )
