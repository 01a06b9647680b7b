"""The operator's keys and the clock: what moves the stage's show on, all through the URL.

?scene=ticker the scene, ?pause=1 the clock stopped, ?show=winners the reveal. The keys are
buttons with keyboard shortcuts that the stage theme hides: the audience sees no control, and
the keys change the URL like a link would.
"""

from __future__ import annotations

import time

import streamlit as st

from views.parts import scene_plan, ui

# button key -> (shortcut, what it does); clickers send PageDown / PageUp, keyboards the arrows
KEYS = {
    "scene_next": ("Right", "next"),
    "scene_next_page": ("PageDown", "next"),
    "scene_back": ("Left", "back"),
    "scene_back_page": ("PageUp", "back"),
    "scene_pause": ("P", "pause"),
    "scene_reveal": ("W", "reveal"),
}


def current(order: list[str]) -> str:
    """Return the scene the URL names if it is in the running order, else the first."""
    named = st.query_params.get("scene", "")
    return named if named in order else order[0]


def paused() -> bool:
    """Return whether the operator stopped the clock (?pause=1)."""
    return st.query_params.get("pause", "") == "1"


def _act(action: str, order: list[str], scene: str) -> None:
    """Do what an operator key asks, before the page runs again (a button's callback)."""
    if action in ("next", "back"):
        st.query_params["scene"] = scene_plan.step(order, scene, 1 if action == "next" else -1)
    elif action == "pause":
        if paused():
            st.query_params.pop("pause", None)
        else:
            st.query_params["pause"] = "1"
    else:  # the reveal and back: staff's sidebar choice follows the URL
        reveal = st.query_params.get("show", "") != "winners"
        if reveal:
            st.query_params["show"] = "winners"
        else:
            st.query_params.pop("show", None)
        if "show" in st.session_state:
            st.session_state["show"] = "winners" if reveal else "race"


def operator_keys(order: list[str], scene: str, *, reveal: bool) -> None:
    """Draw the operator's keys (hidden buttons): in the reveal only W, its own → ← move on."""
    box = st.container(key="operator_keys")
    for key, (shortcut, action) in KEYS.items():
        if reveal and action != "reveal":
            continue
        box.button(key, key=key, shortcut=shortcut, on_click=_act, args=(action, order, scene))


def clock(order: list[str], scene: str, seconds: float) -> None:
    """Move to the next scene after `seconds`, unless paused or there is only one scene."""
    if paused() or len(order) < 2:
        return
    started = time.monotonic()

    @st.fragment(run_every=seconds)
    def scene_clock() -> None:
        if time.monotonic() - started < seconds * 0.9:
            return  # the run inside the page's own run: the scene has just begun
        st.query_params["scene"] = scene_plan.step(order, scene, 1)
        st.rerun()

    scene_clock()


def staff_notes(scene: str, staff: bool) -> None:
    """Tell staff, in the sidebar, which scene plays and which keys steer the show."""
    if not staff:
        return
    st.sidebar.caption(ui.text("scene.keys"))
    state = ui.text("scene.paused") if paused() else ui.text("scene.playing")
    st.sidebar.caption(f"{state} · {scene}")
