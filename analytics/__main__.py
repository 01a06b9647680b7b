"""`python -m analytics ...` runs `python -m reports ...`, where the commands now live.

They apply the embargo and the announced figures kept in decisions/, a layer above analytics,
so analytics itself never imports it; this name stays for the scripts and habits that use it.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    """Replace this process with `python -m reports` and the same arguments."""
    os.execv(sys.executable, [sys.executable, "-m", "reports", *sys.argv[1:]])


if __name__ == "__main__":
    main()
