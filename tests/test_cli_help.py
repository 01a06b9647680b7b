"""Every command of the command lines shows a runnable example under its --help (issue 14)."""

from __future__ import annotations

import argparse
import shlex
from collections.abc import Iterator

import pytest

from decisions.__main__ import build_parser as decisions_parser
from demo.__main__ import build_parser as demo_parser
from ingest.__main__ import build_parser as ingest_parser
from reports.__main__ import build_parser as reports_parser


def _commands(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    """Yield every leaf command with the words that reach it."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
    for action in subs:
        for name, child in action.choices.items():
            yield from _commands(child, (*path, name))


PARSERS = {
    "ingest": ingest_parser(),
    "reports": reports_parser(),
    "decisions": decisions_parser(),
    "demo": demo_parser(),
}
LEAVES = [
    (program, words, parser) for program, top in PARSERS.items() for words, parser in _commands(top)
]


def test_every_command_is_walked() -> None:
    names = {(program, " ".join(words)) for program, words, _ in LEAVES}
    assert ("ingest", "logs") in names and ("decisions", "users add") in names
    assert ("reports", "counter-report") in names and ("demo", "") in names
    assert len(names) >= 13


@pytest.mark.parametrize(
    ("program", "words", "parser"), LEAVES, ids=[f"{p} {' '.join(w)}" for p, w, _ in LEAVES]
)
def test_help_ends_with_an_example_that_parses(
    program: str, words: tuple[str, ...], parser: argparse.ArgumentParser
) -> None:
    text = parser.format_help()
    assert "example" in text.split("options:")[-1], text
    marker = " ".join([".venv/bin/python -m", program, *words])
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith(marker)]
    assert lines, f"no example of {marker!r} in:\n{text}"
    for line in lines:
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words_ = list(lexer)
        shell = [i for i, w in enumerate(words_) if w in {"|", ">", ">>", "<"}]
        argv = words_[3 : shell[0] if shell else None]
        # the example is a valid command line: the real parser accepts it as written
        PARSERS[program].parse_args(argv)
