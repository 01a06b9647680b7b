"""First run: the demo database is built by `python -m demo` in its own process.

The dashboard never writes the database: on the first visit with the default database missing it
starts the build once per server, shows the build's own progress lines, and reruns when it is
done. Nothing here is cached, so the progress box is never replayed on later pages.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import streamlit as st

from settings import REPO_ROOT, load_settings
from views.parts import i18n

_LOCK = threading.Lock()
_BUILDS: dict[Path, subprocess.Popen[bytes]] = {}  # one build per database, shared by sessions
_LINE = re.compile(r"\[\s*(\d+)%\]\s*(.*)")


def log_path(db: Path) -> Path:
    """Return the file the build writes its progress lines to, beside the database."""
    return db.with_name(db.name + ".demo-build.log")


def start(db: Path) -> subprocess.Popen[bytes]:
    """Start the demo build for db unless one is running; return its process."""
    with _LOCK:
        running = _BUILDS.get(db)
        if running is not None and (running.poll() is None or db.exists()):
            return running
        db.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "demo", "--db", str(db)]
        lines = os.environ.get("ODA_DEMO_LINES_PER_YEAR", "")
        if lines.isdigit():  # a smaller demo (tests, slow machines)
            command += ["--lines-per-year", lines]
        with log_path(db).open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=REPO_ROOT,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        _BUILDS[db] = process
        return process


def progress(db: Path) -> tuple[float, str]:
    """Return the build's last reported fraction and step, in the reader's language."""
    try:
        lines = log_path(db).read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:
        return 0.0, ""
    for line in reversed(lines):
        found = _LINE.match(line)
        if found:
            thai, _, english = found.group(2).partition(" · ")
            return int(found.group(1)) / 100, (english or thai) if i18n.english() else thai
    return 0.0, ""


def ensure() -> None:
    """Build the demo database if this is a first run, showing progress; rerun when ready."""
    settings = load_settings()
    db = settings.db_path
    if db.exists() or not settings.auto_demo:
        return
    process = start(db)
    with st.status(i18n.text("demo.building"), expanded=True) as box:
        bar = st.progress(0.0)
        while process.poll() is None:
            done, step = progress(db)
            bar.progress(min(done, 1.0), text=i18n.text("demo.step", step=step) if step else None)
            time.sleep(0.5)
        if process.returncode != 0 or not db.exists():
            tail = log_path(db).read_text(encoding="utf-8", errors="replace").strip()
            box.update(state="error")
            st.error(i18n.text("demo.failed", error=tail.splitlines()[-1] if tail else "?"))
            st.code("python -m demo", language="sh")
            st.stop()
        box.update(label=i18n.text("demo.ready"), state="complete")
    st.rerun()
