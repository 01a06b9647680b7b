"""Import, once and in one thread, what the pages would import on first use.

Streamlit runs each browser session's script in a thread of its own, and pandas, pyarrow,
plotly's parts, the exports' libraries and the view helpers are imported only when a page first
needs them. Six sessions opening a freshly started dashboard imported them all at once, and one
was shown `AttributeError: partially initialized module 'pandas'` with server paths: Python
breaks a cycle between two threads' imports by handing one of them the unfinished module. So
dashboard.py calls load() before anything else; later sessions wait for the first one's imports.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from pathlib import Path

# Libraries the pages reach only through polars, plotly and Streamlit (to_pandas, st.dataframe,
# plotly's JSON, row styling, the XLSX and PDF exports), found by listing the modules running
# every page imported (tests/views/test_first_use.py keeps the list whole).
LIBRARIES = (
    "numpy",
    "pandas",
    "pandas.io.formats.style",
    "pyarrow",
    "pyarrow.compute",
    "pyarrow.pandas_compat",
    "pyarrow.vendored.version",
    "narwhals",
    "plotly.graph_objects",
    "plotly.io",
    "plotly.offline",
    "plotly.tools",
    "altair",
    "streamlit.dataframe_util",
    "PIL.Image",
    "fpdf",
    "xlsxwriter",
)

_lock = threading.Lock()
_loaded = False


def view_helpers() -> list[str]:
    """Return the modules of views/parts/, which pages import (every one but this)."""
    folder = Path(__file__).parent
    names = (m.name for m in pkgutil.iter_modules([str(folder)]))
    return sorted(f"views.parts.{n}" for n in names if n != "first_use")


def load() -> None:
    """Import LIBRARIES and the view helpers once per process; other sessions wait meanwhile."""
    global _loaded
    if _loaded:
        return
    with _lock:
        if not _loaded:
            for name in (*LIBRARIES, *view_helpers()):
                importlib.import_module(name)
            _loaded = True
