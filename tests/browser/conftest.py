"""The browser layer: the real app in a real Chromium, driven by Playwright.

Modelled on Streamlit's own e2e conftest (e2e_playwright/conftest.py): one Streamlit server per
test session, started as a subprocess on a free port against a freshly seeded SQLite demo, and a
helper that waits for the app to be idle after an action instead of sleeping.

Chromium is Debian's /usr/bin/chromium (`make test` installs it), never Playwright's download.
Nothing is skipped: without Chromium the tests fail and say how to get it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
SCREENS = ARTIFACTS / "screens"
VENV_PYTHON = ROOT / ".venv" / "bin" / "python"
CHROMIUM = Path(os.environ.get("MILD_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # we run as root in CI containers
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",  # without these Chromium hammers the closed network
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TEST_PASSWORD = "browser-test-pw"
TIMEOUT_MS = 15_000
SERVER_START_TIMEOUT_S = 60
VIEWPORT = {"width": 1280, "height": 900}

expect.set_options(timeout=TIMEOUT_MS)


@dataclass(frozen=True)
class AppServer:
    base_url: str
    port: int
    database: Path
    log: Path

    def url(self, path: str = "/") -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def office_headings(self) -> list[str]:
        """'Name (CODE)' of every seeded office, in seed order (the nurse works at the first 2)."""
        with sqlite3.connect(self.database) as conn:
            rows = conn.execute("SELECT name, code FROM office ORDER BY id").fetchall()
        return [f"{name} ({code})" for name, code in rows]


def _python() -> str:
    return str(VENV_PYTHON) if VENV_PYTHON.exists() else sys.executable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail_text(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:]) or "(server log is empty)"


def _tail(path: Path, lines: int = 60) -> str:
    try:
        return _tail_text(path.read_text(errors="replace"), lines)
    except OSError:
        return "(no server log)"


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _start_server(
    env: dict[str, str], log: Path, options: tuple[str, ...] = ("--no-access-log",)
) -> tuple[subprocess.Popen, int]:
    """Start the server on a free port (with uvicorn's `options`, as `make run` passes them)
    and wait for /_stcore/health; retry if the port was taken."""
    for _attempt in range(3):
        port = _free_port()
        with log.open("ab") as out:
            proc = subprocess.Popen(
                # As `make run` serves it: the app with its session routes (serve.py).
                [
                    _python(),
                    "-m",
                    "uvicorn",
                    "serve:app",
                    *options,
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        while time.monotonic() < deadline:
            if _healthy(port):
                return proc, port
            if proc.poll() is not None:
                break
            time.sleep(0.2)
        _stop(proc)
        if "already in use" not in _tail(log, 20):
            break
    pytest.fail(
        f"The Streamlit server did not answer 'ok' on /_stcore/health within "
        f"{SERVER_START_TIMEOUT_S} s. Last lines of its output:\n{_tail(log)}",
        pytrace=False,
    )


def _run_python(command: list[str], env: dict[str, str]) -> str:
    """`python *command` in the repository with `env` (a seed, a script writing test data):
    what it printed; the test fails with its output if it fails."""
    made = subprocess.run(
        [_python(), *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    if made.returncode != 0:
        pytest.fail(
            f"`{' '.join(command)[:80]}` failed ({made.returncode}):\n{made.stdout}{made.stderr}",
            pytrace=False,
        )
    return made.stdout


@contextlib.contextmanager
def demo_server(
    seed_args: Sequence[str], scripts: Sequence[str] = (), **settings: str
) -> Iterator[tuple[AppServer, list[str]]]:
    """A demo of its own (`manage.py seed *seed_args` in a fresh SQLite file), each of
    `scripts` run against it (`python -c`; what each printed is yielded), served as `make run`
    serves it with the environment `settings` added (MILD_NOTIFY_SECONDS is 0 unless given):
    for a test that needs other data or settings than the shared app_server's. The server's
    log must hold no traceback when it stops."""
    tmp = Path(tempfile.mkdtemp(prefix="mild-demo-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}",
        "DEMO_PASSWORD": TEST_PASSWORD,
        "MILD_NOTIFY_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
        **settings,
    }
    log, proc, output = tmp / "server.log", None, ""
    try:
        _run_python(["manage.py", "seed", *seed_args], env)
        printed = [_run_python(["-c", script], env) for script in scripts]
        proc, port = _start_server(env, log)
        yield AppServer(f"http://127.0.0.1:{port}", port, tmp / "demo.db", log), printed
    finally:
        if proc is not None:
            _stop(proc)
        output = log.read_text(errors="replace") if log.exists() else ""
        shutil.rmtree(tmp, ignore_errors=True)
    assert "Traceback" not in output, _tail_text(output)


@pytest.fixture(scope="session")
def app_server() -> Iterator[AppServer]:
    """The dashboard on a seeded SQLite demo, served on 127.0.0.1 for the whole session."""
    tmp = Path(tempfile.mkdtemp(prefix="mild-browser-"))
    database = tmp / "demo.db"
    log = tmp / "streamlit.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEMO_PASSWORD": TEST_PASSWORD,
        "PYTHONUNBUFFERED": "1",
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    proc = None
    try:
        _run_python(["manage.py", "seed"], env)
        proc, port = _start_server(env, log)
        yield AppServer(f"http://127.0.0.1:{port}", port, database, log)
        died = proc.poll() is not None
        _stop(proc)
        output = log.read_text(errors="replace") if log.exists() else ""
    finally:
        if proc is not None:
            _stop(proc)
        if log.exists():  # kept for reading after the run; the temp dir goes
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copyfile(log, ARTIFACTS / "streamlit.log")
        shutil.rmtree(tmp, ignore_errors=True)
    # The app shows users one short sentence and logs the traceback: a test can pass over a
    # hidden server error, so the log must be clean too.
    if died or "Traceback" in output:
        pytest.fail(
            "The Streamlit server "
            + ("died during the tests" if died else "logged an error")
            + f" (test-artifacts/streamlit.log); the last lines:\n{_tail_text(output)}",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}. Run `make test`: it installs Debian's "
            "chromium package (make system-deps) before running the suite.",
            pytrace=False,
        )
    browser = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


def _safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1]).strip("_")[:150]


@pytest.fixture
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies, no Streamlit session) and page for each test.

    When the test fails, the page is saved to test-artifacts/<test name>.png first.
    """
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    report = request.node.stash.get(_REPORTS, {}).get("call")
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{_safe_name(request.node.nodeid)}.png"
        try:
            page.screenshot(path=str(path), full_page=True)
            print(f"screenshot of the failed test: {path}")
        except Exception as exc:  # the page may be gone; the failure itself matters more
            print(f"could not save a screenshot: {exc}")
    context.close()


def wait_for_app_idle(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """Wait until Streamlit is connected and no script run is under way.

    Like Streamlit's own wait_for_app_run: the stApp element reports its connection and script
    state; the status widget's running icon is gone once the run has finished. Right after a
    click the rerun may not have started yet, so follow this with an expect() on the element
    the action should produce.
    """
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=timeout)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=timeout)
    expect(page.get_by_test_id("stStatusWidgetRunningIcon")).to_have_count(0, timeout=timeout)


# Every cell's text of a Glide data grid (st.dataframe), the grid scrolled through from top to
# bottom: it draws, and gives assistive technology, only the rows in view.
GRID_TEXTS_JS = """async (table) => {
    const scroller = table.querySelector('.dvn-scroller');
    const drawn = () => new Promise(r => setTimeout(r, 150));
    const texts = new Set();
    const take = () => table.querySelectorAll('td[role="gridcell"]')
        .forEach(c => texts.add(c.innerText.trim()));
    scroller.scrollTop = 1;  // its cells for assistive technology are drawn on a first scroll
    const step = Math.max(20, scroller.clientHeight / 2);  // a folded grid: no endless loop
    for (let top = 0; top <= scroller.scrollHeight; top += step) {
        scroller.scrollTop = top;
        await drawn();
        take();
    }
    scroller.scrollTop = 0;
    return [...texts];
}"""


def grid_texts(table: Locator) -> list[str]:
    """What every cell of a data grid says, rows out of view included."""
    table.scroll_into_view_if_needed()
    return table.evaluate(GRID_TEXTS_JS)


def open_step_history(box: Locator) -> None:
    """A checklist step's history (its un-tick and time correction) opened, unless it is.

    Right after a tick the step's row is drawn again where done steps are listed (below the
    open ones), so its history button is waited for first, whichever it is."""
    close = box.get_by_role("button", name="Close history")
    history = box.get_by_role("button", name="History (")
    expect(close.or_(history).first).to_be_visible()
    if close.count() == 0:
        history.click()
    expect(close).to_have_count(1)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.get_by_test_id("stAppViewContainer")).to_be_attached()
    wait_for_app_idle(page)


# --- the next day: the same app and database, the server's clock a day ahead -------------------

# Debian's libfaketime (package libfaketime): preloaded into the server process only, it moves
# that process's wall clock by a fixed offset. The app has no clock setting and gets none for
# tests: it runs unchanged, as it would the next day. Chromium and the tests keep the real time.
LIBFAKETIME = os.environ.get("MILD_TEST_LIBFAKETIME", "")
NEXT_DAY_HOURS = 25  # the next-day call is due 24 h after discharge


def _libfaketime() -> Path:
    found = [Path(LIBFAKETIME)] if LIBFAKETIME else []
    found += sorted(Path("/usr/lib").glob("*/faketime/libfaketimeMT.so.1"))
    for path in found:
        if path.exists():
            return path
    pytest.fail(
        "libfaketime is not installed (/usr/lib/<arch>/faketime/libfaketimeMT.so.1). The "
        "next-day journey runs the server with its clock a day ahead: install Debian's "
        "libfaketime package (`apt-get install libfaketime`; make system-deps installs it).",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def next_day_server(app_server: AppServer) -> Iterator[AppServer]:
    """A second server on the same database whose clock reads NEXT_DAY_HOURS later.

    What a nurse sees when she opens the app the day after: follow-ups fall due, the board shows
    that day. Both servers share the SQLite file (WAL), as two processes on one host may.
    """
    log = app_server.log.parent / "streamlit-next-day.log"
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{app_server.database}",
        "DEMO_PASSWORD": TEST_PASSWORD,
        "PYTHONUNBUFFERED": "1",
        "LD_PRELOAD": str(_libfaketime()),
        "FAKETIME": f"+{NEXT_DAY_HOURS}h",
        # Timers and timeouts (asyncio, tornado) keep the real monotonic clock.
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
    }
    proc = None
    try:
        proc, port = _start_server(env, log)
        yield AppServer(f"http://127.0.0.1:{port}", port, app_server.database, log)
        died = proc.poll() is not None
        _stop(proc)
        output = log.read_text(errors="replace") if log.exists() else ""
    finally:
        if proc is not None:
            _stop(proc)
        if log.exists():
            ARTIFACTS.mkdir(exist_ok=True)
            shutil.copyfile(log, ARTIFACTS / log.name)
    if died or "Traceback" in output:
        pytest.fail(
            "The next-day Streamlit server "
            + ("died during the tests" if died else "logged an error")
            + f" (test-artifacts/{log.name}); the last lines:\n{_tail_text(output)}",
            pytrace=False,
        )
