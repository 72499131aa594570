"""Load (issue 12): N nurses at once, each in a tab that speaks Streamlit's own websocket
protocol (scripts/bench_apps/st_client.py), so the client costs little CPU and the server is
what is measured. Three parts, each printing its figures, their ratio and the target:

    .venv/bin/python scripts/bench_load.py [--sessions 1,10,30,60] [--ticks 10] [--think 5]
        [--memory-ticks 1000] [--memory-sessions 30] [--replicas 1,2]
        [--replica-sessions 20] [--replica-ticks 10]
        [--url http://host:port --database-url URL]      (or: make bench)

Each simulated nurse loads the page (behind a proxy its answer pins her to a replica by the
route cookie, sent from then on, as a browser does), signs in through the sign-in form (the
one-time ticket traded at /session/adopt for the session cookie, the websocket opened again
with it), opens a case of her own on the checklist (made up front: checked in today at her
office, its arrival steps open) and presses: "Mark done" on the four plain arrival steps, then,
all four done, "Un-tick" (with a reason) and "Mark done" again, one after the other. Between
presses she looks at the screen for a think time (uniform, 0.5x to 1.5x the mean; the first
press is staggered the same way); think 0 is the closed loop, what the server can take.
Sign-ins (argon2 on purpose) happen before the timed part.

Timed: a press, from its BackMsg sent to the run's `script_finished`; acknowledged when the page
it drew shows the step done (its "Mark done" gone) or, for an un-tick, open again. After every
part the database is read: every acknowledged press must be one checklist row, stored once, and
no press the page did not acknowledge stored twice (exactly once).

1. Levels (`--sessions`, '' or 0 skips): N nurses press `--ticks` times, `--think` seconds
   apart. Printed per N: presses, errors, p50 and p95, presses per second, the client's and the
   server's CPU seconds, the server's memory as the presses add up; then p95 at N=30 over p95
   at N=1 against the target (3x).
2. Memory, on the same one-process server. Over `--memory-ticks` presses of one nurse (think
   0), the server's resident memory (RSS) every 100 presses: after the first 100 (the warm-up),
   at the end, and the growth per 1,000 presses after the warm-up (a least-squares slope over
   the samples), against the target "no growth after the warm-up", read as under 5 MB per
   1,000 presses: RSS moves by a few MB with no leak at all (Python's collections run when
   allocations add up, since runner.postScriptGC is off; the allocator keeps freed pages),
   while keeping what a press draws (about 150 messages, 38 KB sent) would add 38 MB per
   1,000. Then per-session state apart from growth: `--memory-sessions` nurses signed in, each
   on her case after one press; RSS before and with them open gives MB per open session;
   then they close, and after Streamlit has dropped their sessions RSS again: what remains.
   Streamlit 1.67 keeps a closed tab's session for a reconnect (MemorySessionStorage, up to
   128 sessions, server.disconnectedSessionTTL: 120 s by default) and drops it, without
   shutting it down, only when that store is next written after that time: this part waits
   the TTL and closes one more tab to make that write, before it starts and after the
   sessions closed (twice the TTL: about 4 minutes; STREAMLIT_SERVER_DISCONNECTED_SESSION_TTL
   =10 shortens it, the server started here reads the same variable). What remains is not
   all kept: Python's allocator keeps freed pages, so RSS seldom shrinks. As many sessions
   opened again tell: if RSS hardly grows, they took what the dropped ones left. A sign-in
   leaves its own closed tab's session, as a browser's does: the MB per session includes it.
3. Replicas (`--replicas 1,2`, '' or 0 skips): for each count K, scripts/cluster.py started as
   `make cluster` runs it (a throwaway PostgreSQL seeded with the demo, K uvicorn replicas,
   Debian's nginx with route-cookie stickiness) on a free port, `--replica-sessions` nurses
   pressing `--replica-ticks` times with no think time through the proxy (the --url and
   --database-url path, the database read from what cluster.py prints), then the cluster
   stopped with SIGTERM and checked gone: none of its processes (replicas, nginx, PostgreSQL)
   left, its temp dirs removed. Printed per K: presses per second, p50 and p95, the replicas'
   CPU seconds, sessions per replica, exactly once; then the throughput with 2 replicas over
   1 against the target: it grows with replicas (ratio above 1).

Without --url, parts 1 and 2 serve the app here (one uvicorn process, as `make run`) on a fresh
copy of the one-month 25-office demo (scripts/bench.py seeds it). With --url they drive a
server already running, a cluster behind a proxy for instance, and prepare and check its cases
in --database-url; part 2 then is skipped (the server's memory is not ours to read).
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
import queue
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402
from streamlit import config as st_config  # noqa: E402
from websockets.exceptions import WebSocketException  # noqa: E402

import server_config  # noqa: E402
from db.models import Case, ChecklistEntry, StaffUser, staff_office  # noqa: E402
from db.seed import DEFAULT_DEMO_PASSWORD  # noqa: E402
from db.session import dispose_engines, read_session  # noqa: E402
from mild.cases import CaseStatus  # noqa: E402
from mild.sessions import COOKIE_NAME  # noqa: E402
from mild.staff import Role  # noqa: E402
from scripts.bench import SIZES, copy_database, ensure_database  # noqa: E402
from scripts.bench_apps.st_client import Page, RunFailed, Tab  # noqa: E402
from scripts.bench_browser import Stats, rss_mb, server  # noqa: E402
from scripts.cluster import NGINX, ROUTE_COOKIE, _die_with_parent, free_port  # noqa: E402

# Arrival steps with nothing but a tick (no value, no form, nothing required first): open and
# shown on a case just checked in.
PLAIN_STEPS = ("identity_confirmed", "consent_signed", "vitals_recorded", "iv_placed")
P95_RATIO_TARGET = 3.0
TARGET_LEVELS = (1, 30)  # p95 at 30 sessions within 3x p95 at one
SIGN_INS_AT_ONCE = 4
SYNTHETIC_NURSE = re.compile(r"^rn\.")  # the seed's two nurses per office (db/seed.py)
RUN_ERRORS = (RunFailed, TimeoutError, WebSocketException, OSError, httpx.HTTPError)

MEMORY_EVERY = 100  # presses between two samples of the server's memory; the first: warm-up
MEMORY_GROWTH_TOLERANCE_MB = 5.0  # per 1,000 presses after the warm-up (docstring: why)
TTL_OPTION = "server.disconnectedSessionTTL"
TTL_MARGIN_S = 5

CLUSTER = ROOT / "scripts" / "cluster.py"
CLUSTER_START_TIMEOUT_S = 300  # PostgreSQL, the demo seeded, every replica up, on a busy box
CLUSTER_STOP_TIMEOUT_S = 120


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
    route: str = ""  # behind the proxy: the replica her route cookie names


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


def cases_now(
    office_id: int, n: int, status: CaseStatus = CaseStatus.CHECKED_IN
) -> list[tuple[int, str]]:
    """`n` cases starting now at the office in `status` (id, code), numbered past every case
    already in the database: steps to press whatever the time of day (the demo's own day may be
    over)."""
    from tests import builders  # the suite's case builder: a bench is test data too

    with read_session() as s:
        made_before = s.scalar(select(func.max(Case.id))) or 0
    now = dt.datetime.now(dt.UTC)
    with builders.numbered_after(made_before):
        ids = [builders.make_case(office_id, status, now) for _ in range(n)]
    with read_session() as s:
        codes = dict(s.execute(select(Case.id, Case.code).where(Case.id.in_(ids))).all())
    return [(i, codes[i]) for i in ids]


def make_cases(sessions: int) -> list[Slot]:
    """Cases checked in now for `sessions` nurses, spread over the offices; every office gets
    the same number, so each nurse's day list has the same length whatever N is run."""
    nurses = office_nurses()
    if not nurses:
        raise SystemExit("no nurse of a single office (rn.*) in the database: seed a demo")
    per_office = math.ceil(sessions / len(nurses))
    made = {office_id: cases_now(office_id, per_office) for office_id in nurses}
    return [
        Slot(case_id, code, office_id, usernames[round_ % len(usernames)])
        for round_ in range(per_office)
        for office_id, usernames in nurses.items()
        for case_id, code in [made[office_id][round_]]
    ]


async def session_cookie(
    browser: httpx.AsyncClient, base_url: str, username: str, password: str
) -> tuple[str, str]:
    """The Cookie header a signed-in tab sends, and the replica's route ("" without a proxy).

    The page loaded, the sign-in form, then the ticket traded for the session cookie. Behind
    the proxy the page's answer names the replica (the route cookie): sent with every request
    after it, as a browser does, so the user stays on that replica; a page load without one
    goes round robin."""
    base_url = base_url.rstrip("/")
    loaded = await browser.get(base_url + "/checklist")
    route = loaded.cookies.get(ROUTE_COOKIE) or ""
    pinned = [f"{ROUTE_COOKIE}={route}"] if route else []
    tab = Tab(base_url, cookie="; ".join(pinned) or None)
    try:
        page = await tab.open("/checklist")
        tab.fill(page.labelled("text_input", "Username").id, username)
        tab.fill(page.labelled("text_input", "Password").id, password)
        page = await tab.rerun(press=page.button("Sign in").id)
    finally:
        await tab.close()
    if not page.redirect:
        raise RunFailed(f"sign-in of {username} refused: {page.alerts()}")
    # As the browser: the app's own page sends it there (same-origin), the cookie comes back.
    headers = {"Sec-Fetch-Site": "same-origin"}
    if pinned:
        headers["Cookie"] = "; ".join(pinned)
    answer = await browser.get(base_url + page.redirect, headers=headers)
    token = answer.cookies.get(COOKIE_NAME)
    if not token:
        raise RunFailed(f"/session/adopt gave no cookie ({answer.status_code})")
    return "; ".join([*pinned, f"{COOKIE_NAME}={token}"]), route


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

    async def sign_in(self, browser: httpx.AsyncClient) -> str:
        """Her Cookie header, signed in (session_cookie), her replica kept in the outcome."""
        cookie, self.outcome.route = await session_cookie(
            browser, self.base_url, self.slot.username, self.password
        )
        return cookie

    async def start(self) -> None:
        """Sign in, open the checklist with the cookies, pick her case."""
        async with httpx.AsyncClient(timeout=60) as browser:  # her own cookies: a browser's
            cookie = await self.sign_in(browser)
        self.tab = Tab(self.base_url, cookie=cookie)
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
        """Press `presses` more times, a think time before each."""
        try:
            for _ in range(presses):
                await asyncio.sleep(rng.uniform(0.5 * think, 1.5 * think))
                done = await self.press(len(self.outcome.presses))
                self.outcome.presses.append(done)
        except RUN_ERRORS as exc:
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

    @property
    def rate(self) -> float:
        """Acknowledged presses per second of the timed part."""
        return len(self.acked) / self.seconds if self.seconds else 0.0

    @property
    def per_replica(self) -> str:
        """How many sessions the proxy pinned to each replica ("" without a proxy)."""
        routes = Counter(o.route for o in self.outcomes if o.route)
        return ", ".join(f"{route} {n}" for route, n in sorted(routes.items()))


def process_cpu(pids: Sequence[int]) -> float | None:
    """CPU seconds (user + system) the processes used so far, together; None for none."""
    if not pids:
        return None
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


class Clock:
    """Wall time and CPU seconds (this client's, the servers' together) from its start."""

    def __init__(self, server_pids: Sequence[int] = ()):
        self.server_pids = server_pids
        self.began, self.cpu = time.perf_counter(), time.process_time()
        self.server_cpu = process_cpu(server_pids)

    def level(self, outcomes: list[Outcome]) -> Level:
        """The sessions' presses so far, timed from the start."""
        server_cpu = process_cpu(self.server_pids)
        return Level(
            len(outcomes),
            outcomes,
            time.perf_counter() - self.began,
            time.process_time() - self.cpu,
            None if server_cpu is None else server_cpu - self.server_cpu,
        )


def resident_mb(pids: Sequence[int]) -> float:
    """The processes' resident memory together, MB."""
    return sum(rss_mb(pid) for pid in pids)


@contextlib.asynccontextmanager
async def signed_in(base_url: str, slots: list[Slot], password: str) -> AsyncIterator[list[Nurse]]:
    """A nurse per slot, signed in, her case open (a few sign-ins at a time: argon2 is slow on
    purpose); one that could not start has her outcome's error set. Closed at the end."""
    nurses = [Nurse(base_url, slot, password) for slot in slots]
    gate = asyncio.Semaphore(SIGN_INS_AT_ONCE)

    async def start(nurse: Nurse) -> None:
        async with gate:
            try:
                await nurse.start()
            except (*RUN_ERRORS, LookupError) as exc:
                nurse.outcome.error = f"{type(exc).__name__}: {exc}"

    try:
        await asyncio.gather(*(start(n) for n in nurses))
        yield nurses
    finally:
        await asyncio.gather(*(n.close() for n in nurses))


async def press_together(nurses: list[Nurse], presses: int, think: float, seed: int = 12) -> None:
    """The nurses that started press `presses` times each, all at once."""
    ready = [n for n in nurses if n.outcome.error is None]
    await asyncio.gather(
        *(n.work(presses, think, random.Random(seed * 1000 + i)) for i, n in enumerate(ready))
    )


async def run_level(
    base_url: str,
    slots: list[Slot],
    *,
    presses: int,
    think: float,
    password: str,
    seed: int = 12,
    server_pids: Sequence[int] = (),
) -> Level:
    """`len(slots)` nurses sign in and open their cases (untimed), then press together."""
    async with signed_in(base_url, slots, password) as nurses:
        clock = Clock(server_pids)
        await press_together(nurses, presses, think, seed)
        return clock.level([n.outcome for n in nurses])


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


# --- reporting ---------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def took(began: float) -> str:
    """The time since `began` (time.monotonic()), as minutes and seconds."""
    minutes, seconds = divmod(round(time.monotonic() - began), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def report(level: Level, stored: Stored) -> str:
    stats = level.stats
    server = "-" if level.server_cpu is None else f"{level.server_cpu:.1f}"
    shown = (
        f"{ms(stats.median):>6} {ms(stats.p95):>6} {ms(max(stats.samples)):>6}"
        if stats
        else f"{'-':>6} {'-':>6} {'-':>6}"
    )
    once = "yes" if stored.exactly_once else "NO"
    return (
        f"{level.sessions:>4} {len(level.presses):>7} {len(level.acked):>6} "
        f"{len(level.errors):>6} {shown} {level.rate:>8.1f} {level.client_cpu:>7.1f} "
        f"{server:>7} {stored.rows:>5}  {once}"
    )


HEADER = (
    f"{'N':>4} {'presses':>7} {'acked':>6} {'errors':>6} {'p50':>6} {'p95':>6} {'max':>6} "
    f"{'press/s':>8} {'cli CPU':>7} {'srv CPU':>7} {'rows':>5}  exactly once"
)


def print_problems(label: str, level: Level, stored: Stored) -> None:
    """A run's first errors and anything stored other than exactly once."""
    for error in level.errors[:3]:
        print(f"  {label}: {error}")
    if not stored.exactly_once:
        print(
            f"  {label}: NOT exactly once: lost {dict(stored.lost)}, "
            f"stored twice {dict(stored.doubled)}"
        )
    elif stored.unacked_stored:
        print(f"  {label}: {stored.unacked_stored} press(es) not acknowledged, stored once")


def print_exactly_once(results: Sequence[tuple[Level, Stored]]) -> None:
    every = all(stored.exactly_once for _, stored in results)
    acked = sum(stored.acked for _, stored in results)
    print(
        f"Exactly once: {'yes' if every else 'NO'}, {acked} acknowledged presses checked "
        "against the checklist rows"
    )


def take(pool: Iterator[Slot], n: int) -> list[Slot]:
    """The next `n` cases of the pool: every run presses cases of its own."""
    found = list(itertools.islice(pool, n))
    if len(found) < n:
        raise RuntimeError(f"{n} cases wanted, {len(found)} left")
    return found


async def warm_up(base_url: str, slots: list[Slot], password: str) -> Level:
    """A press by each of `slots` (one per replica): first-run costs kept out of the figures."""
    level = await run_level(base_url, slots, presses=1, think=0, password=password)
    if level.errors:
        raise SystemExit(f"the warm-up failed: {level.errors[0]}")
    return level


# --- part 1: levels ----------------------------------------------------------------------------


async def measure(
    base_url: str,
    levels: list[int],
    pool: Iterator[Slot],
    *,
    presses: int,
    think: float,
    password: str,
    server_pids: Sequence[int] = (),
) -> list[tuple[Level, Stored]]:
    """Each level on cases of its own from `pool`, one after the other."""
    found = []
    memory = [(0, resident_mb(server_pids))] if server_pids else []
    for n in levels:
        level = await run_level(
            base_url,
            take(pool, n),
            presses=presses,
            think=think,
            password=password,
            server_pids=server_pids,
        )
        stored = check_stored(level.outcomes)
        print(report(level, stored), flush=True)
        found.append((level, stored))
        if server_pids:
            memory.append((memory[-1][0] + len(level.acked), resident_mb(server_pids)))
    if memory:  # issue 12: no growth over a long run of ticks
        steps = ", ".join(f"{n} presses: {mb:.0f} MB" for n, mb in memory)
        print(f"Server memory (resident) as the presses add up: {steps}")
    return found


def summary(results: list[tuple[Level, Stored]]) -> None:
    by_n = {level.sessions: level for level, _ in results}
    for level, stored in results:
        print_problems(f"N={level.sessions}", level, stored)
    print()
    print_exactly_once(results)
    low, high = TARGET_LEVELS
    if low in by_n and high in by_n and by_n[low].stats and by_n[high].stats:
        ratio = by_n[high].stats.p95 / by_n[low].stats.p95
        print(
            f"p95 at N={high} / p95 at N={low}: {ratio:.1f}x "
            f"(target <= {P95_RATIO_TARGET:g}x): {verdict(ratio <= P95_RATIO_TARGET)}"
        )


# --- part 2: memory ----------------------------------------------------------------------------


async def memory_over_presses(
    base_url: str, slot: Slot, *, presses: int, password: str, pid: int
) -> tuple[Level, list[tuple[int, float]]]:
    """One nurse presses `presses` times with no think time; the server's resident memory
    after every MEMORY_EVERY presses."""
    samples: list[tuple[int, float]] = []
    rng = random.Random(12)
    async with signed_in(base_url, [slot], password) as (nurse,):
        clock = Clock([pid])
        while nurse.outcome.error is None and len(nurse.outcome.presses) < presses:
            await nurse.work(min(MEMORY_EVERY, presses - len(nurse.outcome.presses)), 0, rng)
            samples.append((len(nurse.outcome.presses), rss_mb(pid)))
        return clock.level([nurse.outcome]), samples


def growth_per_thousand(samples: list[tuple[int, float]]) -> float | None:
    """MB per 1,000 presses after the warm-up: the least-squares slope from the first sample
    (after MEMORY_EVERY presses) on; None with fewer than two samples."""
    if len(samples) < 2:
        return None
    presses, mb = zip(*samples, strict=True)
    return statistics.linear_regression(presses, mb).slope * 1000


def print_memory_over_presses(
    level: Level, stored: Stored, samples: list[tuple[int, float]]
) -> None:
    print(HEADER)
    print(report(level, stored))
    print_problems("memory", level, stored)
    print("  presses " + " ".join(f"{n:>5}" for n, _ in samples))
    print("  RSS MB  " + " ".join(f"{mb:>5.0f}" for _, mb in samples))
    acked = [p.seconds for p in level.acked]
    if len(acked) >= 2 * MEMORY_EVERY:
        first, last = Stats(acked[:MEMORY_EVERY]), Stats(acked[-MEMORY_EVERY:])
        print(
            f"  a press, first {MEMORY_EVERY} / last {MEMORY_EVERY}: p50 {ms(first.median)} / "
            f"{ms(last.median)} ms, p95 {ms(first.p95)} / {ms(last.p95)} ms"
        )
    growth = growth_per_thousand(samples)
    if growth is None:
        print(f"  fewer than {2 * MEMORY_EVERY} presses: no growth to tell")
        return
    (warm, warm_mb), (end, end_mb) = samples[0], samples[-1]
    print(
        f"Server memory after the warm-up ({warm} presses): {warm_mb:.0f} MB; at the end "
        f"({end} presses): {end_mb:.0f} MB; growth after the warm-up: {growth:+.1f} MB per "
        f"1,000 presses (target: no growth after the warm-up, under "
        f"{MEMORY_GROWTH_TOLERANCE_MB:g} MB per 1,000): "
        f"{verdict(growth < MEMORY_GROWTH_TOLERANCE_MB)}"
    )


def session_ttl() -> int:
    """How long the server started here keeps a closed tab's session for a reconnect
    (server.disconnectedSessionTTL), read as serve.py reads it: its STREAMLIT_* variable over
    config.toml over Streamlit's default."""
    chosen = server_config.streamlit_env_options(os.environ).get(TTL_OPTION)
    if chosen is None:
        with contextlib.chdir(ROOT):
            st_config.get_config_options(force_reparse=True)
            chosen = st_config.get_option(TTL_OPTION)
    return int(chosen)


async def drop_closed_sessions(base_url: str, ttl: int) -> None:
    """Wait until every tab closed so far is past the server's keeping time (`ttl` seconds),
    then open and close one tab more: Streamlit drops the expired sessions from its session
    storage when it is next written, the closed tab's session saved for a reconnect."""
    await asyncio.sleep(ttl + TTL_MARGIN_S)
    tab = Tab(base_url)
    try:
        await tab.open("/")
    finally:
        await tab.close()
    await asyncio.sleep(2)  # the server handles the close after the client has returned


@dataclass
class SessionMemory:
    """The server's resident memory (MB) as sessions open and close."""

    levels: list[Level]  # the sessions opened; as many again once those were dropped
    before: float  # with no session of this part
    opened: float  # with them open
    after: float  # once they closed and Streamlit dropped them
    again: float  # with as many open again

    @property
    def sessions(self) -> int:
        return len(self.levels[0].outcomes)

    @property
    def per_session(self) -> float:
        return (self.opened - self.before) / max(1, self.sessions)

    @property
    def reused(self) -> bool:
        """Whether the sessions opened again took (mostly) the memory the dropped ones left:
        under a quarter of what the first ones grew it by."""
        return self.again - self.after < 0.25 * max(0.0, self.opened - self.before)


async def sessions_open(
    base_url: str, slots: list[Slot], password: str, pid: int
) -> tuple[Level, float]:
    """`slots` nurses signed in on their cases, a press each; the server's memory with them
    open. Closed at the end."""
    async with signed_in(base_url, slots, password) as nurses:
        clock = Clock([pid])
        await press_together(nurses, 1, 0)
        return clock.level([n.outcome for n in nurses]), rss_mb(pid)


async def memory_per_session(
    base_url: str, first: list[Slot], second: list[Slot], *, password: str, pid: int, ttl: int
) -> SessionMemory:
    """The server's memory before, with the `first` nurses' sessions open, once they closed
    and Streamlit dropped them, and with as many (`second`) open again: does it take what the
    dropped ones left, or more?"""
    await drop_closed_sessions(base_url, ttl)  # none kept from the parts before
    before = rss_mb(pid)
    opened_first, opened = await sessions_open(base_url, first, password, pid)
    await drop_closed_sessions(base_url, ttl)
    after = rss_mb(pid)
    opened_again, again = await sessions_open(base_url, second, password, pid)
    return SessionMemory([opened_first, opened_again], before, opened, after, again)


def print_memory_per_session(found: SessionMemory, stored: list[Stored], ttl: int) -> None:
    print(HEADER)
    for level, checked in zip(found.levels, stored, strict=True):
        print(report(level, checked))
        print_problems("sessions", level, checked)
    n = found.sessions
    print(
        f"Server memory: {found.before:.0f} MB before; {found.opened:.0f} MB with {n} sessions "
        f"open: {found.per_session:.2f} MB per open session (its closed sign-in page's "
        f"included); {found.after:.0f} MB once they closed and Streamlit dropped them (kept "
        f"{ttl} s for a reconnect): {found.after - found.before:+.0f} MB remains"
    )
    failed = sum(1 for o in found.levels[1].outcomes if o.error)
    if failed:
        told = f"{failed} could not start: whether it is reused is not told"
    elif found.reused:
        told = (
            "what the dropped sessions held is reused; the allocator keeps its pages, it is not "
            "a leak"
        )
    else:
        told = "NOT the memory the dropped sessions left: it grows with sessions gone"
    print(
        f"{n} sessions opened again: {found.again:.0f} MB ({found.again - found.after:+.0f} MB): "
        f"{told}"
    )


def memory_parts(
    url: str, pid: int, pool: Iterator[Slot], *, ticks: int, sessions: int, password: str
) -> None:
    """Part 2, on the server started here."""
    if ticks:
        began = time.monotonic()
        print(
            f"\n2. Memory over {ticks} presses of one session, think 0, the server's RSS "
            f"every {MEMORY_EVERY}"
        )
        level, samples = asyncio.run(
            memory_over_presses(url, take(pool, 1)[0], presses=ticks, password=password, pid=pid)
        )
        stored = check_stored(level.outcomes)
        print_memory_over_presses(level, stored, samples)
        print_exactly_once([(level, stored)])
        print(f"(took {took(began)})")
    if sessions:
        began, ttl = time.monotonic(), session_ttl()
        print(
            f"\n2. Memory per open session: {sessions} sessions signed in, a press each, then "
            f"closed (waits {2 * (ttl + TTL_MARGIN_S)} s: twice the {ttl} s Streamlit keeps a "
            "closed session)"
        )
        measured = asyncio.run(
            memory_per_session(
                url,
                take(pool, sessions),
                take(pool, sessions),
                password=password,
                pid=pid,
                ttl=ttl,
            )
        )
        stored = [check_stored(level.outcomes) for level in measured.levels]
        print_memory_per_session(measured, stored, ttl)
        print_exactly_once(list(zip(measured.levels, stored, strict=True)))
        print(f"(took {took(began)})")


# --- part 3: replicas --------------------------------------------------------------------------


@dataclass
class Cluster:
    """What scripts/cluster.py printed once it was up."""

    process: subprocess.Popen
    proxy: str
    database_url: str
    replica_pids: list[int]
    workdir: Path


PROXY_LINE = re.compile(r"^\s+proxy\s+(\S+)\s+\(nginx pid \d+; config (\S+)\)")
REPLICA_LINE = re.compile(r"^\s+replica r\d+\s+\S+\s+\(pid (\d+);")
DATABASE_LINE = re.compile(r"^\s+database\s+(\S+)")
READY_LINE = re.compile(r"^Open (\S+)\. ")
STOPPED_LINE = "Stopped: no replica, nginx or PostgreSQL is left running"


def parse_cluster(process: subprocess.Popen, lines: list[str]) -> Cluster:
    """The proxy, the database, the replicas' pids and the temp dir from cluster.py's summary."""
    proxy = next((m for m in map(PROXY_LINE.match, lines) if m), None)
    database = next((m for m in map(DATABASE_LINE.match, lines) if m), None)
    pids = [int(m[1]) for m in map(REPLICA_LINE.match, lines) if m]
    if proxy is None or database is None or not pids:
        raise SystemExit("cluster.py's summary is not as expected:\n" + "".join(lines))
    workdir = Path(proxy[2]).parent.parent  # <workdir>/nginx/nginx.conf
    return Cluster(process, proxy[1], database[1], pids, workdir)


def process_parents() -> dict[int, int]:
    """Every process's parent, from /proc."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def process_tree(roots: Sequence[int]) -> set[int]:
    """The processes `roots` and all their descendants."""
    parents = process_parents()
    found, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in found:
            found.add(pid)
            todo += [child for child, parent in parents.items() if parent == pid]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cluster_pieces(cluster: Cluster) -> tuple[set[int], list[Path]]:
    """Every process of the cluster (cluster.py, its replicas, nginx, PostgreSQL's holder and
    the server itself, which pg_ctl detached) and its temp dirs (its own, PostgreSQL's)."""
    with read_session(cluster.database_url) as s:
        backend = s.scalar(text("SELECT pg_backend_pid()"))
        data_directory = Path(s.scalar(text("SHOW data_directory")))
    postmaster = process_parents()[backend]
    return process_tree([cluster.process.pid, postmaster]), [cluster.workdir, data_directory.parent]


def stop_cluster(process: subprocess.Popen, pids: set[int], dirs: list[Path]) -> str:
    """SIGTERM, as Ctrl-C; then what is left of the cluster's processes and temp dirs."""
    began = time.monotonic()
    dispose_engines()  # no connection of ours held open to its PostgreSQL
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=CLUSTER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10  # PostgreSQL's detached server may end just after
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [f"process {p}" for p in sorted(pids) if alive(p)]
    left += [str(d) for d in dirs if d.exists()]
    state = (
        f"LEFT BEHIND: {', '.join(left)}"
        if left
        else f"nothing left ({len(pids)} processes gone, {len(dirs)} temp dirs removed)"
    )
    return f"stopped by SIGTERM in {took(began)}, exit code {process.returncode}: {state}"


def lines_of(process: subprocess.Popen) -> queue.Queue[str | None]:
    """The process's output, line by line, read by a thread of its own; None at its end."""
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def read_until_up(lines: queue.Queue[str | None], output: list[str]) -> None:
    """cluster.py's lines into `output` until the last of its summary ("Open <proxy>. ...")."""
    deadline = time.monotonic() + CLUSTER_START_TIMEOUT_S
    while True:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None:
            raise SystemExit("cluster.py did not come up:\n" + "".join(output))
        output.append(line)
        if READY_LINE.match(line):
            return


@contextlib.contextmanager
def cluster_running(replicas: int) -> Iterator[Cluster]:
    """scripts/cluster.py with `replicas` replicas on a free port, as `make cluster` runs it,
    once it says it is up; stopped with SIGTERM at the end and checked gone."""
    command = [sys.executable, str(CLUSTER), "--replicas", str(replicas)]
    command += ["--port", str(free_port())]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env={**os.environ, "MILD_NOTIFY_SECONDS": "0"},  # as the server started here
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=_die_with_parent,  # it stops everything (SIGTERM) if this script dies
    )
    lines, output = lines_of(process), []
    began, up = time.monotonic(), False
    pids, dirs = {process.pid}, []
    try:
        read_until_up(lines, output)
        up = True
        cluster = parse_cluster(process, output)
        pids, dirs = cluster_pieces(cluster)
        print(f"  {replicas} replica(s) up in {took(began)} behind {cluster.proxy}", flush=True)
        yield cluster
    finally:
        print(f"  cluster.py {stop_cluster(process, pids, dirs)}", flush=True)
        with contextlib.suppress(queue.Empty):  # the rest of its output, to its end
            while (line := lines.get(timeout=10)) is not None:
                output.append(line)
        if up and not any(line.startswith(STOPPED_LINE) for line in output):
            print(f"  cluster.py did not say {STOPPED_LINE!r}; its output:\n{''.join(output)}")


def replicas_part(
    counts: list[int], *, sessions: int, presses: int, password: str
) -> list[tuple[int, Level, Stored]]:
    """Part 3: each replica count on a cluster of its own, a saturated level through its
    proxy (think 0), then the cluster stopped."""
    found = []
    for count in counts:
        began = time.monotonic()
        with (
            cluster_running(count) as cluster,
            target(cluster.proxy, cluster.database_url) as (url, _),
        ):
            pool = iter(make_cases(count + sessions))
            warm = asyncio.run(warm_up(url, take(pool, count), password))  # a session each
            print(f"  warm-up: a press by a session on {warm.per_replica}", flush=True)
            level = asyncio.run(
                run_level(
                    url,
                    take(pool, sessions),
                    presses=presses,
                    think=0,
                    password=password,
                    server_pids=cluster.replica_pids,
                )
            )
            stored = check_stored(level.outcomes)
            print(f"{count:>2} {report(level, stored)}   {level.per_replica}", flush=True)
            print_problems(f"{count} replica(s)", level, stored)
        print(f"  (took {took(began)})")
        found.append((count, level, stored))
    return found


def replicas_summary(found: list[tuple[int, Level, Stored]]) -> None:
    rate = {count: level.rate for count, level, _ in found}
    print_exactly_once([(level, stored) for _, level, stored in found])
    if 1 in rate and 2 in rate and rate[1]:
        ratio = rate[2] / rate[1]
        print(
            f"Throughput, 2 replicas over 1: {rate[2]:.1f} / {rate[1]:.1f} presses/s = "
            f"{ratio:.2f}x (target: grows with replicas, above 1x): {verdict(ratio > 1)}"
        )


# --- the run -----------------------------------------------------------------------------------


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
        copy_database(month.path, copy)
        os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
        with server("serve:app", {"DATABASE_URL": os.environ["DATABASE_URL"]}) as (started, pid):
            print(f"One server process (uvicorn serve:app) at {started}")
            yield started, pid


def numbers(text: str) -> list[int]:
    """ "1,10,30" -> [1, 10, 30]; "" or "0": none."""
    return [int(n) for n in text.split(",") if n.strip() and int(n)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sessions", default="1,10,30,60", help="levels of N, comma-separated ('' or 0: none)"
    )
    parser.add_argument("--ticks", type=int, default=10, help="timed presses per session")
    parser.add_argument("--think", type=float, default=5.0, help="mean seconds between presses")
    parser.add_argument(
        "--memory-ticks", type=int, default=1000, help="presses of one session (0: skip)"
    )
    parser.add_argument(
        "--memory-sessions", type=int, default=30, help="sessions opened and closed (0: skip)"
    )
    parser.add_argument(
        "--replicas", default="1,2", help="replica counts, comma-separated ('' or 0: skip)"
    )
    parser.add_argument("--replica-sessions", type=int, default=20, help="N through the proxy")
    parser.add_argument("--replica-ticks", type=int, default=10, help="presses per session")
    parser.add_argument("--url", help="a server already running (default: start one)")
    parser.add_argument("--database-url", help="with --url: its database (default: DATABASE_URL)")
    parser.add_argument(
        "--password", default=os.environ.get("DEMO_PASSWORD") or DEFAULT_DEMO_PASSWORD
    )
    args = parser.parse_args()
    levels = numbers(args.sessions)
    if levels or args.memory_ticks or args.memory_sessions:
        local_parts(args, levels)
    replicas = numbers(args.replicas)
    if replicas:
        print(
            f"\n3. Replicas: scripts/cluster.py (PostgreSQL, nginx), {args.replica_sessions} "
            f"sessions x {args.replica_ticks} presses, think 0, through the proxy"
        )
        if not NGINX.exists() or not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")):
            print("Skipped: it needs Debian's nginx and PostgreSQL (make system-deps)")
            return
        print(f"{'K':>2} {HEADER}   sessions per replica")
        found = replicas_part(
            replicas,
            sessions=args.replica_sessions,
            presses=args.replica_ticks,
            password=args.password,
        )
        replicas_summary(found)


def local_parts(args: argparse.Namespace, levels: list[int]) -> None:
    """Parts 1 and 2, on the server started here (or the one at --url: part 1 only)."""
    with target(args.url, args.database_url) as (url, pid):
        # A warm-up session, a case per session per level, the memory part's (its sessions
        # are opened twice).
        needed = 1 + sum(levels) + (args.memory_ticks > 0) + 2 * args.memory_sessions
        pool = iter(make_cases(needed))
        print(f"Cases checked in now at {len(office_nurses())} offices")
        asyncio.run(warm_up(url, take(pool, 1), args.password))
        if levels:
            began = time.monotonic()
            print(
                f"\n1. Levels: {args.ticks} presses per session, think {args.think:g} s "
                f"(0.5x-1.5x), N = {levels}"
            )
            print(HEADER)
            results = asyncio.run(
                measure(
                    url,
                    levels,
                    pool,
                    presses=args.ticks,
                    think=args.think,
                    password=args.password,
                    server_pids=(pid,) if pid else (),
                )
            )
            summary(results)
            print(f"(took {took(began)})")
        if pid is None:
            print("\n2. Memory: skipped (the server at --url is not ours to read)")
        else:
            memory_parts(
                url,
                pid,
                pool,
                ticks=args.memory_ticks,
                sessions=args.memory_sessions,
                password=args.password,
            )


if __name__ == "__main__":
    main()
