"""views/ holds only the pages dashboard.py registers, each short; views/parts/ their parts."""

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def registered_pages() -> set[str]:
    """Return the page names dashboard.py hands to st.navigation (`views/NAME.py`)."""
    source = (REPO / "dashboard.py").read_text(encoding="utf-8")
    tree = ast.parse(source)
    names = set(re.findall(r'"views/(\w+)\.py"', source))
    for node in ast.walk(tree):  # the pages list: ("overview", title, icon) rows
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "pages":
            assert isinstance(node.value, ast.List)
            names |= {row.elts[0].value for row in node.value.elts if isinstance(row, ast.Tuple)}  # type: ignore[attr-defined]
    return names


def test_views_holds_only_registered_pages() -> None:
    files = {p.stem for p in (REPO / "views").glob("*.py") if p.stem != "__init__"}
    assert files == registered_pages()
    assert registered_pages() >= {"overview", "awards", "presenter", "not_found"}
