"""The stage's running order file: the shipped one is valid, a bad value is named in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from views.parts import scene_plan
from views.parts.scene_plan import Plan

KNOWN = "since, last_winners, live, ticker, improved, wall"


def test_the_shipped_file_is_the_default_plan() -> None:
    plan, problem = scene_plan.load(scene_plan.FILE)
    assert problem is None
    assert plan == Plan()
    assert plan.moments["during"] == ("live", "ticker", "improved")
    assert plan.seconds["live"] == 30


def test_a_file_may_set_only_what_it_changes() -> None:
    plan = scene_plan.parse('[moments]\nafter = ["wall"]\n[seconds]\nwall = 7.5\n')
    assert plan.moments["after"] == ("wall",) and plan.moments["during"] == Plan().moments["during"]
    assert plan.seconds["wall"] == 7.5 and plan.seconds["live"] == 30


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[seconds]\nlive = -5\n",
            "x.toml: [seconds] live = -5 is not a number of seconds from 5 to 600",
        ),
        (
            "[seconds]\nlive = 601\n",
            "x.toml: [seconds] live = 601 is not a number of seconds from 5 to 600",
        ),
        (
            '[seconds]\nlive = "30"\n',
            "x.toml: [seconds] live = '30' is not a number of seconds from 5 to 600",
        ),
        (
            "[seconds]\nlive = true\n",
            "x.toml: [seconds] live = True is not a number of seconds from 5 to 600",
        ),
        (
            "[seconds]\nrace = 30\n",
            f"x.toml: [seconds] race is not a scene (known: {KNOWN})",
        ),
        (
            '[moments]\nduring = ["live", "podium"]\n',
            f"x.toml: [moments] during names 'podium', not a scene (known: {KNOWN})",
        ),
        ("[moments]\nduring = []\n", "x.toml: [moments] during = [] is not a list of scenes"),
        (
            '[moments]\nlater = ["wall"]\n',
            "x.toml: [moments] later is not a moment (known: before, during, after)",
        ),
        ("[scenes]\n", "x.toml: unknown section [scenes] (known: [moments], [seconds])"),
        ("seconds = 5\n", "x.toml: seconds must be a [seconds] section"),
    ],
)
def test_a_bad_value_is_named(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        scene_plan.parse(text, "x.toml")
    assert str(raised.value) == message


def test_broken_toml_is_one_line() -> None:
    with pytest.raises(ValueError, match=r"^x.toml: not valid TOML \(.*line 1.*\)$"):
        scene_plan.parse("[seconds\n", "x.toml")


def test_a_bad_file_plays_the_defaults_and_says_why(tmp_path: Path) -> None:
    path = tmp_path / "stage.toml"
    path.write_text("[seconds]\nlive = 0\n", encoding="utf-8")
    plan, problem = scene_plan.load(path)
    assert plan == Plan()
    assert problem == f"{path}: [seconds] live = 0 is not a number of seconds from 5 to 600"
    assert scene_plan.load(tmp_path / "none.toml") == (Plan(), None)


def test_moments_and_steps() -> None:
    assert scene_plan.moment(False, False) == "before"
    assert scene_plan.moment(True, False) == "during"
    assert scene_plan.moment(True, True) == "after"
    order = ["wall", "wall-2", "live"]
    assert scene_plan.step(order, "live", 1) == "wall"
    assert scene_plan.step(order, "wall", -1) == "live"
    assert scene_plan.step(order, "wall-2", 1) == "live"
    assert scene_plan.step(order, "ticker", 1) == "wall"  # a scene no longer in the order
