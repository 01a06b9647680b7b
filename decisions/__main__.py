"""Command line: python -m decisions users add|remove|list (dashboard accounts)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from decisions import auth
from settings import load_settings


def _password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != password:
        raise ValueError("the two passwords differ")
    return password


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    parser = argparse.ArgumentParser(prog="python -m decisions", description=__doc__)
    parser.add_argument("--users", type=Path, help="users file (default: beside the database)")
    sub = parser.add_subparsers(dest="command", required=True)
    users = sub.add_parser("users").add_subparsers(dest="action", required=True)
    add = users.add_parser("add", help="add or replace an account")
    add.add_argument("name")
    add.add_argument("--role", choices=auth.ROLES, required=True)
    add.add_argument("--agency", help="CKAN organization name (agency accounts)")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    remove = users.add_parser("remove", help="remove an account")
    remove.add_argument("name")
    users.add_parser("list", help="list accounts")
    args = parser.parse_args(argv)
    path = args.users or auth.users_path_for(load_settings().db_path)
    try:
        if args.action == "add":
            auth.User(args.name, args.role, args.agency)  # refuse a bad role before asking
            password = _password(args.name, args.password_stdin)
            existed = args.name in auth.read_users(path)
            user = auth.add_user(path, args.name, args.role, password, args.agency)
            scope = f" of {user.agency}" if user.agency else ""
            verb = "replaced" if existed else "added"
            print(f"{verb} {user.name}: {user.role}{scope} ({path})")
        elif args.action == "remove":
            if not auth.remove_user(path, args.name):
                print(f"error: no account {args.name!r} in {path}", file=sys.stderr)
                return 1
            print(f"removed {args.name} ({path})")
        else:
            for user in auth.list_users(path):
                print(f"{user.name}\t{user.role}\t{user.agency or ''}")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
