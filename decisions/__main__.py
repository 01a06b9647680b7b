"""Command line: dashboard accounts, kiosk links and the audit log's check.

python -m decisions users add NAME --role staff|agency|public [--agency ORG] [--force]
python -m decisions users list | users remove NAME | users sign-out NAME
python -m decisions audit verify [--head HASH]
python -m decisions kiosk-link --fy 2567 [--expires 1d] [--url http://stage-pc:8501]
python -m decisions kiosk-links
python -m decisions kiosk-revoke ID
"""

from __future__ import annotations

import argparse
import difflib
import getpass
import os
import sys
from pathlib import Path

import duckdb

from cli_paths import PathProblem, database_path
from decisions import auth
from decisions.keys import secret_key, secret_path_for
from decisions.sessions import Sessions, parse_duration
from decisions.store import DecisionStore, decisions_path_for

EXAMPLE = {
    "users add": ".venv/bin/python -m decisions users add ddc-head --role agency --agency ddc",
    "users remove": ".venv/bin/python -m decisions users remove ddc-head",
    "users list": ".venv/bin/python -m decisions users list",
    "users sign-out": ".venv/bin/python -m decisions users sign-out ddc-head",
    "kiosk-link": ".venv/bin/python -m decisions kiosk-link --fy 2567 --expires 1d"
    " --url http://stage-pc:8501",
    "kiosk-links": ".venv/bin/python -m decisions kiosk-links",
    "kiosk-revoke": ".venv/bin/python -m decisions kiosk-revoke 3",
    "audit verify": ".venv/bin/python -m decisions audit verify --head 3f5a09c1d2e4b7a8",
}
EXAMPLES = "examples:\n" + "\n".join(f"  {line}" for line in EXAMPLE.values())


LIVE_RACE_HELP = (
    "show the year's live race on this screen before the year is announced (the event's choice:"
    " the ranking is then public to whoever sees the screen or holds the link)"
)


def _command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    help_text: str,
    example: str,
    description: str | None = None,
) -> argparse.ArgumentParser:
    """Add a subcommand whose --help ends with one example."""
    return sub.add_parser(
        name,
        help=help_text,
        description=description,
        epilog=f"example:\n  {EXAMPLE[example]}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _group(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], name: str, help_text: str
) -> argparse._SubParsersAction[argparse.ArgumentParser]:
    """Add a command whose subcommands (its `action`) are added to what it returns."""
    return sub.add_parser(
        name,
        help=help_text,
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    ).add_subparsers(dest="action", required=True)


def _password(name: str, from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass(f"password for {name}: ")
    if getpass.getpass("again: ") != password:
        raise ValueError("the two passwords differ")
    return password


def catalog_agencies(db: Path) -> set[str]:
    """Return the CKAN organization names the warehouse's catalog lists now (read-only)."""
    return {name for name, removed in _agencies(db).items() if removed is None}


def _agencies(db: Path) -> dict[str, str | None]:
    """Return every CKAN organization name of the catalog and when it left it (None: listed)."""
    if not db.exists():
        raise ValueError(
            f"no database at {db} to check the agency against: load the catalog "
            "(python -m ingest catalog ...) or add --force"
        )
    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "select name, case when count(deleted_at) < count(*) then null"  # one row listed
            " else strftime(max(deleted_at), '%Y-%m-%d') end from agencies group by name"
        ).fetchall()
    except duckdb.CatalogException as exc:
        raise ValueError(f"{db} has no catalog yet: load it first or add --force") from exc
    finally:
        con.close()
    return dict(rows)


def _check_agency(db: Path, agency: str) -> None:
    every = _agencies(db)
    if agency in every and every[agency] is None:
        return
    if agency in every:
        raise ValueError(
            f"agency {agency!r} left the catalog of {db} on {every[agency]}: an account for it "
            "would see nothing new; --force if it is listed again under the same name"
        )
    known = sorted(name for name, removed in every.items() if removed is None)
    near = difflib.get_close_matches(agency, known, n=3)
    hint = f"; did you mean {', '.join(near)}?" if near else ""
    raise ValueError(
        f"agency {agency!r} is not in the catalog of {db} ({len(known)} agencies){hint} "
        "Use the CKAN organization name, or --force for an agency not loaded yet"
    )


def _link_id(text: str) -> int:
    """Return a kiosk link's number (argparse type): a whole number SQLite can hold."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a link number") from None
    if not 1 <= number < 2**63:
        raise argparse.ArgumentTypeError(f"{text} is no link number (see kiosk-links)")
    return number


def _sessions(db: Path) -> Sessions:
    return Sessions(decisions_path_for(db), secret_key(secret_path_for(db)))


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every accounts and kiosk-link command."""
    parser = argparse.ArgumentParser(
        prog="python -m decisions",
        description="Dashboard accounts, kiosk links and the audit log's check.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", type=Path, help="warehouse (default: ODA_DB or data/)")
    parser.add_argument("--users", type=Path, help="users file (default: beside the database)")
    sub = parser.add_subparsers(dest="command", required=True)
    users = _group(sub, "users", "add, remove or list accounts")
    add = _command(users, "add", "add or replace an account", "users add")
    add.add_argument("name")
    add.add_argument("--role", choices=auth.ROLES, required=True)
    add.add_argument("--agency", help="CKAN organization name (agency accounts)")
    add.add_argument("--force", action="store_true", help="accept an agency not in the catalog")
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    remove = _command(users, "remove", "remove an account (and end its sessions)", "users remove")
    remove.add_argument("name")
    _command(users, "list", "list accounts", "users list")
    sign_out = _command(
        users,
        "sign-out",
        "end every session of an account at once",
        "users sign-out",
        description="End every signed-in session of an account: each of its browsers shows the "
        "sign-in form at its next click. The account and its password stay.",
    )
    sign_out.add_argument("name")
    kiosk = _command(
        sub,
        "kiosk-link",
        "print a link that opens the Presenter without a password",
        "kiosk-link",
        description="Print a URL that opens the Presenter read-only with public rights (the "
        "embargo holds unless --live-race) for one fiscal year, until it expires or is revoked.",
    )
    kiosk.add_argument("--fy", type=int, required=True, help="fiscal year (BE), e.g. 2567")
    kiosk.add_argument("--expires", default="1d", help="lifetime: 30m, 12h, 1d, 2w (default 1d)")
    kiosk.add_argument(
        "--url",
        default=os.environ.get("ODA_URL", "http://localhost:8501"),
        help="the dashboard's address as the stage machine reaches it (default: ODA_URL)",
    )
    kiosk.add_argument("--note", default="", help="what the link is for (shown by kiosk-links)")
    kiosk.add_argument("--live-race", action="store_true", help=LIVE_RACE_HELP)
    _command(sub, "kiosk-links", "list kiosk links", "kiosk-links")
    revoke = _command(sub, "kiosk-revoke", "revoke a kiosk link at once", "kiosk-revoke")
    revoke.add_argument("id", type=_link_id)
    audit = _group(sub, "audit", "check the award decisions' audit log")
    verify = _command(
        audit,
        "verify",
        "check the audit log's hash chain; print its head hash",
        "audit verify",
        description="Check that no audit entry, decision or announcement was changed outside "
        "the app, and print the head hash: note it in the minutes or beside an export. With "
        "--head, also check that the log still holds a head noted earlier (someone with the "
        "file can rewrite the whole chain consistently, or cut its end; only a kept head shows "
        "it). Exit 0 intact, 1 broken.",
    )
    verify.add_argument("--head", help="a head hash noted earlier (at least 12 characters)")
    return parser


def _check_users_file(path: Path) -> None:
    """Raise PathProblem unless the users file is a regular file (a link to one is fine: it is
    read through and replaced whole) or is missing in a folder that exists."""
    if path.is_symlink() or path.exists():
        if not path.is_file():
            raise PathProblem(f"{path}: the users file is not a regular file")
    elif not path.parent.is_dir():
        raise PathProblem(f"{path}: the folder {path.parent} does not exist")


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        # accounts may come before the first load; an existing path must be the database
        db = database_path(args.db, may_create=True)
        if not db.parent.is_dir():  # its keys and accounts go beside it
            raise PathProblem(f"{db}: the folder {db.parent} does not exist")
        path = args.users or auth.users_path_for(db)
        _check_users_file(path)
    except PathProblem as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        if args.command == "kiosk-link":
            lasts = parse_duration(args.expires)
            link_id, token = _sessions(db).create_kiosk(
                args.fy, lasts, getpass.getuser(), args.note, live_race=args.live_race
            )
            # the root: a kiosk session has one page, the Presenter, which Streamlit serves at /
            print(f"{args.url.rstrip('/')}/?fy={args.fy}&kiosk={token}")
            print(
                f"kiosk link #{link_id} for fiscal year {args.fy}, valid for {args.expires}"
                f"{', with the live race before the announcement' if args.live_race else ''}; "
                f"revoke it with: python -m decisions kiosk-revoke {link_id}",
                file=sys.stderr,
            )
        elif args.command == "kiosk-links":
            for link in _sessions(db).kiosk_links():
                state = (
                    "revoked" if link.revoked_at else f"expires {link.expires_at:%Y-%m-%d %H:%M}"
                )
                race = "\tlive race" if link.live_race else ""
                print(f"#{link.id}\tfy {link.fiscal_year}\t{state} UTC{race}\t{link.note}")
        elif args.command == "kiosk-revoke":
            if not _sessions(db).revoke_kiosk(args.id):
                print(f"error: no live kiosk link #{args.id}", file=sys.stderr)
                return 1
            print(f"revoked kiosk link #{args.id}: screens using it stop within a minute")
        elif args.command == "audit":
            if not decisions_path_for(db).exists():
                raise ValueError(f"no decisions file at {decisions_path_for(db)}: nothing to check")
            check = DecisionStore(decisions_path_for(db)).verify_audit(args.head)
            print(check.describe(), file=sys.stdout if check.intact else sys.stderr)
            return 0 if check.intact else 1
        elif args.action == "add":
            auth.User(args.name, args.role, args.agency)  # refuse a bad role before asking
            if args.agency:
                try:
                    _check_agency(db, args.agency)
                except ValueError as exc:
                    if not args.force:
                        raise
                    print(f"warning: {exc} (added anyway: --force)", file=sys.stderr)
            password = _password(args.name, args.password_stdin)
            existed = args.name in auth.read_users(path)
            user = auth.add_user(path, args.name, args.role, password, args.agency)
            scope = f" of {user.agency}" if user.agency else ""
            note = ""
            if existed:  # the old password's sessions end now, not only at their next request
                note = f"; {_sessions(db).end_account(args.name)} open session(s) ended"
            verb = "replaced" if existed else "added"
            print(f"{verb} {user.name}: {user.role}{scope} ({path}){note}")
        elif args.action == "sign-out":
            if args.name not in auth.read_users(path):
                print(f"error: no account {args.name!r} in {path}", file=sys.stderr)
                return 1
            ended = _sessions(db).end_account(args.name)
            print(f"signed out {args.name}: {ended} open session(s) ended")
        elif args.action == "remove":
            if not auth.remove_user(path, args.name):
                print(f"error: no account {args.name!r} in {path}", file=sys.stderr)
                return 1
            ended = _sessions(db).end_account(args.name)
            print(f"removed {args.name} ({path}); {ended} open session(s) ended")
        else:
            for user in auth.list_users(path):
                print(f"{user.name}\t{user.role}\t{user.agency or ''}")
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
