"""The stage's running order (data/stage.toml): the scenes of each moment and their seconds.

No Streamlit here: the file is read and checked on its own, and a bad value is named in one line
("data/stage.toml: [seconds] live = -5 is not a number of seconds from 5 to 600").
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from settings import REPO_ROOT

FILE = REPO_ROOT / "data" / "stage.toml"
MOMENTS = ("before", "during", "after")
SCENES = ("since", "last_winners", "live", "ticker", "improved", "wall")
LOW, HIGH = 5, 600  # seconds a scene may stay: long enough to read, short enough to move on


@dataclass(frozen=True)
class Plan:
    """Which scenes play at each moment, in order, and how many seconds each stays."""

    moments: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {
            "before": ("since", "last_winners"),
            "during": ("live", "ticker", "improved"),
            "after": ("wall", "live"),
        }
    )
    seconds: dict[str, float] = field(
        default_factory=lambda: {
            "since": 20,
            "last_winners": 12,
            "live": 30,
            "ticker": 20,
            "improved": 15,
            "wall": 12,
        }
    )


def parse(text: str, name: str = "data/stage.toml") -> Plan:
    """Return the plan a stage.toml text sets (what it leaves out keeps the default).

    Raises ValueError with one line naming the file, the entry and what is wrong with it.
    """
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: not valid TOML ({exc})") from None
    for section in table:
        if section not in ("moments", "seconds"):
            raise ValueError(f"{name}: unknown section [{section}] (known: [moments], [seconds])")
    default = Plan()
    moments = dict(default.moments)
    for moment, scenes in _section(table, "moments", name).items():
        if moment not in MOMENTS:
            raise ValueError(
                f"{name}: [moments] {moment} is not a moment (known: {', '.join(MOMENTS)})"
            )
        if not isinstance(scenes, list) or not scenes:
            raise ValueError(f"{name}: [moments] {moment} = {scenes!r} is not a list of scenes")
        for scene in scenes:
            if scene not in SCENES:
                raise ValueError(
                    f"{name}: [moments] {moment} names {scene!r}, not a scene"
                    f" (known: {', '.join(SCENES)})"
                )
        moments[moment] = tuple(scenes)
    seconds = dict(default.seconds)
    for scene, value in _section(table, "seconds", name).items():
        if scene not in SCENES:
            raise ValueError(
                f"{name}: [seconds] {scene} is not a scene (known: {', '.join(SCENES)})"
            )
        # TOML's true is not a number of seconds, though Python counts it as 1
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not LOW <= value <= HIGH
        ):
            raise ValueError(
                f"{name}: [seconds] {scene} = {value!r} is not a number of seconds"
                f" from {LOW} to {HIGH}"
            )
        seconds[scene] = float(value)
    return Plan(moments, seconds)


def _section(table: dict[str, object], key: str, name: str) -> dict[str, object]:
    section = table.get(key, {})
    if not isinstance(section, dict):
        raise ValueError(f"{name}: {key} must be a [{key}] section")
    return section


def load(path: Path = FILE) -> tuple[Plan, str | None]:
    """Return the plan of the stage file and the problem found in it (then the default plan)."""
    name = str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Plan(), None  # no file: the defaults, as documented
    except (OSError, UnicodeDecodeError) as exc:
        return Plan(), f"{name}: cannot be read ({exc.__class__.__name__})"
    try:
        return parse(text, name), None
    except ValueError as exc:
        return Plan(), str(exc)


def moment(fiscal_year_has_data: bool, announced: bool) -> str:
    """Return the moment of the stage's year: before its first download, during, or after."""
    if announced:
        return "after"
    return "during" if fiscal_year_has_data else "before"


def step(order: list[str], current: str, by: int) -> str:
    """Return the scene `by` places from current in the running order (round and round)."""
    if current not in order:
        return order[0]
    return order[(order.index(current) + by) % len(order)]
