"""Open only regular files: what ingest reads is never a symlink it was not told to follow,
a FIFO, a device or a directory.

A log directory may be writable by others than the operator (a web server's account). Had a
followed log been replaced by a symlink to /etc/passwd or a 0600 secrets file, the ingest (run
with more rights) would store its lines as rejected lines; a FIFO put in its place would hang
it. So a path is looked at without following a symlink, opened without following one
(O_NOFOLLOW), without blocking (O_NONBLOCK: opening a FIFO returns at once) and without taking
a terminal, and what was opened is checked again (fstat), so a swap between the look and the
open is caught too. A symlink is followed only when the operator names it and allows it.
"""

from __future__ import annotations

import argparse
import errno
import os
import stat
from pathlib import Path
from typing import BinaryIO

ALLOW_HINT = "name it with --allow-symlinks to load what it points to"
# A descriptor this process already opened and checked (a renamed-away log the follower still
# holds): a link the kernel keeps, not one anybody else can point elsewhere.
_OWN_DESCRIPTORS = "/proc/self/fd/"


class NotRegularFile(OSError):
    """A path that is a symlink (not allowed), a FIFO, a socket, a device or a directory."""


def add_allow_symlinks_option(parser: argparse.ArgumentParser) -> None:
    """Add --allow-symlinks, without which a FILE that is a symbolic link is refused."""
    parser.add_argument(
        "--allow-symlinks",
        action="store_true",
        help="read FILEs that are symbolic links (refused without it: only regular files)",
    )


def kind_of(mode: int) -> str:
    """Return what a non-regular file is, in words ('a FIFO (named pipe)', 'a directory' ...)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def not_regular(path: Path, allow_symlink: bool = False) -> str | None:
    """Return why path is not a regular file ingest may read, None if it is (or is missing)."""
    follow = allow_symlink or str(path).startswith(_OWN_DESCRIPTORS)
    try:
        mode = os.lstat(path).st_mode
        if stat.S_ISLNK(mode):
            if not follow:
                return f"is a symbolic link (to {os.readlink(path)}), not followed: {ALLOW_HINT}"
            mode = os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if stat.S_ISREG(mode):
        return None
    return f"is {kind_of(mode)}, not a regular file: skipped"


def open_regular(path: Path, allow_symlink: bool = False) -> BinaryIO:
    """Open a regular file for reading bytes, or raise NotRegularFile saying what it is."""
    why = not_regular(path, allow_symlink)
    if why is not None:
        raise NotRegularFile(why)
    follow = allow_symlink or str(path).startswith(_OWN_DESCRIPTORS)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    try:
        fd = os.open(path, flags if follow else flags | os.O_NOFOLLOW)
    except OSError as exc:
        if exc.errno == errno.ELOOP and not follow:  # made a symlink since the look
            raise NotRegularFile(f"is a symbolic link, not followed: {ALLOW_HINT}") from exc
        raise
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):  # swapped since the look
            raise NotRegularFile(f"is {kind_of(mode)}, not a regular file: skipped")
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
