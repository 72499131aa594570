"""The audit screen's reads on a long history: a copy of the five-year demo with every
checklist tick, follow-up and booking audited as the services audit them (about two million
rows), then the screen's reads timed.

    .venv/bin/python scripts/bench_audit.py [--source data/bench/offices25-years5.db]
                                            [--repeat 5] [--keep]

A benchmark, not a test: it prints numbers and never fails on timing. The source database is
only read (copied with SQLite's backup API into a temporary folder); the demo seed writes few
audit rows, so the copy is filled from the rows the services would have audited:
"checklist.ticked" per checklist entry, "follow_up.call_recorded"/"visit_recorded" per
completed follow-up (naming the follow-up by id, which the screen turns into words), and
"case.booked" per case (naming its provider and office by id).

Timed (median of --repeat runs, wall clock, each in a fresh read): the screen as an admin and
as a manager opens it (the last seven days, newest 500), a 90-day range, a case named as a
person types it (its whole history, oldest first), the words of the 500 rows shown (table and
story), and the largest export (50,000 rows read, named and written as CSV). The plans of the
count and row queries are printed: both walk an index (ix_audit_event_at for a range,
ix_audit_event_entity for a case), never the whole table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FILL = [
    (
        "checklist ticks",
        """
        INSERT INTO audit_event (at, actor_id, actor_name, action, entity, entity_id, office_id,
                                 detail)
        SELECT ce.done_at, ce.done_by_id, coalesce(su.username, 'nurse'), 'checklist.ticked',
               'case', ce.case_id, c.office_id,
               json_object('step', ce.step, 'value', ce.value)
        FROM checklist_entry ce
        JOIN mild_case c ON c.id = ce.case_id
        LEFT JOIN staff_user su ON su.id = ce.done_by_id
        """,
    ),
    (
        "follow-ups recorded",
        """
        INSERT INTO audit_event (at, actor_id, actor_name, action, entity, entity_id, office_id,
                                 detail)
        SELECT f.completed_at, f.completed_by_id, coalesce(su.username, 'nurse'),
               CASE f.kind WHEN 'next_day_call' THEN 'follow_up.call_recorded'
                           ELSE 'follow_up.visit_recorded' END,
               'case', f.case_id, f.office_id,
               json_object('follow_up', f.id, 'kind', f.kind, 'nprs', f.nprs, 'odi', f.odi,
                           'status', json_array('follow_up', 'follow_up'))
        FROM follow_up f
        LEFT JOIN staff_user su ON su.id = f.completed_by_id
        WHERE f.completed_at IS NOT NULL
        """,
    ),
    (
        "bookings",
        """
        INSERT INTO audit_event (at, actor_id, actor_name, action, entity, entity_id, office_id,
                                 detail)
        SELECT c.consult_requested_at, NULL, 'coordinator', 'case.booked', 'case', c.id,
               c.office_id,
               json_object('from', json_object('start', NULL),
                           'to', json_object('start', c.scheduled_start,
                                             'planned_minutes', c.planned_minutes,
                                             'provider_id', c.provider_id,
                                             'office_id', c.office_id))
        FROM mild_case c
        WHERE c.scheduled_start IS NOT NULL
        """,
    ),
]


def copy_and_fill(source: Path, target: Path) -> int:
    """A copy of `source` at `target` (backup API: a consistent copy, the source untouched),
    its audit trail filled; the number of audit rows."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target, isolation_level=None)  # autocommit: each fill on its own
    src.backup(dst)
    src.close()
    for name, sql in FILL:
        started = time.perf_counter()
        dst.execute(sql)
        print(f"  filled {name} in {time.perf_counter() - started:.1f} s", flush=True)
    dst.execute("ANALYZE")
    rows = dst.execute("SELECT count(*) FROM audit_event").fetchone()[0]
    dst.close()
    return rows


def timed(run: Callable[[], object], repeat: int) -> tuple[str, object]:
    """The median wall and CPU time of `repeat` runs ("27 ms (cpu 25)": other load on the
    machine shows as wall above CPU), and the last run's result."""
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall_ms, cpu_ms = statistics.median(walls) * 1000, statistics.median(cpus) * 1000
    return f"{wall_ms:6.0f} ms (cpu {cpu_ms:5.0f})", result


def plans(url: str, run: Callable[[], object]) -> list[str]:
    """The SQLite plans of the audit_event queries `run` makes."""
    from sqlalchemy import event

    from db.session import get_engine

    engine = get_engine()
    seen: list[tuple[str, object]] = []

    def grab(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "FROM audit_event" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    raw = engine.raw_connection()
    try:
        out = []
        for statement, parameters in seen:
            cursor = raw.cursor()
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
            kind = "count" if "count(" in statement.lower() else "rows"
            out.append(f"{kind}: " + " | ".join(r[-1] for r in cursor.fetchall()))
        return out
    finally:
        raw.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "data/bench/offices25-years5.db")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the filled copy; print where")
    args = parser.parse_args()
    if not args.source.exists():
        sys.exit(f"error: {args.source} not found (make bench seeds it)")

    folder = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    copy = folder / "audit.db"
    print(f"copying {args.source} and filling its audit trail ...", flush=True)
    total = copy_and_fill(args.source, copy)
    url = f"sqlite:///{copy}"
    os.environ["DATABASE_URL"] = url

    from sqlalchemy import func, select

    from db.models import AuditEvent, Case, Office, StaffUser, staff_office
    from db.queries.audit import AuditFilter, audit_events
    from db.session import read_session
    from mild.audit import EXPORT_ROWS
    from mild.days import local_today
    from mild.staff import Role
    from ui.audit import csv_text, readable, story

    with read_session() as s:
        latest = s.scalar(select(func.max(AuditEvent.at)))
        offices = s.execute(select(Office.id, Office.timezone).order_by(Office.code)).all()
        manager_offices = {
            r.office_id
            for r in s.execute(
                select(staff_office.c.office_id)
                .join(StaffUser, StaffUser.id == staff_office.c.staff_user_id)
                .where(StaffUser.username == "manager")
            )
        } or {offices[0].id}
        busiest_id, busiest_rows = s.execute(
            select(AuditEvent.entity_id, func.count())
            .where(AuditEvent.entity == "case")
            .group_by(AuditEvent.entity_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
        busiest = s.scalar(select(Case.code).where(Case.id == busiest_id))
    zone = offices[0].timezone
    today = local_today(zone, latest)
    every = {o.id for o in offices}
    week = AuditFilter(start=today - dt.timedelta(days=6), end=today, zone=zone)
    quarter = AuditFilter(start=today - dt.timedelta(days=89), end=today, zone=zone)
    typed = busiest.replace("-", "").lower().replace("0", "", 1)  # "aa00123" -> "aa0123"
    case = AuditFilter(start=today, end=today, zone=zone, case_code=typed.upper())

    print(f"\n{total:,} audit rows, {len(offices)} offices; today is {today} ({zone})")
    print(f"busiest case {busiest}: {busiest_rows} rows, typed as {typed!r}\n")
    cases = [
        ("admin, every office, 7 days", Role.ADMIN, every, week),
        (f"manager, {len(manager_offices)} offices, 7 days", Role.MANAGER, manager_offices, week),
        ("admin, every office, 90 days", Role.ADMIN, every, quarter),
        ("admin, a case named (whole history)", Role.ADMIN, every, case),
    ]
    header = "read (newest 500; a case: first 500)"
    print(f"{header:45} {'median wall (cpu)':>20} {'matched':>10} {'rows':>6}")
    pages = {}
    for name, role, ids, f in cases:
        took, page = timed(lambda r=role, i=ids, f=f: audit_events(r, i, f), args.repeat)
        pages[name] = page
        print(f"{name:45} {took:>20} {page.matched:>10,} {len(page.rows):>6}")

    first = pages[cases[0][0]]
    took, _ = timed(lambda: readable(first.rows, zone, first.names), args.repeat)
    print(f"{'words of the 500 rows shown (table)':45} {took:>20}")
    named = pages[cases[3][0]]
    took, _ = timed(lambda: story(named.rows, zone, named.names, today), args.repeat)
    print(f"{'the case told as a story':45} {took:>20}")

    def export() -> int:
        page = audit_events(Role.ADMIN, every, quarter, limit=EXPORT_ROWS)
        return len(csv_text(page, zone))

    took, size = timed(export, max(1, args.repeat // 2))
    name = "export: 50,000 rows read, named, as CSV"
    print(f"{name:45} {took:>20}  {size:,} bytes")

    print("\nplans (SQLite):")
    for name, role, ids, f in (cases[0], cases[3]):
        for line in plans(url, lambda r=role, i=ids, f=f: audit_events(r, i, f)):
            print(f"  {name}: {line}")
    if args.keep:
        print(f"\nkept: {copy}")
    else:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
