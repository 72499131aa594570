"""Command-line administration: migrate, seed the demo, add offices and staff accounts.

    python manage.py migrate
    python manage.py seed [--if-empty] [--offices 3] [--years 1.1]
    python manage.py create-office CODE "Name" --timezone America/New_York [--phone NUMBER]
    python manage.py create-user USERNAME --role nurse --offices CODE[,CODE] --name "Full Name"
    python manage.py create-user USERNAME --role provider --provider ID --name "Dr. Name"
    python manage.py create-provider "Dr. Name" --office CODE [--email ADDRESS] [--phone NUMBER]
    python manage.py day-sheet --office CODE --date YYYY-MM-DD --out FILE.pdf
    python manage.py export-fhir --office CODE --from YYYY-MM-DD --to YYYY-MM-DD --out FILE.ndjson
    python manage.py backup PATH             (SQLite: a checked copy, safe while the app runs)
    python manage.py restore PATH --yes      (SQLite: keeps a safety copy of what it replaces)
    python manage.py holds --csv             (the medication hold table in use, one row per drug)
    python manage.py notify                  (send the escalation notifications due; for cron)

The password for create-user is read from the terminal (asked twice), or from the first line
of standard input when that is not a terminal, or from MILD_NEW_PASSWORD.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import getpass
import os
import sqlite3
import sys
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from db import seed as demo
from db.backup import BackupRefused, Copy, backup, restore
from db.migrate import SchemaState, upgrade
from db.queries.admin import office_id_by_code
from db.queries.holds import current_hold_table
from db.session import get_engine
from mild import messages
from mild.errors import RuleViolation
from mild.escalations import Delivery
from mild.medications import hold_table_csv, stop_text
from mild.staff import Role, parse_role
from services.auth import hash_password
from services.backup import record_backup, record_restore
from services.common import Actor
from services.documents import day_sheet
from services.fhir_export import export_office
from services.notify import dispatch_due
from services.staff import create_office, create_provider, create_user


def _cli_actor() -> Actor:
    """Writes from the command line are audited to the operating-system user who ran them."""
    who = os.environ.get("SUDO_USER") or getpass.getuser()
    return Actor(
        id=None,
        username=f"cli:{who}"[:80],
        display_name=who,
        role=Role.ADMIN,
        office_ids=frozenset(),
    )


def _read_password() -> str:
    if env := os.environ.get("MILD_NEW_PASSWORD"):
        return env
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Repeat password: "):
            raise RuleViolation("password", messages.PASSWORDS_DIFFER)
        return first
    return sys.stdin.readline().rstrip("\n")


def _demo_password() -> str:
    return os.environ.get("DEMO_PASSWORD") or demo.DEFAULT_DEMO_PASSWORD


def cmd_migrate(_args: argparse.Namespace) -> None:
    upgrade()
    print(
        f"Database is at the newest schema: {get_engine().url.render_as_string(hide_password=True)}"
    )


def cmd_seed(args: argparse.Namespace) -> None:
    upgrade()
    engine = get_engine()
    if args.if_empty and not demo.is_empty(engine):
        print("Database already has data; demo not seeded.")
    else:
        started = time.perf_counter()
        summary = demo.seed_demo(
            engine,
            offices=args.offices,
            years=args.years,
            password=_demo_password(),
            hash_password=hash_password,
            progress=print if args.verbose else lambda _m: None,
        )
        print(
            f"Seeded a synthetic demo: {summary.offices} offices, {summary.cases} cases, "
            f"{sum(summary.rows.values())} rows in {time.perf_counter() - started:.1f} s."
        )
    print_demo_logins()


def print_demo_logins() -> None:
    password = _demo_password()
    shown = "(from DEMO_PASSWORD)" if os.environ.get("DEMO_PASSWORD") else password
    print("Demo sign-ins (username / password):")
    for acct in demo.DEMO_ACCOUNTS:
        print(f"  {acct.username:<12} / {shown}   {acct.role.label}")


def cmd_create_office(args: argparse.Namespace) -> None:
    office_id = create_office(
        args.code, args.name, args.timezone, phone=args.phone, actor=_cli_actor()
    )
    print(f"Created office {args.code.upper()} (id {office_id}).")


def cmd_create_provider(args: argparse.Namespace) -> None:
    office_id = office_id_by_code(args.office)
    if office_id is None:
        raise RuleViolation("office", messages.OFFICE_UNKNOWN.format(code=args.office.upper()))
    provider_id = create_provider(
        office_id, args.name, email=args.email, phone=args.phone, actor=_cli_actor()
    )
    print(f"Created provider {args.name.strip()} at {args.office.upper()} (id {provider_id}).")


def cmd_day_sheet(args: argparse.Namespace) -> None:
    """The office's day sheet as a PDF file (for an outage: print it the evening before)."""
    office_id, actor = _office_actor(args.office)
    printed = day_sheet(office_id, args.date, actor=actor)
    out = _new_file(args.out, args.force)
    out.write_bytes(printed.pdf)
    print(f"Wrote the day sheet of {args.office.upper()} for {args.date:%a %d %b %Y} to {out}.")


def _office_actor(code: str) -> tuple[int, Actor]:
    """The office named by its code, and the command line acting as an admin of it."""
    office_id = office_id_by_code(code)
    if office_id is None:
        raise RuleViolation("office", messages.OFFICE_UNKNOWN.format(code=code.upper()))
    # The command line is an admin, who sees every office: this one.
    return office_id, dataclasses.replace(_cli_actor(), office_ids=frozenset({office_id}))


def _new_file(path: str, force: bool) -> Path:
    out = Path(path)
    if out.exists() and not force:
        raise RuleViolation("out", messages.FILE_EXISTS.format(path=out))
    return out


def cmd_export_fhir(args: argparse.Namespace) -> None:
    """Every case booked at the office on the days given as NDJSON, one FHIR R4 Bundle a line."""
    office_id, actor = _office_actor(args.office)
    out = _new_file(args.out, args.force)
    exported = export_office(office_id, args.first, args.last, actor=actor)
    out.write_text(exported.text, encoding="utf-8")
    print(
        f"Wrote {exported.cases} case(s), {exported.resources} FHIR resources, of "
        f"{args.office.upper()} from {args.first} to {args.last} to {out}."
    )


def cmd_create_user(args: argparse.Namespace) -> None:
    role = parse_role(args.role)
    codes = [c for c in (args.offices or "").split(",") if c.strip()]
    user_id = create_user(
        args.username,
        args.name or "",
        _read_password(),
        role,
        codes,
        actor=_cli_actor(),
        provider_id=args.provider,
    )
    print(f"Created {role.value} {args.username.strip().lower()} (id {user_id}).")


def cmd_backup(args: argparse.Namespace) -> None:
    copy = backup(args.path)
    record_backup(copy, actor=_cli_actor())
    print(f"Backed up {_safe_url()} to {copy.path}")
    size = _megabytes(copy.size_bytes)
    print(f"  {size} in {copy.seconds:.2f} s; integrity_check ok; {_schema(copy)}")
    print(f"  rows: {_rows(copy.rows)}")


def cmd_restore(args: argparse.Namespace) -> None:
    restored = restore(args.path, confirmed=args.yes)
    ended = record_restore(restored, actor=_cli_actor())
    result = restored.database
    print(f"Restored {result.path} from {restored.backup} in {result.seconds:.2f} s")
    if restored.backup_revision != result.revision:
        print(f"  migrated from schema {restored.backup_revision} to {result.revision}")
    if restored.safety_copy:
        print(f"  the database it replaced is kept at {restored.safety_copy}")
    else:
        print("  there was no database to replace")
    print(f"  {ended} open session(s) ended: everyone signs in again")
    print(f"  {_megabytes(result.size_bytes)}; {_schema(result)}; rows: {_rows(result.rows)}")


def cmd_holds(args: argparse.Namespace) -> None:
    table = current_hold_table()
    if args.csv:
        sys.stdout.write(hold_table_csv(table.values()))
        return
    for rule in table.values():
        print(
            f"{rule.drug}: {rule.med_class.label}; {stop_text(rule.stop_before, rule.skip_on_day)}"
        )


def cmd_notify(args: argparse.Namespace) -> None:
    """Send the escalation notifications that are due (for cron; the app sends them too)."""
    report = dispatch_due()
    counts = ", ".join(
        f"{status.label} {report.count(status)}"
        for status in (Delivery.SENT, Delivery.PENDING, Delivery.FAILED, Delivery.NOT_CONFIGURED)
    )
    print(f"Notifications: {counts}; reminder rounds queued {report.queued_rounds}.")


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


def _schema(copy: Copy) -> str:
    if copy.state == SchemaState.READY:
        return f"schema {copy.revision} (the newest)"
    return f"schema {copy.revision} (older than this app: restore migrates it)"


def _rows(rows: dict[str, int]) -> str:
    return ", ".join(f"{table} {count:,}" for table, count in rows.items())


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError("a date as YYYY-MM-DD") from None


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="manage.py", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="apply every database migration").set_defaults(func=cmd_migrate)
    seed = sub.add_parser("seed", help="migrate, then fill an empty database with the demo")
    seed.add_argument("--if-empty", action="store_true", help="do nothing if data exists")
    seed.add_argument("--offices", type=_positive_int, default=3)
    seed.add_argument("--years", type=_positive_float, default=1.1)
    seed.add_argument("--verbose", action="store_true")
    seed.set_defaults(func=cmd_seed)
    office = sub.add_parser("create-office", help="add an office")
    office.add_argument("code")
    office.add_argument("name")
    office.add_argument("--timezone", default="America/New_York")
    office.add_argument("--phone", help="the number patients call with a red flag")
    office.set_defaults(func=cmd_create_office)
    provider = sub.add_parser("create-provider", help="add a physician at an office")
    provider.add_argument("name")
    provider.add_argument("--office", required=True, help="the office's code")
    provider.add_argument("--email", help="where escalations reach them")
    provider.add_argument("--phone")
    provider.set_defaults(func=cmd_create_provider)
    sheet = sub.add_parser("day-sheet", help="print an office's day sheet to a PDF file")
    sheet.add_argument("--office", required=True, help="the office's code")
    sheet.add_argument("--date", required=True, type=_day, help="YYYY-MM-DD, office time")
    sheet.add_argument("--out", required=True, help="the PDF file to write")
    sheet.add_argument("--force", action="store_true", help="replace the file if it exists")
    sheet.set_defaults(func=cmd_day_sheet)
    export = sub.add_parser(
        "export-fhir", help="write an office's cases of a range of days as FHIR R4 NDJSON"
    )
    export.add_argument("--office", required=True, help="the office's code")
    export.add_argument(
        "--from", dest="first", required=True, type=_day, help="YYYY-MM-DD, office time"
    )
    export.add_argument("--to", dest="last", required=True, type=_day, help="YYYY-MM-DD, inclusive")
    export.add_argument("--out", required=True, help="the .ndjson file to write")
    export.add_argument("--force", action="store_true", help="replace the file if it exists")
    export.set_defaults(func=cmd_export_fhir)
    user = sub.add_parser("create-user", help="add a staff account")
    user.add_argument("username")
    user.add_argument(
        "--role", required=True, help="nurse, coordinator, manager, admin or provider"
    )
    user.add_argument("--offices", help="office codes, comma-separated (not needed for admin)")
    user.add_argument("--name", help="full name as shown in the app")
    user.add_argument(
        "--provider",
        type=_positive_int,
        help="for --role provider: the provider's id (create-provider prints it)",
    )
    user.set_defaults(func=cmd_create_user)
    save = sub.add_parser(
        "backup", help="copy the SQLite database, checked, while the app runs (SQLite only)"
    )
    save.add_argument("path", help="a new file, or a folder to put a timestamped file in")
    save.set_defaults(func=cmd_backup)
    back = sub.add_parser(
        "restore", help="replace the SQLite database with a backup, keeping a safety copy"
    )
    back.add_argument("path", help="a file made by manage.py backup")
    back.add_argument("--yes", action="store_true", help="yes, lose every change since the backup")
    back.set_defaults(func=cmd_restore)
    notify = sub.add_parser(
        "notify", help="send the escalation notifications that are due (for cron)"
    )
    notify.set_defaults(func=cmd_notify)
    holds = sub.add_parser("holds", help="print the medication hold table in use")
    holds.add_argument("--csv", action="store_true", help="as CSV, one row per drug")
    holds.set_defaults(func=cmd_holds)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except RuleViolation as e:
        print(f"error: {e.field}: {e.message}", file=sys.stderr)
        return 2
    except (demo.SeedError, BackupRefused) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:  # a backup folder or file the operating system refuses
        print(f"error: {e.strerror}: {e.filename}", file=sys.stderr)
        return 2
    except sqlite3.Error as e:
        print(f"error: cannot use the database at {_safe_url()}: {e}", file=sys.stderr)
        return 1
    except SQLAlchemyError as e:
        print(
            f"error: cannot use the database at {_safe_url()}: {e.__class__.__name__}: "
            f"{str(e).splitlines()[0]}",
            file=sys.stderr,
        )
        return 1
    return 0


def _safe_url() -> str:
    try:
        return get_engine().url.render_as_string(hide_password=True)
    except Exception:  # a malformed URL: say so without echoing a password
        return "DATABASE_URL (could not be parsed)"


if __name__ == "__main__":
    sys.exit(main())
