"""What a nurse feels, measured in a real browser (issue 12): Debian's chromium driven by
Playwright against `uvicorn serve:app`, side by side with the floor, a bare Streamlit app served
the same way, in one run (this machine is shared and noisy: only ratios mean anything).

    .venv/bin/python scripts/bench_browser.py [--clicks 30] [--variants default,no-gc]
    (or: make bench, after the server-side part)

Figures, each with its ratio to the floor and its target:
- the floor: a bare app's button, click to the count shown (median, p95);
- a checklist tick: "Mark done" pressed to the step shown done (the button gone), on today's
  cases of the nurse's office in the one-month demo (target: median within 2x the floor, p95
  within 2.5x the floor's p95);
- each screen of each role opened from the navigation, click to its title and the run over, on
  the 25-office one-month and five-year demos (target: within 5x the floor's median at five
  years; the follow-up screen within 1.2x of its one-month time).

Server variants, each a fresh copy of the demo database and a fresh server: Streamlit as
configured (`default`: config.toml), `runner.postScriptGC` off (`no-gc`, Streamlit's post-run
full garbage collection), `runner.fastReruns` on (`fast-reruns`, Streamlit's own default: a
click starts a second run beside the one going). A benchmark, never part of
`make test`: it prints, it does not fail on timing.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, expect, sync_playwright  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402
from sqlalchemy import select  # noqa: E402

from db.seed import DEFAULT_DEMO_PASSWORD  # noqa: E402
from mild.cases import CaseStatus  # noqa: E402
from mild.staff import Role, Screen, screens_for  # noqa: E402
from scripts import bench_trace  # noqa: E402
from scripts.bench import SIZES, copy_database, ensure_database  # noqa: E402
from tests.support.event_loop import run_coroutine  # noqa: E402

if TYPE_CHECKING:
    from scripts.bench_load import Slot

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"]
TICK_MEDIAN_RATIO, TICK_P95_RATIO, SCREEN_RATIO = 2.0, 2.5, 5.0
VARIANTS = {
    "default": {},
    "no-gc": {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "false"},
    "fast-reruns": {"STREAMLIT_RUNNER_FAST_RERUNS": "true"},
}
# Each screen: its navigation label and its title (dashboard.SCREENS, pages/*.py). The roles
# timed: every office role, each over every screen it may open (mild.staff); the provider has
# one screen and no navigation to time.
SCREEN_LINKS = {
    Screen.HOME: ("Today", "Today"),
    Screen.CHECKLIST: ("Checklist", "Day-of checklist"),
    Screen.FOLLOW_UP: ("Follow-up", "Follow-up"),
    Screen.ESCALATIONS: ("Escalations", "Escalations"),
    Screen.INTAKE: ("Intake", "Intake"),
    Screen.SCHEDULE: ("Schedule", "Daily schedule"),
    Screen.BOARD: ("Board", "Status board"),
    Screen.METRICS: ("Metrics", "Office metrics"),
    Screen.AUDIT: ("Audit", "Audit trail"),
    Screen.ADMIN: ("Admin", "Admin"),
}
TITLES = dict(SCREEN_LINKS.values())
ROLES = {"nurse": Role.NURSE, "coordinator": Role.COORDINATOR, "manager": Role.MANAGER}
ROLES["admin"] = Role.ADMIN
FOLLOW_UP_RATIO = 1.2  # the follow-up screen at five years against one month


@dataclass
class Stats:
    samples: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(module: str, env: dict[str, str], app_dir: Path = ROOT) -> Iterator[tuple[str, int]]:
    """`uvicorn module` on a free port, as `make run` serves; its base URL and process id while
    it runs."""
    port = _port()
    fd, log_name = tempfile.mkstemp(prefix="bench-server-", suffix=".log")
    log = os.fdopen(fd, "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            module,
            "--app-dir",
            str(app_dir),
            "--no-access-log",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        env={**os.environ, "MILD_NOTIFY_SECONDS": "0", **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            health = f"http://127.0.0.1:{port}/_stcore/health"
            with contextlib.suppress(OSError), urllib.request.urlopen(health, timeout=2):
                break
            if proc.poll() is not None:
                raise RuntimeError(Path(log_name).read_text()[-2000:])
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}", proc.pid
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        if proc.poll() is None:
            proc.kill()
        log.close()
        text = Path(log_name).read_text(errors="replace")
        if "Traceback" in text:
            print(f"  ! the server logged a traceback ({log_name})")
        else:
            os.unlink(log_name)


# Timing inside the page: Playwright's expect() polls at 100, 250, 500, 1000 ms, so timing
# "click, then expect" measures the poll, not the page. Instead the page records the moment of
# the click (a capturing listener) and the moment the DOM first meets the condition (a
# MutationObserver), both on its own clock; the script only waits for the second to exist.
WATCH = """([condition, arg]) => {
  const met = new Function('arg', 'return (' + condition + ')(arg)');
  window.__benchClick = null; window.__benchDone = null;
  document.addEventListener('click', () => {
    if (window.__benchClick === null) {
      window.__benchClick = performance.now(); performance.mark('bench-click');
    }
  }, {capture: true, once: true});
  const observer = new MutationObserver(() => {
    if (window.__benchClick !== null && met(arg)) {
      window.__benchDone = performance.now(); performance.mark('bench-done');
      observer.disconnect();
    }
  });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true,
                                   characterData: true});
}"""
GONE = "(cls) => document.getElementsByClassName(cls).length === 0"
TEXT_SHOWN = "(text) => document.body.innerText.includes(text)"
TITLE_AND_IDLE = """(title) => {
  const app = document.querySelector('[data-testid="stApp"]');
  const heads = [...document.querySelectorAll('[data-testid="stMain"] h1')];
  return app && app.getAttribute('data-test-script-state') === 'notRunning'
    && heads.some(h => h.innerText.trim() === title);
}"""


def timed_click(page: Page, target, condition: str, arg: str, timeout: float = 30_000) -> float:
    """Seconds from the click on `target` to the DOM meeting `condition(arg)`, on the page's
    own clock (see WATCH)."""
    page.evaluate(WATCH, [condition, arg])
    target.click()
    page.wait_for_function("() => window.__benchDone !== null", timeout=timeout)
    return page.evaluate("() => (window.__benchDone - window.__benchClick) / 1000")


def idle(page: Page) -> None:
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=30_000)
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=30_000)


def floor(page: Page, url: str, clicks: int) -> Stats:
    page.goto(url)
    button = page.get_by_role("button", name="Press")
    expect(button).to_be_visible(timeout=30_000)
    idle(page)
    samples = []
    for n in range(1, clicks + 1):
        samples.append(timed_click(page, button, TEXT_SHOWN, f"Pressed {n}"))
        idle(page)
    return Stats(samples)


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(DEFAULT_DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible(timeout=30_000)
    idle(page)


def nav(page: Page, link: str) -> float:
    took = timed_click(
        page,
        page.get_by_test_id("stTopNavLink").filter(has_text=link).first,
        TITLE_AND_IDLE,
        TITLES[link],
    )
    idle(page)
    return took


TICK_CASES = 10  # cases booked for the nurse per variant: plain steps enough for 30 presses
TRACED_TICKS = 5  # ticks traced for the browser's share (bench_trace), untimed


def nurse_cases(database: Path, n: int, status: CaseStatus = CaseStatus.SCHEDULED) -> list[Slot]:
    """`n` cases booked for now at the demo nurse's first office in `database`, in `status`,
    nothing ticked: steps to tick at any time of day (in the evening the demo's own day is all
    discharged)."""
    from db.models import StaffUser
    from db.session import dispose_engines, read_session
    from scripts.bench_load import Slot, cases_now

    url, os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL"), f"sqlite:///{database}"
    try:
        with read_session() as s:
            nurse = s.scalar(select(StaffUser).where(StaffUser.username == "nurse"))
            office_id = min(o.id for o in nurse.offices)
        return [Slot(i, code, office_id, "nurse") for i, code in cases_now(office_id, n, status)]
    finally:
        dispose_engines()
        if url is None:
            del os.environ["DATABASE_URL"]
        else:
            os.environ["DATABASE_URL"] = url


def tick_buttons(page: Page, url: str, codes: list[str]) -> Iterator[tuple[object, str]]:
    """Signed in as the nurse on the checklist, each case of `codes` opened in turn: its next
    "Mark done" button and the class of the step's box (gone once the step is done), until the
    case has none; the caller presses it. A press the rules refuse (a hard stop) is the
    caller's to report (`send(False)`): the next case is opened."""
    sign_in(page, url, "nurse")
    nav(page, "Checklist")
    main = page.get_by_test_id("stMain")
    picker = main.get_by_role("combobox", name="Open a case", exact=True)
    for code in codes:
        picker.click()
        picker.fill(code)  # the list draws only the options in view: typing finds the case
        page.get_by_role("option").filter(has_text=code).first.click()
        expect(main.locator(".st-key-dayof_header")).to_contain_text(code)
        idle(page)
        for _ in range(12):
            buttons = main.locator("[class*='st-key-dayof_tick_']").get_by_role(
                "button", name="Mark done"
            )
            visible = [b for b in buttons.all() if b.is_visible()]
            if not visible:
                break
            box = visible[0].locator("xpath=ancestor::*[contains(@class,'st-key-dayof_tick_')]")
            key = next(
                c for c in box.first.get_attribute("class").split() if c.startswith("st-key-")
            )
            if (yield visible[0], key) is False:
                break


def tick(page: Page, button, key: str, timeout: float = 8_000) -> float | None:
    """One timed press (seconds), or None when the step stayed open (refused)."""
    try:
        return timed_click(page, button, GONE, key, timeout=timeout)
    except PlaywrightTimeout:
        return None
    finally:
        idle(page)


def ticks(page: Page, url: str, codes: list[str], wanted: int) -> Stats:
    """The nurse ticks the plain steps of the cases `codes`, one after the other, timing each
    press to the step shown done; a press the rules refuse (a hard stop) is left out and the
    next case opened."""
    samples: list[float] = []
    targets = tick_buttons(page, url, codes)
    with contextlib.closing(targets):
        target = next(targets, None)
        while target is not None:
            took = tick(page, *target)
            if took is not None:
                samples.append(took)
            if len(samples) >= wanted:
                break
            target = _next(targets, took is not None)
    return Stats(samples)


def _next(targets, pressed: bool):
    """The next button of `tick_buttons`: of the same case if the last press went through."""
    try:
        return targets.send(None if pressed else False)
    except StopIteration:
        return None


def traced_ticks(
    browser, page: Page, url: str, codes: list[str], wanted: int
) -> tuple[Counter, int]:
    """`wanted` ticks, each under a Chrome trace (scripts/bench_trace.py): the browser's main
    thread between click and done, summed by kind, and the number of ticks traced."""
    totals: Counter[str] = Counter()
    traced = 0
    targets = tick_buttons(page, url, codes)
    with contextlib.closing(targets), tempfile.TemporaryDirectory() as tmp:
        target = next(targets, None)
        while target is not None:
            path = Path(tmp) / f"tick{traced}.json"
            browser.start_tracing(page=page, path=str(path), categories=bench_trace.CATEGORIES)
            try:
                took = tick(page, *target)
            finally:
                browser.stop_tracing()
            spent = bench_trace.breakdown(bench_trace.events_of(path)) if took is not None else None
            if spent:
                totals += spent
                traced += 1
            elif took is not None:
                print("  (a traced tick's trace held no click and done marks: left out)")
            if traced >= wanted:
                break
            target = _next(targets, took is not None)
    return totals, traced


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def memory(page: Page, pid: int, reruns: int) -> list[tuple[int, float]]:
    """The server's resident memory as the nurse goes back and forth between two screens
    (each a full rerun), every quarter of `reruns`: it should level off, not keep growing."""
    found = [(0, rss_mb(pid))]
    for n in range(1, reruns + 1):
        nav(page, "Board" if n % 2 else "Checklist")
        if n % max(1, reruns // 4) == 0:
            found.append((n, rss_mb(pid)))
    return found


def screens(page: Page, url: str, visits: int = 3) -> dict[str, float]:
    """Each role's screens opened from the navigation: the median of `visits` visits each."""
    found: dict[str, float] = {}
    for username, role in ROLES.items():
        page.context.clear_cookies()
        sign_in(page, url, username)
        # The navigation's screens (My account is opened from the user bar, not listed).
        links = [SCREEN_LINKS[s][0] for s in screens_for(role) if s in SCREEN_LINKS]
        for before, link in zip([links[-1], *links], links, strict=False):
            times = []
            for _ in range(visits):  # from another screen each time: a real change of screen
                nav(page, before)
                times.append(nav(page, link))
            found[f"{username}: {link}"] = statistics.median(times)
    return found


def print_screens(month: dict[str, float], years: dict[str, float], floor: float) -> None:
    """Every screen at both sizes, the five-year time against the floor (target SCREEN_RATIO),
    and the follow-up screen's five years against its one month (target FOLLOW_UP_RATIO)."""
    print(
        f"\nScreens opened from the navigation, 25 offices (median of 3; target <= "
        f"{SCREEN_RATIO}x the floor at five years):"
    )
    print(f"  {'role: screen':<26} {'1 month':>8} {'5 years':>8} {'x floor':>8}  met")
    for what, seconds in years.items():
        ratio = seconds / floor
        print(
            f"  {what:<26} {month.get(what, float('nan')) * 1000:>5.0f} ms "
            f"{seconds * 1000:>5.0f} ms {ratio:>7.1f}x  {'yes' if ratio <= SCREEN_RATIO else 'NO'}"
        )
    growth = [years[w] / month[w] for w in years if w.endswith(": Follow-up") and w in month]
    if growth:
        worst = max(growth)
        print(
            f"Follow-up, five years against one month: {worst:.2f}x (target <= "
            f"{FOLLOW_UP_RATIO}x) {'yes' if worst <= FOLLOW_UP_RATIO else 'NO'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=30, help="timed presses per figure")
    parser.add_argument("--variants", default="default,no-gc,fast-reruns")
    parser.add_argument(
        "--memory", type=int, default=200, help="reruns watched for memory growth (0: none)"
    )
    args = parser.parse_args()
    if not CHROMIUM.exists():
        print(f"The browser part needs Debian's chromium ({CHROMIUM}): left out.")
        return
    # Here, not at the top: the profile's sign-in is the load bench's, which uses this module.
    from scripts.bench_apps.st_client import RunFailed
    from scripts.bench_profile import print_profile, print_tick_profile, profile, tick_profile

    month, years = SIZES
    print(f"Database {month.label}: {ensure_database(month, False)}")
    print(f"Database {years.label}: {ensure_database(years, False)}")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        with server("bare_serve:app", {}, ROOT / "scripts" / "bench_apps") as (url, _):
            base = floor(page, url, args.clicks)
        print(
            f"\nFloor, a bare app's click: median {base.median * 1000:.0f} ms, "
            f"p95 {base.p95 * 1000:.0f} ms ({len(base.samples)} clicks)"
        )
        grown: dict[str, list[tuple[int, float]]] = {}
        opened: dict[str, float] = {}
        tick_where = None  # the first variant's tick, traced and profiled
        print(f"\n{'variant':<16} {'tick median':>12} {'ratio':>6} {'p95':>8} {'ratio':>6}  met")
        for name in args.variants.split(","):
            with tempfile.TemporaryDirectory(prefix="bench-db-") as tmp:
                copy = Path(tmp) / "demo.db"
                copy_database(month.path, copy)
                booked = nurse_cases(copy, TICK_CASES + 2)
                codes = [slot.code for slot in booked]
                env = {"DATABASE_URL": f"sqlite:///{copy}", **VARIANTS[name]}
                context.clear_cookies()
                with server("serve:app", env) as (url, pid):
                    got = ticks(page, url, codes[:TICK_CASES], args.clicks)
                    if not opened:  # the first variant's server: every role's screens
                        opened = screens(page, url)
                        # Where a tick's time goes: traced in the browser, then the server's
                        # run and what it sent, in a protocol client.
                        context.clear_cookies()
                        traced = traced_ticks(browser, page, url, codes[TICK_CASES:], TRACED_TICKS)
                        (checked_in,) = nurse_cases(copy, 1, CaseStatus.CHECKED_IN)
                        try:
                            sent = run_coroutine(tick_profile(url, checked_in))
                        except RunFailed as exc:
                            print(f"  the protocol client's ticks failed: {exc}")
                        else:
                            tick_where = (name, got, traced, sent)
                    if args.memory:
                        grown[name] = memory(page, pid, args.memory)
            if not got.samples:
                print(f"{name:<16} no step could be ticked")
                continue
            median_ratio, p95_ratio = got.median / base.median, got.p95 / base.p95
            met = median_ratio <= TICK_MEDIAN_RATIO and p95_ratio <= TICK_P95_RATIO
            print(
                f"{name:<16} {got.median * 1000:>9.0f} ms {median_ratio:>5.1f}x "
                f"{got.p95 * 1000:>5.0f} ms {p95_ratio:>5.1f}x  {'yes' if met else 'NO'}"
                f"  ({len(got.samples)} ticks)"
            )
        if tick_where is not None:
            _, got, traced, sent = tick_where
            print_tick_profile(got.median, base.median, sent, traced)
        for name, rss in grown.items():
            steps = ", ".join(f"{n}: {mb:.0f} MB" for n, mb in rss)
            print(f"Server memory over reruns ({name}): {steps}")
        print(
            f"\nTargets: tick median <= {TICK_MEDIAN_RATIO}x, p95 <= {TICK_P95_RATIO}x the floor's"
        )
        with tempfile.TemporaryDirectory(prefix="bench-db-") as tmp:
            copy = Path(tmp) / "years.db"
            copy_database(years.path, copy)
            context.clear_cookies()
            with server("serve:app", {"DATABASE_URL": f"sqlite:///{copy}"}) as (url, _):
                opened_years = screens(page, url)
                # The same server, the same screens, in a protocol client: where the time goes.
                profiles = run_coroutine(profile(url))
        print_screens(opened, opened_years, base.median)
        print_profile(profiles, opened_years, base.median)
        browser.close()


if __name__ == "__main__":
    main()
