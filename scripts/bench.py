"""Server-side rerun times of four screens on a one-month and a five-year demo database.

    .venv/bin/python scripts/bench.py [--reruns 7] [--fresh]      (or: make bench)

A benchmark, not a test: it prints numbers and targets and never fails on timing.

Databases: `manage.py seed` into SQLite files under data/bench/ (gitignored), one per size:
25 offices x 1 month and 25 offices x 5 years. The same 25 offices in both, and the seed
draws each office's days day by day, so the last month of the five years is the one month,
day for day: for the schedule and the checklist the ratio measures history alone, the day's
work (six cases per office today, the same cases) being alike. The follow-up worklist is not
alike, and cannot be: it holds the 3-, 6- and 12-month visits in hand, which a database one
month old has none of (the 12-month visit's window closes 395 days after discharge; from then
on the work in hand stays the same). So the follow-up screen is timed twice: as the nurse
opens it (all kinds: more work at 5 years, the rows shown are in the notes) and filtered by
her to the 2-week visits, a kind complete in both databases, which compares the same work
over one month and five years of history.

A database is kept between runs and reused while it was seeded today (its "today" is the
live day the day-of screens show); otherwise, with --fresh, or when a seed was interrupted,
it is seeded again from scratch and the seconds it took are printed.

Screens: each one is opened as a browser would, in a Streamlit AppTest of dashboard.py:
the demo user of the right role signs in through the sign-in form (manager for metrics,
coordinator for the schedule, nurse for the checklist and follow-up), and the page is then
asked for by its URL path (AppTest keeps the requested page as the hash of that path, which
is how st.navigation matches an st.Page; AppTest.switch_page only knows page files). The
script checks that the page really ran (its title is not the home page's, and nothing was
refused or raised), does what the user would do first where a target says so (the nurse opens
today's first case on the checklist; picks a kind on the follow-up worklist), then times N
reruns with time.perf_counter (wall) and process_time (CPU of the whole process, so other
load on the machine shows as wall minus CPU). The notes give the rows of the tables shown.

The metrics screen caches its data until the next saved change; every timed rerun here clears
that cache first, so each one runs every query (the cold case). Its five tabs run lazily
(only the open tab draws), so each tab is timed on its own. Under `make bench` a throwaway
PostgreSQL server runs too (scripts/with-test-postgres.sh): the five-year demo is seeded into
it and the metrics tabs are timed there, beside SQLite, against the same 1 s target.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from streamlit.testing.v1 import AppTest  # noqa: E402
from streamlit.util import calc_hash  # noqa: E402

from db.seed import DEFAULT_DEMO_PASSWORD  # noqa: E402
from mild import messages  # noqa: E402
from mild.staff import Screen  # noqa: E402

BENCH_DIR = ROOT / "data" / "bench"
METRICS_TARGET_S = 1.0
DAY_SCREEN_RATIO = 1.2


@dataclass(frozen=True)
class Size:
    label: str
    offices: int
    years: float
    postgres: str | None = None  # the server's admin URL: a database seeded on it, this run

    @property
    def name(self) -> str:
        return f"offices{self.offices}-years{self.years:g}"

    @property
    def path(self) -> Path:
        return BENCH_DIR / f"{self.name}.db"

    @property
    def marker(self) -> Path:
        return BENCH_DIR / f"{self.name}.json"

    @property
    def url(self) -> str:
        if self.postgres:
            return str(make_url(self.postgres).set(database=f"bench_{self.name.replace('-', '_')}"))
        return f"sqlite:///{self.path}"


SIZES = (Size("1 month", 25, 0.083), Size("5 years", 25, 5.0))
# With a PostgreSQL server (make bench starts a throwaway one: scripts/with-test-postgres.sh),
# the five years are seeded into it too and the metrics tabs timed there beside SQLite.
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL_POSTGRESQL")
POSTGRES_SIZE = Size("5 years (PG)", 25, 5.0, POSTGRES_URL) if POSTGRES_URL else None


def open_first_case(at: AppTest) -> AppTest:
    """The nurse opens today's first case at her office, with the picker above the list."""
    (picker,) = [s for s in at.selectbox if (s.key or "").startswith("dayof_case_")]
    return picker.select_index(0).run()


def two_week_visits(at: AppTest) -> AppTest:
    """The nurse narrows the worklist to the 2-week visits (the kind filter above it)."""
    return at.selectbox(key="fu_kind").set_value("weeks_2").run()


@dataclass(frozen=True)
class Target:
    """What is timed: a screen, as whom, (for metrics) which tab is open, and what the user
    does before the timed reruns (`action`; None: the screen as it opens)."""

    label: str
    screen: Screen
    username: str
    tab: str | None = None
    cold_cache: bool = False
    years_shown: int = 0  # metrics: widen the date range to this many years (0: the default)
    action: Callable[[AppTest], AppTest] | None = None
    information: bool = False  # reported without a verdict


TARGETS = (
    Target("metrics: comparison", Screen.METRICS, "manager", "Comparison", True),
    Target("metrics: throughput", Screen.METRICS, "manager", "Throughput", True),
    Target("metrics: day quality", Screen.METRICS, "manager", "Day quality", True),
    Target("metrics: follow-up", Screen.METRICS, "manager", "Follow-up and outcomes", True),
    Target("metrics: safety", Screen.METRICS, "manager", "Safety", True),
    # Not the default view: a manager who picks the whole history (monthly). For information.
    Target(
        "metrics: 5-year range",
        Screen.METRICS,
        "manager",
        "Comparison",
        True,
        5,
        information=True,
    ),
    Target("schedule", Screen.SCHEDULE, "coordinator"),
    Target("checklist: no case", Screen.CHECKLIST, "nurse"),
    Target("checklist: case open", Screen.CHECKLIST, "nurse", action=open_first_case),
    Target("follow-up: all kinds", Screen.FOLLOW_UP, "nurse"),
    Target("follow-up: 2-week", Screen.FOLLOW_UP, "nurse", action=two_week_visits),
)


# --- Databases ---------------------------------------------------------------------------------


def _remove(size: Size) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{size.path}{suffix}").unlink(missing_ok=True)
    size.marker.unlink(missing_ok=True)


def _create_postgres_database(size: Size) -> None:
    """An empty database on the throwaway server (dropped with the server at the end)."""
    name = make_url(size.url).database
    admin = create_engine(size.postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()


def ensure_database(size: Size, fresh: bool) -> str:
    """Seed the size's database unless a complete one seeded today is kept; say which."""
    if size.postgres:
        _create_postgres_database(size)
        return _seed(size)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    marker = json.loads(size.marker.read_text()) if size.marker.exists() else None
    if marker and size.path.exists() and marker.get("seeded_on") == today and not fresh:
        # Kept, but brought to the code's schema (a migration added since the seed).
        migrated = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "migrate"],
            cwd=ROOT,
            env=os.environ | {"DATABASE_URL": size.url},
            capture_output=True,
            text=True,
        )
        if migrated.returncode != 0:
            raise SystemExit(f"migrating {size.label} failed:\n{migrated.stderr}")
        return f"reused (seeded today in {marker['seconds']:.1f} s, migrated to the code)"
    _remove(size)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    return _seed(size, today)


def copy_database(source: Path, target: Path) -> None:
    """A copy of a demo SQLite database with everything committed in it: SQLite's backup API
    reads through the write-ahead log, where a plain file copy would leave out what the last
    migration wrote there and not yet checkpointed into the main file."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)


def _seed(size: Size, today: str | None = None) -> str:
    """`manage.py seed` (migrate, then the demo) into the size's database; how long it took."""
    command = [
        sys.executable,
        str(ROOT / "manage.py"),
        "seed",
        "--offices",
        str(size.offices),
        "--years",
        f"{size.years:g}",
    ]
    started = time.perf_counter()
    done = subprocess.run(
        command,
        cwd=ROOT,
        env=os.environ | {"DATABASE_URL": size.url},
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        if not size.postgres:
            _remove(size)
        raise SystemExit(f"seeding {size.label} failed:\n{done.stdout}\n{done.stderr}")
    if today is not None:
        size.marker.write_text(json.dumps({"seeded_on": today, "seconds": seconds}))
    return f"seeded now in {seconds:.1f} s ({done.stdout.splitlines()[0]})"


# --- Timing ------------------------------------------------------------------------------------


@dataclass
class Timing:
    wall: float | None = None
    cpu: float | None = None
    note: str = ""


def _problem(at: AppTest) -> str:
    """Why a run does not count: an exception, a refusal, or the home page instead."""
    if at.exception:
        return f"exception: {at.exception[0].value.splitlines()[0][:60]}"
    refused = [e.value for e in at.error if e.value == messages.NOT_ALLOWED_HERE]
    if refused:
        return "refused"
    titles = [t.value for t in at.title]
    if not titles or titles[0] in ("Today", "MILD procedure day"):
        return f"did not reach the page (title {titles[:1]})"
    return ""


def time_screen(entry: Path, target: Target, reruns: int) -> Timing:
    """Sign in, open the page by URL path, then time `reruns` reruns (median)."""
    at = AppTest.from_file(str(entry), default_timeout=600).run()
    at.text_input(key="signin_username").input(target.username)
    at.text_input(key="signin_password").input(DEFAULT_DEMO_PASSWORD)
    next(b for b in at.button if b.label == "Sign in").click()
    at.run()
    at._page_hash = calc_hash(target.screen.value)
    if target.tab:
        at.session_state["metrics_tab"] = target.tab
    at.run()  # the first visit: imports, engine, caches warm
    if target.years_shown and not _problem(at):
        today = dt.date.today()
        first = today.replace(year=today.year - target.years_shown, day=1)
        at.date_input(key="metrics_range").set_value((first, today)).run()
    if target.action and not _problem(at):
        at = target.action(at)
    if problem := _problem(at):
        return Timing(note=problem)
    walls, cpus = [], []
    for _ in range(reruns):
        if target.cold_cache:
            st.cache_data.clear()
        wall, cpu = time.perf_counter(), time.process_time()
        at.run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        if problem := _problem(at):
            return Timing(note=problem)
    errors = [e.value for e in at.error]
    rows = [len(d.value) for d in at.dataframe]
    note = f"{len(rows)} tables, {sum(rows)} rows" + (
        f"; shows error {errors[0][:40]!r}" if errors else ""
    )
    return Timing(statistics.median(walls), statistics.median(cpus), note)


def verdict(target: Target, month: Timing, years: Timing) -> tuple[str, str]:
    if target.information:
        return "none (information)", "-"
    if target.screen == Screen.METRICS:
        goal = f"< {METRICS_TARGET_S:g} s at 5 years"
        met = years.wall is not None and years.wall < METRICS_TARGET_S
    else:
        goal = f"<= {DAY_SCREEN_RATIO:g}x 1 month"
        met = (
            month.wall is not None
            and years.wall is not None
            and years.wall <= DAY_SCREEN_RATIO * month.wall
        )
    return goal, "yes" if met else "NO"


@contextlib.contextmanager
def quiet_stderr():
    """AppTest runs without a server and Streamlit logs so at every run, straight to file
    descriptor 2; silence it while timing (a failed page is reported in the table)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reruns", type=int, default=7, help="timed reruns per screen")
    parser.add_argument("--fresh", action="store_true", help="seed both databases again")
    args = parser.parse_args()

    print(f"Load average at start: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    sizes = SIZES + ((POSTGRES_SIZE,) if POSTGRES_SIZE else ())
    for size in sizes:
        print(
            f"Database {size.label} ({size.offices} offices): {ensure_database(size, args.fresh)}"
        )
    if not POSTGRES_SIZE:
        print("No PostgreSQL server (TEST_DATABASE_URL_POSTGRESQL): the PG column is left out.")

    with tempfile.TemporaryDirectory() as folder:
        # AppTest would find pages/ beside dashboard.py and take Streamlit's legacy
        # pages-directory path; a symlink in an empty folder avoids that (tests do the same).
        entry = Path(folder) / "dashboard.py"
        entry.symlink_to(ROOT / "dashboard.py")
        results: dict[tuple[str, str], Timing] = {}
        with quiet_stderr():
            # Size after size for each screen, so a change in the machine's load over the
            # minutes this takes falls on both sides of a ratio alike.
            for target in TARGETS:
                metrics = target.screen == Screen.METRICS
                for size in sizes if metrics else SIZES:
                    os.environ["DATABASE_URL"] = size.url
                    results[(target.label, size.label)] = time_screen(entry, target, args.reruns)

    month, years = (s.label for s in SIZES)
    print()
    print(
        f"Median of {args.reruns} server-side reruns (AppTest), seconds: wall (CPU); the ratio "
        "is of wall times (of CPU times in brackets); the targets are judged on wall time"
    )
    header = f"{'screen':<22} {month:>15} {years:>15} {'ratio':>6} {'(CPU)':>6}  {'target':<20} met"
    print(header)
    print("-" * len(header))
    for target in TARGETS:
        a, b = results[(target.label, month)], results[(target.label, years)]
        ratio = f"{b.wall / a.wall:.2f}" if a.wall and b.wall else "-"
        cpu_ratio = f"({b.cpu / a.cpu:.2f})" if a.cpu and b.cpu else "-"
        goal, met = verdict(target, a, b)
        print(
            f"{target.label:<22} {_s(a.wall):>7} ({_s(a.cpu)}) {_s(b.wall):>7} ({_s(b.cpu)})"
            f" {ratio:>6} {cpu_ratio:>6}  {goal:<20} {met}"
        )
    if POSTGRES_SIZE:
        print()
        print("The metrics tabs at 5 years on both backends (target: each under 1 s on both)")
        header = f"{'screen':<22} {'SQLite':>15} {'PostgreSQL':>15} {'PG/SQLite':>9}  met"
        print(header)
        print("-" * len(header))
        for target in TARGETS:
            if target.screen != Screen.METRICS:
                continue
            a, b = results[(target.label, years)], results[(target.label, POSTGRES_SIZE.label)]
            ratio = f"{b.wall / a.wall:.2f}" if a.wall and b.wall else "-"
            met = all(t.wall is not None and t.wall < METRICS_TARGET_S for t in (a, b))
            met_text = "-" if target.information else ("yes" if met else "NO")
            print(
                f"{target.label:<22} {_s(a.wall):>7} ({_s(a.cpu)}) {_s(b.wall):>7} "
                f"({_s(b.cpu)}) {ratio:>9}  {met_text}"
            )
    print()
    for target in TARGETS:
        shown = sizes if target.screen == Screen.METRICS else SIZES
        notes = {s.label: results[(target.label, s.label)].note for s in shown}
        print(f"{target.label:<22} " + "; ".join(f"{k}: {v}" for k, v in notes.items()))
    print(f"\nLoad average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
