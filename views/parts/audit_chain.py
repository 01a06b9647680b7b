"""What the audit log's hash chain check found, said plainly to staff (decisions/audit_chain.py)."""

from __future__ import annotations

import streamlit as st

from decisions.audit_chain import ChainCheck
from views.parts import ui

text = ui.text


def problem(check: ChainCheck) -> str:
    """Return what a broken check found and what it means, in the reader's language."""
    after = text("audit_chain.entry", id=check.after) if check.after else text("audit_chain.start")
    found = text(f"audit_chain.{check.problem}", id=check.broken_at, after=after)
    return f"{found} {text('audit_chain.meaning')}"


def sidebar_warning(check: ChainCheck) -> None:
    """Warn on every page when the log was changed outside the app."""
    if not check.intact:
        st.sidebar.error(text("audit_chain.sidebar"), icon=":material/gpp_bad:")


def show(check: ChainCheck) -> None:
    """Draw the check on the Awards page: an error naming the entry, or the head to note."""
    if not check.intact:
        st.error(problem(check), icon=":material/gpp_bad:")
    else:
        st.caption(text("audit_chain.intact", entries=check.entries, head=check.head))
    for entry in check.guards_restored:
        st.warning(text("audit_chain.restored", id=entry))
