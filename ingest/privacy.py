"""PDPA: the client key is a keyed hash of (IP, user agent); IP-looking text is masked."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import polars as pl

KEY_BYTES = 32
_BLOCK = 64  # SHA-256 block size, for HMAC's inner and outer pads

IPV4 = r"\b(?:\d{1,3}\.){3}\d{1,3}\b"
# IPv6 with '::' compression, or a full eight groups; plain times such as 10:40:12 stay readable.
IPV6_COMPRESSED = r"(?i)(?:[0-9a-f]{1,4}:)*[0-9a-f]{0,4}::(?:[0-9a-f]{1,4}:?)*(?:[0-9a-f]{1,4})?"
IPV6_FULL = r"(?i)\b(?:[0-9a-f]{1,4}:){7}[0-9a-f]{1,4}\b"
MASK = "[ip]"


def load_or_create_key(path: Path) -> bytes:
    """Return the installation's HMAC key, creating it (mode 0600) at first use."""
    if path.exists():
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise ValueError(f"{path}: the pseudonymisation key must be {KEY_BYTES} bytes")
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(key)
    return key


def hmac_pads(key: bytes) -> tuple[bytes, bytes]:
    """Return HMAC's (inner, outer) padded keys, for hashing inside DuckDB."""
    block = key.ljust(_BLOCK, b"\0")
    return bytes(b ^ 0x36 for b in block), bytes(b ^ 0x5C for b in block)


def client_key_sql(ip_col: str, ua_col: str) -> str:
    """Return a DuckDB expression: the first 128 bits of HMAC-SHA-256(key, ip LF ua), a UHUGEINT.

    Expects the pads as the parameters $ipad and $opad; column names come from code, not input.
    """
    message = f"encode({ip_col} || chr(10) || coalesce({ua_col}, ''))"
    inner = f"unhex(sha256($ipad || {message}))"
    return f"('0x' || substr(sha256($opad || {inner}), 1, 32))::uhugeint"


def mask_ips(expr: pl.Expr) -> pl.Expr:
    """Return the text with IPv4 and IPv6 addresses replaced by [ip]."""
    return (
        expr.str.replace_all(IPV4, MASK)
        .str.replace_all(IPV6_FULL, MASK)
        .str.replace_all(IPV6_COMPRESSED, MASK)
    )
