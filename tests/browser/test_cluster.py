"""Two replicas behind nginx on one PostgreSQL, as `make cluster` runs them (scripts/cluster.py):
a tick saved through one replica shows on the board another replica serves; a lockout and a
sign-out made on one hold on the other; and when the replica a nurse is on is killed, a reload
finds her still signed in, served by the other one.

The database is a fresh one on the suite's throwaway PostgreSQL server (TEST_DATABASE_URL_
POSTGRESQL, scripts/with-test-postgres.sh), seeded with the demo. The route cookie the proxy sets
says which replica served a browser; setting it beforehand pins a browser to one.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from db.models import Case, StaffUser
from db.session import dispose_engines, read_session
from mild import messages
from mild.cases import CaseStatus
from mild.sessions import COOKIE_NAME, policy_from
from scripts.cluster import NGINX, ROOT, ROUTE_COOKIE, Cluster, running, seed_demo
from tests.browser.conftest import (
    ARTIFACTS,
    TEST_PASSWORD,
    TIMEOUT_MS,
    VIEWPORT,
    open_app,
    wait_for_app_idle,
)
from tests.browser.test_procedure_day_journey import choose, go_to, keyed, main, reveal
from tests.browser.test_sessions import sign_out_button
from tests.browser.test_sign_in import submit_sign_in, today_heading, username_input
from tests.builders import make_case
from tests.conftest import new_postgres_database

LOCKOUT_FAILURES = 2  # a username locks after two wrong passwords, in this cluster
BOARD_REFRESH_S = 15  # ui.board.BOARD_REFRESH_SECONDS


@dataclass(frozen=True)
class Scheduled:
    """A case booked to start now at the nurse's first office, not yet checked in."""

    code: str
    office: str  # "Name (CODE)", as the pickers show it
    office_code: str


def _nginx() -> Path:
    """Debian's nginx; installed here if it is missing and can be (make system-deps)."""
    if not NGINX.exists():
        done = subprocess.run(
            ["make", "--no-print-directory", "system-deps", "SYSTEM_PACKAGES=nginx"],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if not NGINX.exists():
            pytest.skip(
                f"nginx is not installed at {NGINX} and `make system-deps` could not install "
                f"it:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
            )
    return NGINX


def _scheduled_now(database_url: str) -> Scheduled:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", database_url)
        try:
            with read_session() as s:
                nurse = s.scalar(select(StaffUser).where(StaffUser.username == "nurse"))
                office = nurse.offices[0]
                office_id, office_name, office_code = office.id, office.name, office.code
            case_id = make_case(office_id, CaseStatus.SCHEDULED, dt.datetime.now(dt.UTC))
            with read_session() as s:
                code = s.get(Case, case_id).code
        finally:
            dispose_engines()
    return Scheduled(code, f"{office_name} ({office_code})", office_code)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cluster, Scheduled]]:
    _nginx()
    database_url, drop = new_postgres_database("cluster")
    env = {
        **os.environ,
        "DEMO_PASSWORD": TEST_PASSWORD,
        "MILD_LOCKOUT_FAILURES": str(LOCKOUT_FAILURES),
        "MILD_NOTIFY_SECONDS": "0",
    }
    workdir = tmp_path_factory.mktemp("cluster")
    try:
        seed_demo(database_url, env)
        case = _scheduled_now(database_url)
        with running(database_url, workdir, replicas=2, env=env) as started:
            yield started, case
        logs = {r.name: r.log.read_text(errors="replace") for r in started.replicas}
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        for log in workdir.glob("*.log"):
            (ARTIFACTS / f"cluster-{log.name}").write_bytes(log.read_bytes())
        drop()
    failed = [name for name, text_ in logs.items() if "Traceback" in text_]
    assert not failed, f"replicas {failed} logged an error (test-artifacts/cluster-*.log)"


def route(page: Page) -> str:
    """The replica that served this browser last, as the proxy's route cookie names it."""
    (value,) = [c["value"] for c in page.context.cookies() if c["name"] == ROUTE_COOKIE]
    return value


def other(cluster: Cluster, name: str) -> str:
    (found,) = [r.name for r in cluster.replicas if r.name != name]
    return found


@contextmanager
def browser_on(browser: Browser, cluster: Cluster, replica: str, cookies=()) -> Iterator[Page]:
    """A new browser whose route cookie pins it to `replica` (plus any `cookies`)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(TIMEOUT_MS)
    pin = {"name": ROUTE_COOKIE, "value": replica, "url": cluster.proxy.url}
    context.add_cookies([pin, *cookies])
    try:
        yield context.new_page()
    finally:
        context.close()


def signed_in(page: Page, cluster: Cluster, username: str = "nurse") -> None:
    open_app(page, cluster.proxy.url + "/")
    submit_sign_in(page, username, TEST_PASSWORD)
    expect(today_heading(page)).to_be_visible()
    wait_for_app_idle(page)


def board_row(page: Page, case: Scheduled):
    office = keyed(page, f"board_office_{case.office_code}")  # one Markdown table per office
    return office.locator("tr").filter(has=page.locator("td").filter(has_text=case.code))


def check_in(page: Page, case: Scheduled) -> None:
    """On the day-of checklist: the case opened, its check-in ticked."""
    go_to(page, "Checklist", "Day-of checklist", "checklist")
    area = main(page)
    if area.get_by_role("combobox", name="Office", exact=True).input_value() != case.office:
        choose(page, area, "Office", case.office)
    picker = area.get_by_role("combobox", name="Open a case", exact=True)
    picker.click()
    picker.fill(case.code)
    page.get_by_role("option").filter(has_text=case.code).first.click()
    wait_for_app_idle(page)
    box = reveal(page, "checked_in")
    box.get_by_role("button", name="Mark done").click()
    expect(box.get_by_role("button", name="Mark done")).to_have_count(0)
    expect(box).to_contain_text("Demo Nurse")


def test_a_check_in_saved_through_one_replica_shows_on_the_board_the_other_serves(
    page: Page, browser: Browser, cluster
):
    started, case = cluster
    signed_in(page, started)
    nurse_on = route(page)
    with browser_on(browser, started, other(started, nurse_on)) as board:
        signed_in(board, started)
        go_to(board, "Board", "Status board", "board")
        expect(board_row(board, case)).to_contain_text(CaseStatus.SCHEDULED.label)
        assert route(board) == other(started, nurse_on)  # served by the other replica

        check_in(page, case)
        assert route(page) == nurse_on

        # The board's next refresh on the other replica reads it fresh from the database.
        expect(board_row(board, case)).to_contain_text(
            CaseStatus.CHECKED_IN.label, timeout=(BOARD_REFRESH_S + 10) * 1000
        )
        assert route(board) == other(started, nurse_on)


def test_a_lockout_and_a_sign_out_on_one_replica_hold_on_the_other(browser: Browser, cluster):
    started, _case = cluster
    first, second = (r.name for r in started.replicas)
    locked = messages.SIGN_IN_LOCKED.format(minutes=policy_from(os.environ).lockout_minutes)
    with browser_on(browser, started, first) as guesser:
        open_app(guesser, started.proxy.url + "/")
        for attempt in range(1, LOCKOUT_FAILURES + 1):
            submit_sign_in(guesser, "manager", "not-the-password")
            # Each refusal seen before the next try: two quick submits could merge into one.
            said = locked if attempt == LOCKOUT_FAILURES else messages.SIGN_IN_FAILED
            expect(guesser.get_by_text(said)).to_be_visible()
            wait_for_app_idle(guesser)
        assert route(guesser) == first
    with browser_on(browser, started, second) as manager:
        open_app(manager, started.proxy.url + "/")
        submit_sign_in(manager, "manager", TEST_PASSWORD)  # the right password, on the other
        wait_for_app_idle(manager)
        expect(manager.get_by_text(locked)).to_be_visible()
        expect(today_heading(manager)).to_have_count(0)
        assert route(manager) == second

    with browser_on(browser, started, second) as nurse:
        signed_in(nurse, started)
        (session,) = [c for c in nurse.context.cookies() if c["name"] == COOKIE_NAME]
        # The same session opened through the first replica: the database knows it there too.
        with browser_on(browser, started, first, [session]) as same_session:
            open_app(same_session, started.proxy.url + "/schedule")
            expect(sign_out_button(same_session)).to_be_visible()
            assert route(same_session) == first

            sign_out_button(nurse).click()  # on the second replica
            expect(username_input(nurse)).to_be_visible()

            same_session.reload()  # its cookie is still there; the session is over
            wait_for_app_idle(same_session)
            expect(username_input(same_session)).to_be_visible()
            assert route(same_session) == first


def test_the_nurse_stays_signed_in_when_the_replica_she_is_on_is_killed(page: Page, cluster):
    started, _case = cluster
    signed_in(page, started)
    was_on = route(page)
    killed = started.replica(was_on)
    os.kill(killed.pid, signal.SIGKILL)
    killed.process.wait(timeout=10)

    page.reload()
    wait_for_app_idle(page)
    expect(today_heading(page)).to_be_visible()
    expect(sign_out_button(page)).to_be_visible()
    assert route(page) == other(started, was_on)  # the proxy moved her, and she stays there
    go_to(page, "Schedule", "Daily schedule", "schedule")
    assert route(page) == other(started, was_on)
