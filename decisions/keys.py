"""The dashboard's own secret: signs session cookies and kiosk links, keys client pseudonyms."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from pathlib import Path

KEY_BYTES = 32


def secret_path_for(db_path: Path) -> Path:
    """Return the dashboard's secret key file beside a warehouse: `<db>.session-key`."""
    return db_path.with_name(db_path.name + ".session-key")


def secret_key(path: Path) -> bytes:
    """Return the key in `path`, creating 32 random bytes (mode 0600) on first use.

    Replacing the file signs everyone out and voids every kiosk link: that is how to rotate it.
    """
    if not path.exists():
        # Written aside and linked into place: no reader ever sees a half-written key, and of
        # two processes starting at once exactly one key wins.
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(secrets.token_bytes(KEY_BYTES))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ValueError(f"{path} is readable by others: chmod 600 {path}")
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise ValueError(
            f"{path} holds {len(key)} bytes, not {KEY_BYTES}: delete it to make a new one "
            "(this signs everyone out and voids kiosk links)"
        )
    return key


def pseudonym(key: bytes, kind: str, value: str) -> str:
    """Return a keyed 128-bit hex pseudonym of a value (client addresses, unknown names)."""
    digest = hmac.new(key, f"{kind}\n{value}".encode(), hashlib.sha256).hexdigest()
    return digest[:32]
