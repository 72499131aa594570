"""Load (issue 12): N nurses at once, each in a tab that speaks Streamlit's own websocket
protocol (scripts/bench_apps/st_client.py), so the client costs little CPU and the server is
what is measured.

    .venv/bin/python scripts/bench_load.py [--sessions 1,10,30,60] [--ticks 10] [--think 5]
        [--url http://host:port --database-url URL]      (or: make bench)

Each simulated nurse signs in through the sign-in form (the one-time ticket traded at
/session/adopt for the session cookie, the websocket opened again with it, as the browser
does), opens a case of her own on the checklist (made up front: checked in today at her office,
its arrival steps open) and presses, `--ticks` times: "Mark done" on the four plain arrival
steps, then, all four done, "Un-tick" (with a reason) and "Mark done" again, one after the
other. Between presses she looks at the screen for a think time (uniform, 0.5x to 1.5x
`--think` seconds; the first press is staggered the same way); `--think 0` is the closed loop,
what the server can take. Sign-ins (argon2 on purpose) happen before the timed part.

Timed: a press, from its BackMsg sent to the run's `script_finished`; acknowledged when the page
it drew shows the step done (its "Mark done" gone) or, for an un-tick, open again. Afterwards the
database is read: every acknowledged press must be one checklist row, stored once, and no
press the page did not acknowledge stored twice.

Printed per N: presses, errors, p50 and p95, presses per second, the client's and the
server's CPU seconds; then p95 at N=30 over p95 at N=1 against the target (3x). Without --url
it serves the app itself (one uvicorn process, as `make run`) on a fresh copy of the one-month
25-office demo (scripts/bench.py seeds it). With --url it drives a server already running, a
cluster behind a proxy for instance, and prepares and checks its cases in --database-url.
A benchmark, never part of `make test`: it prints, it does not fail on timing.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime as dt
import itertools
import math
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from websockets.exceptions import WebSocketException  # noqa: E402

from db.models import Case, ChecklistEntry, StaffUser, staff_office  # noqa: E402
from db.seed import DEFAULT_DEMO_PASSWORD  # noqa: E402
from db.session import read_session  # noqa: E402
from mild.cases import CaseStatus  # noqa: E402
from mild.sessions import COOKIE_NAME  # noqa: E402
from mild.staff import Role  # noqa: E402
from scripts.bench import SIZES, ensure_database  # noqa: E402
from scripts.bench_apps.st_client import Page, RunFailed, Tab  # noqa: E402
from scripts.bench_browser import Stats, rss_mb, server  # noqa: E402

# Arrival steps with nothing but a tick (no value, no form, nothing required first): open and
# shown on a case just checked in.
PLAIN_STEPS = ("identity_confirmed", "consent_signed", "vitals_recorded", "iv_placed")
P95_RATIO_TARGET = 3.0
TARGET_LEVELS = (1, 30)  # p95 at 30 sessions within 3x p95 at one
SIGN_INS_AT_ONCE = 4
SYNTHETIC_NURSE = re.compile(r"^rn\.")  # the seed's two nurses per office (db/seed.py)


@dataclass(frozen=True)
class Slot:
    """A case made for one simulated nurse, and who signs in to tick it."""

    case_id: int
    code: str
    office_id: int
    username: str


@dataclass
class Press:
    step: str
    undo: bool
    seconds: float
    acked: bool
    error: str | None = None


@dataclass
class Outcome:
    slot: Slot
    presses: list[Press] = field(default_factory=list)
    error: str | None = None  # the session could not go on (sign-in, lost connection)


# --- the cases ---------------------------------------------------------------------------------


def office_nurses() -> dict[int, list[str]]:
    """Nurses working at one office each (the seed's rn.<office>1 and 2), by office."""
    with read_session() as s:
        rows = s.execute(
            select(StaffUser.username, func.min(staff_office.c.office_id))
            .join(staff_office, staff_office.c.staff_user_id == StaffUser.id)
            .where(StaffUser.role == Role.NURSE, StaffUser.active)
            .group_by(StaffUser.id, StaffUser.username)
            .having(func.count() == 1)
            .order_by(StaffUser.id)
        ).all()
    found: dict[int, list[str]] = collections.defaultdict(list)
    for username, office_id in rows:
        if SYNTHETIC_NURSE.match(username):
            found[office_id].append(username)
    return dict(found)


def make_cases(sessions: int) -> list[Slot]:
    """Cases checked in now for `sessions` nurses, spread over the offices; every office gets
    the same number, so each nurse's day list has the same length whatever N is run."""
    from tests import builders  # the suite's case builder: a bench is test data too

    nurses = office_nurses()
    if not nurses:
        raise SystemExit("no nurse of a single office (rn.*) in the database: seed a demo")
    with read_session() as s:
        made_before = s.scalar(select(func.count()).select_from(Case)) or 0
    # The builder numbers its patients and cases from 1 in each process: start past every case
    # already there, so a database used before (--url) takes new ones.
    counter, builders._seq = builders._seq, itertools.count(made_before + 1)
    per_office = math.ceil(sessions / len(nurses))
    now = dt.datetime.now(dt.UTC)
    slots: list[Slot] = []
    try:
        for round_ in range(per_office):
            for office_id, usernames in nurses.items():
                case_id = builders.make_case(office_id, CaseStatus.CHECKED_IN, now)
                username = usernames[round_ % len(usernames)]
                slots.append(Slot(case_id, "", office_id, username))
    finally:
        builders._seq = counter
    with read_session() as s:
        codes = dict(
            s.execute(
                select(Case.id, Case.code).where(Case.id.in_([x.case_id for x in slots]))
            ).all()
        )
    return [Slot(x.case_id, codes[x.case_id], x.office_id, x.username) for x in slots]


# --- one simulated nurse -----------------------------------------------------------------------


class Nurse:
    """A nurse's tab on the checklist: signed in, her case open, pressing its steps."""

    def __init__(self, base_url: str, slot: Slot, password: str):
        self.base_url = base_url.rstrip("/")
        self.slot = slot
        self.password = password
        self.tab: Tab | None = None
        self.outcome = Outcome(slot)
        self._ticked: collections.deque[str] = collections.deque()  # oldest tick first

    async def sign_in(self, http: httpx.AsyncClient) -> str:
        """The sign-in form, then the ticket traded for the session cookie: its header."""
        tab = Tab(self.base_url)
        try:
            page = await tab.open("/checklist")
            tab.fill(page.labelled("text_input", "Username").id, self.slot.username)
            tab.fill(page.labelled("text_input", "Password").id, self.password)
            page = await tab.rerun(press=page.button("Sign in").id)
        finally:
            await tab.close()
        if not page.redirect:
            raise RunFailed(f"sign-in of {self.slot.username} refused: {page.alerts()}")
        # As the browser: the app's own page sends it there (same-origin), the cookie comes back.
        answer = await http.get(
            self.base_url + page.redirect, headers={"Sec-Fetch-Site": "same-origin"}
        )
        token = answer.cookies.get(COOKIE_NAME)
        if not token:
            raise RunFailed(f"/session/adopt gave no cookie ({answer.status_code})")
        return f"{COOKIE_NAME}={token}"

    async def start(self, http: httpx.AsyncClient) -> None:
        """Sign in, open the checklist with the cookie, pick her case."""
        self.tab = Tab(self.base_url, cookie=await self.sign_in(http))
        page = await self.tab.open("/checklist")
        picker = page.labelled("selectbox", "Open a case")
        label = next((o for o in picker.options if o.endswith(f" · {self.slot.code}")), None)
        if label is None:
            raise RunFailed(f"case {self.slot.code} not on {self.slot.username}'s list")
        self.tab.fill(picker.id, label)
        page = await self.tab.rerun(by=picker.id)
        if self._tick_button(page, PLAIN_STEPS[0]) is None:
            raise RunFailed(f"case {self.slot.code} opened with no step to tick: {page.alerts()}")

    def _tick_button(self, page: Page, step: str):
        return page.widget(f"dayof_tick_{self.slot.case_id}_{step}")

    async def press(self, number: int) -> Press:
        """The next press: the first plain step still open, else un-tick the oldest ticked."""
        page, cid = self.tab.page, self.slot.case_id
        step = next((s for s in PLAIN_STEPS if self._tick_button(page, s) is not None), None)
        undo = step is None
        if undo:
            step = self._ticked[0]
            page = await self._history_of(step)
            self.tab.fill(page.widget(f"dayof_reason_{cid}_{step}").id, f"Load test {number}")
            button = page.widget(f"dayof_untick_{cid}_{step}")
        else:
            button = self._tick_button(page, step)
        shown_before = set(page.alerts())
        drawn = await self.tab.rerun(press=button.id)
        shows_open = self._tick_button(drawn, step) is not None
        # Seen, not inferred from a missing button (a failed run draws no button either): a
        # tick shows the step's history button, an un-tick its "Mark done" again.
        shows_done = drawn.widget(f"dayof_history_{cid}_{step}", "button") is not None
        acked = shows_open if undo else (shows_done and not shows_open)
        if acked and undo:
            self._ticked.popleft()
        elif acked:
            self._ticked.append(step)
        refusal = "; ".join(sorted(set(drawn.alerts()) - shown_before)) or "not shown"
        return Press(step, undo, drawn.seconds, acked, None if acked else refusal)

    async def _history_of(self, step: str) -> Page:
        """The page with the step's un-tick drawn: where the history is drawn only for the
        step opened with its "History" button, that press first (untimed)."""
        page, cid = self.tab.page, self.slot.case_id
        if page.widget(f"dayof_reason_{cid}_{step}") is None:
            toggle = page.widget(f"dayof_history_{cid}_{step}", "button")
            if toggle is not None:
                page = await self.tab.rerun(press=toggle.id)
        if page.widget(f"dayof_reason_{cid}_{step}") is None:
            raise RunFailed(f"step {step} of case {self.slot.code} shows no un-tick")
        return page

    async def work(self, presses: int, think: float, rng: random.Random) -> None:
        """Press `presses` times, a think time before each."""
        try:
            for number in range(presses):
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
                done = await self.press(number)
                self.outcome.presses.append(done)
        except (RunFailed, TimeoutError, WebSocketException, OSError) as exc:
            self.outcome.error = f"{type(exc).__name__}: {exc}"

    async def close(self) -> None:
        if self.tab is not None:
            await self.tab.close()


# --- one level of load -------------------------------------------------------------------------


@dataclass
class Level:
    sessions: int
    outcomes: list[Outcome]
    seconds: float  # wall time of the timed part
    client_cpu: float
    server_cpu: float | None

    @property
    def presses(self) -> list[Press]:
        return [p for o in self.outcomes for p in o.presses]

    @property
    def acked(self) -> list[Press]:
        return [p for p in self.presses if p.acked]

    @property
    def errors(self) -> list[str]:
        failed = [f"{o.slot.code}: {o.error}" for o in self.outcomes if o.error]
        refused = [f"{p.step}: {p.error}" for p in self.presses if not p.acked]
        return failed + refused

    @property
    def stats(self) -> Stats | None:
        samples = [p.seconds for p in self.acked]
        return Stats(samples) if samples else None


def process_cpu(pid: int | None) -> float | None:
    """CPU seconds (user + system) a process used so far; None when not ours to read."""
    if pid is None:
        return None
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_level(
    base_url: str,
    slots: list[Slot],
    *,
    presses: int,
    think: float,
    password: str,
    seed: int = 12,
    server_pid: int | None = None,
) -> Level:
    """`len(slots)` nurses sign in and open their cases (untimed), then press together."""
    nurses = [Nurse(base_url, slot, password) for slot in slots]
    gate = asyncio.Semaphore(SIGN_INS_AT_ONCE)  # argon2 is slow on purpose: not all at once

    async def start(nurse: Nurse, http: httpx.AsyncClient) -> None:
        async with gate:
            try:
                await nurse.start(http)
            except (RunFailed, TimeoutError, WebSocketException, OSError, LookupError) as exc:
                nurse.outcome.error = f"{type(exc).__name__}: {exc}"

    try:
        async with httpx.AsyncClient(timeout=60) as http:
            await asyncio.gather(*(start(n, http) for n in nurses))
        ready = [n for n in nurses if n.outcome.error is None]
        cpu_before, server_before = time.process_time(), process_cpu(server_pid)
        began = time.perf_counter()
        await asyncio.gather(
            *(n.work(presses, think, random.Random(seed * 1000 + i)) for i, n in enumerate(ready))
        )
        seconds = time.perf_counter() - began
        client_cpu = time.process_time() - cpu_before
        server_after = process_cpu(server_pid)
    finally:
        await asyncio.gather(*(n.close() for n in nurses))
    server_cpu = None if server_before is None else server_after - server_before
    return Level(len(slots), [n.outcome for n in nurses], seconds, client_cpu, server_cpu)


# --- exactly once ------------------------------------------------------------------------------


@dataclass
class Stored:
    """The database against what the pages acknowledged."""

    rows: int
    acked: int
    lost: Counter  # acknowledged, not stored
    doubled: Counter  # stored more often than pressed
    unacked_stored: int  # pressed, not acknowledged, stored once (allowed)

    @property
    def exactly_once(self) -> bool:
        return not self.lost and not self.doubled


def check_stored(outcomes: list[Outcome]) -> Stored:
    """Each case's checklist rows against its presses: (step, un-tick?) counted."""
    by_case = {o.slot.case_id: o for o in outcomes}
    with read_session() as s:
        rows = s.execute(
            select(ChecklistEntry.case_id, ChecklistEntry.step, ChecklistEntry.undone)
            .where(ChecklistEntry.case_id.in_(list(by_case)))
            .order_by(ChecklistEntry.id)
        ).all()
    stored: dict[int, Counter] = collections.defaultdict(Counter)
    for case_id, step, undone in rows:
        stored[case_id][(step, bool(undone))] += 1
    lost, doubled, unacked_stored = Counter(), Counter(), 0
    for case_id, outcome in by_case.items():
        acked = Counter((p.step, p.undo) for p in outcome.presses if p.acked)
        pressed = Counter((p.step, p.undo) for p in outcome.presses)
        lost += acked - stored[case_id]
        doubled += stored[case_id] - pressed
        unacked_stored += sum(((stored[case_id] & pressed) - acked).values())
    acked_total = sum(p.acked for o in outcomes for p in o.presses)
    return Stored(len(rows), acked_total, lost, doubled, unacked_stored)


# --- the run -----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def report(level: Level, stored: Stored) -> str:
    stats = level.stats
    rate = len(level.acked) / level.seconds if level.seconds else 0.0
    server = "-" if level.server_cpu is None else f"{level.server_cpu:.1f}"
    shown = (
        f"{ms(stats.median):>6} {ms(stats.p95):>6} {ms(max(stats.samples)):>6}"
        if stats
        else f"{'-':>6} {'-':>6} {'-':>6}"
    )
    once = "yes" if stored.exactly_once else "NO"
    return (
        f"{level.sessions:>4} {len(level.presses):>7} {len(level.acked):>6} "
        f"{len(level.errors):>6} {shown} {rate:>8.1f} {level.client_cpu:>7.1f} {server:>7} "
        f"{stored.rows:>5}  {once}"
    )


HEADER = (
    f"{'N':>4} {'presses':>7} {'acked':>6} {'errors':>6} {'p50':>6} {'p95':>6} {'max':>6} "
    f"{'press/s':>8} {'cli CPU':>7} {'srv CPU':>7} {'rows':>5}  exactly once"
)


async def measure(
    base_url: str,
    levels: list[int],
    pool: list[Slot],
    *,
    presses: int,
    think: float,
    password: str,
    server_pid: int | None,
) -> list[tuple[Level, Stored]]:
    """Each level on cases of its own from `pool`, one after the other, after a warm-up."""
    found = []
    warm, pool = pool[:1], pool[1:]
    await run_level(base_url, warm, presses=1, think=0, password=password)
    memory = [(0, rss_mb(server_pid))] if server_pid else []
    for n in levels:
        slots, pool = pool[:n], pool[n:]
        level = await run_level(
            base_url,
            slots,
            presses=presses,
            think=think,
            password=password,
            server_pid=server_pid,
        )
        stored = check_stored(level.outcomes)
        print(report(level, stored), flush=True)
        found.append((level, stored))
        if server_pid:
            memory.append((memory[-1][0] + len(level.acked), rss_mb(server_pid)))
    if memory:  # issue 12: no growth over a long run of ticks
        steps = ", ".join(f"{n} presses: {mb:.0f} MB" for n, mb in memory)
        print(f"Server memory (resident) as the presses add up: {steps}")
    return found


def summary(results: list[tuple[Level, Stored]]) -> None:
    by_n = {level.sessions: level for level, _ in results}
    for level, stored in results:
        for error in level.errors[:3]:
            print(f"  N={level.sessions}: {error}")
        if not stored.exactly_once:
            print(
                f"  N={level.sessions}: NOT exactly once: lost {dict(stored.lost)}, "
                f"stored twice {dict(stored.doubled)}"
            )
        elif stored.unacked_stored:
            print(
                f"  N={level.sessions}: {stored.unacked_stored} press(es) not acknowledged, "
                "stored once"
            )
    every = all(stored.exactly_once for _, stored in results)
    acked = sum(stored.acked for _, stored in results)
    print(
        f"\nExactly once: {'yes' if every else 'NO'}, {acked} acknowledged presses checked "
        "against the checklist rows"
    )
    low, high = TARGET_LEVELS
    if low in by_n and high in by_n and by_n[low].stats and by_n[high].stats:
        ratio = by_n[high].stats.p95 / by_n[low].stats.p95
        verdict = "met" if ratio <= P95_RATIO_TARGET else "NOT met"
        print(
            f"p95 at N={high} / p95 at N={low}: {ratio:.1f}x "
            f"(target <= {P95_RATIO_TARGET:g}x): {verdict}"
        )


@contextlib.contextmanager
def target(url: str | None, database: str | None) -> Iterator[tuple[str, int | None]]:
    """The server to load and its process id (None: not ours): the one at `url`, its database
    named, or one started here on a fresh copy of the one-month demo. DATABASE_URL is set to
    that database, where the cases are made and checked."""
    if url:
        database = database or os.environ.get("DATABASE_URL")
        if not database:
            raise SystemExit("--url needs --database-url (or DATABASE_URL): cases are made there")
        os.environ["DATABASE_URL"] = database
        yield url, None
        return
    month = SIZES[0]
    print(f"Database {month.label}: {ensure_database(month, False)}")
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        copy = Path(tmp) / "demo.db"
        shutil.copyfile(month.path, copy)
        os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
        with server("serve:app", {"DATABASE_URL": os.environ["DATABASE_URL"]}) as (started, pid):
            print(f"One server process (uvicorn serve:app) at {started}")
            yield started, pid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", default="1,10,30,60", help="levels of N, comma-separated")
    parser.add_argument("--ticks", type=int, default=10, help="timed presses per session")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between presses")
    parser.add_argument("--url", help="a server already running (default: start one)")
    parser.add_argument("--database-url", help="with --url: its database (default: DATABASE_URL)")
    parser.add_argument(
        "--password", default=os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
    )
    args = parser.parse_args()
    levels = [int(n) for n in args.sessions.split(",")]
    needed = 1 + sum(levels)  # a warm-up session, then a case per session per level
    print(
        f"Load: {args.ticks} presses per session, think {args.think:g} s "
        f"(0.5x-1.5x), levels {levels}"
    )
    with target(args.url, args.database_url) as (url, pid):
        pool = make_cases(needed)
        print(f"{len(pool)} cases checked in now, {len(pool) // len(office_nurses())} per office")
        print(HEADER)
        results = asyncio.run(
            measure(
                url,
                levels,
                pool,
                presses=args.ticks,
                think=args.think,
                password=args.password,
                server_pid=pid,
            )
        )
    summary(results)


if __name__ == "__main__":
    main()
