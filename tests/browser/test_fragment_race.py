"""A timed fragment crossing clicks (issue 12): with the idle-timeout watch rerunning every
second, a nurse presses "Mark done" step after step; the server logs no traceback (Streamlit's
`dictionary changed size during iteration` in SessionState._call_callbacks was seen once when
a timed fragment crossed a click while a second script run started beside the first) and every
press lands."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.browser.conftest import (
    TEST_PASSWORD,
    demo_server,
    open_app,
    open_step_history,
    wait_for_app_idle,
)
from tests.browser.test_sign_in import submit_sign_in, username_input

PRESSES = 30
# Arrival steps with nothing but a tick (no time kept, nothing required, no form): open and
# shown on a case just checked in, whatever phase the page unfolds.
PLAIN = {"identity_confirmed", "consent_signed", "vitals_recorded", "iv_placed"}


def demo_with_cases_checked_in(idle_check_seconds: int):
    """A seeded demo served with the idle watch firing every `idle_check_seconds`, and a case
    checked in now at each of the nurse's offices: (url, server log, database, case codes).
    Whatever the hour the demo was seeded (by evening the demo's day is all done), the
    checked-in cases' plain steps are open to tick."""
    with demo_server(
        ["--offices", "2", "--years", "0.1"],
        [CHECKED_IN_CASES],
        MILD_IDLE_CHECK_SECONDS=str(idle_check_seconds),
    ) as (server, (made,)):
        yield server.base_url, server.log, server.database, made.split()


@pytest.fixture(scope="module")
def ticking_server():
    """The idle watch firing every second: a timed fragment crossing every click."""
    yield from demo_with_cases_checked_in(1)


CHECKED_IN_CASES = """
import datetime as dt
from sqlalchemy import select
from db.models import Case, StaffUser
from db.session import read_session
from mild.cases import CaseStatus
from mild.staff import Role
from services.common import Actor
from tests.builders import do_step, make_case
with read_session() as s:
    nurse = s.scalar(select(StaffUser).where(StaffUser.username == "nurse"))
    offices = [o.id for o in nurse.offices]
    actor = Actor(
        nurse.id, nurse.username, nurse.display_name, Role(nurse.role), frozenset(offices)
    )
for office in offices:
    case_id = make_case(office, CaseStatus.SCHEDULED, dt.datetime.now(dt.UTC))
    do_step(case_id, "checked_in", actor)  # checked in, as a nurse does: the arrival steps open
    with read_session() as s:
        print(s.get(Case, case_id).code)
"""


OPEN_STEPS = """els => els
    .filter(e => [...e.querySelectorAll('button')]
        .some(b => b.innerText.includes('Mark done') && b.offsetParent !== null))
    .map(e => [...e.classList].find(c => c.startsWith('st-key-dayof_step_')))"""


def first_plain_step(page: Page) -> str | None:
    """The first step of the open case with a plain "Mark done" the rules let through, left
    open again (ticked, then un-ticked)."""
    boxes = page.get_by_test_id("stMain").locator("[class*='st-key-dayof_step_']")
    for name in boxes.evaluate_all(OPEN_STEPS):
        step = name.removeprefix("st-key-dayof_step_")
        if step not in PLAIN:
            continue
        box = page.locator(f".{name}")
        if not box.get_by_role("button", name="Mark done").is_visible():
            continue  # in a phase folded away
        mark, refused = box.get_by_role("button", name="Mark done"), box.get_by_test_id("stAlert")
        mark.click()
        deadline = time.monotonic() + 10  # done (the button gone) or refused beside the step
        while time.monotonic() < deadline and box.count() and mark.count() and not refused.count():
            page.wait_for_timeout(50)
        wait_for_app_idle(page)
        if box.count() and mark.count():
            continue  # refused by a rule
        if not box.count():  # the phase's last open step: the phase folded away, opened again
            page.locator("summary").filter(has_text="Arrival ·").click()
            expect(box).to_have_count(1)
        open_step_history(box)
        box.get_by_label("Reason for un-ticking").fill("Start of the test")
        box.get_by_role("button", name="Un-tick").click()
        expect(mark).to_have_count(1)
        wait_for_app_idle(page)
        return step
    return None


def open_case_with_a_plain_step(page: Page, url: str, checked_in: list[str]) -> tuple[str, str]:
    """The nurse signed in, a case opened on the checklist with a plain step to tick: the case
    code and the step."""
    open_app(page, url + "/")
    submit_sign_in(page, "nurse", TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    open_app(page, url + "/checklist")
    wait_for_app_idle(page)
    picker = page.get_by_test_id("stMain").get_by_role("combobox", name="Open a case", exact=True)
    picker.click()
    # The drop-down draws only the options in view (a virtual list): the cases checked in now
    # start last and may be below it on a busy day, so they are typed whether drawn or not.
    listed = [o.inner_text().rsplit(" · ", 1)[-1] for o in page.get_by_role("option").all()]
    codes = checked_in + [c for c in listed if c not in checked_in]
    page.keyboard.press("Escape")
    for code in codes:  # a case with a plain step to tick
        picker.click()
        picker.fill(code)
        option = page.get_by_role("option").filter(has_text=code).first
        try:
            option.wait_for(timeout=3_000)
        except PlaywrightTimeoutError:  # not on this office's day
            page.keyboard.press("Escape")
            continue
        option.click()
        # The case drawn (its header names it), not merely a quiet page: the app can look
        # idle before the run that draws the case has started.
        try:
            expect(page.get_by_test_id("stMain")).to_contain_text(f"Case {code}", timeout=10_000)
        except AssertionError:
            continue
        wait_for_app_idle(page)
        step = first_plain_step(page)
        if step is not None:
            return code, step
    raise AssertionError("the demo's day offers a step to tick")


def entries_of(database: Path, code: str, step: str) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute(
            "SELECT COUNT(*) FROM checklist_entry e JOIN mild_case c ON c.id = e.case_id"
            " WHERE c.code = ? AND e.step = ?",
            (code, step),
        ).fetchone()[0]


def test_a_timed_fragment_crossing_clicks_never_fails_a_run(page: Page, ticking_server):
    url, log, database, checked_in = ticking_server
    code, step = open_case_with_a_plain_step(page, url, checked_in)
    main = page.get_by_test_id("stMain")
    pressed = 0
    key = f"dayof_step_{step}"
    box = page.locator(f".st-key-{key}")
    # Tick, un-tick with a reason, tick again...: each press a callback, made as soon as the
    # previous one shows (not waiting for its run to end), while the one-second fragment keeps
    # rerunning beside them. A smoke test of a rare race: with fast reruns on it was seen once.
    while pressed < PRESSES:
        box.get_by_role("button", name="Mark done").click()
        expect(box.get_by_role("button", name="Mark done")).to_have_count(0, timeout=10_000)
        open_step_history(box)
        box.get_by_label("Reason for un-ticking").fill(f"Charted by mistake {pressed}")
        box.get_by_role("button", name="Un-tick").click()
        expect(box.get_by_role("button", name="Mark done")).to_have_count(1, timeout=10_000)
        pressed += 2
    wait_for_app_idle(page)

    # Every press landed: the step's history holds each tick and un-tick.
    assert entries_of(database, code, step) == PRESSES + 2  # with the start's tick and un-tick
    assert not main.get_by_test_id("stException").count()
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]


@pytest.fixture(scope="module")
def quiet_server():
    """The idle watch at a slow 10 minutes: only the checklist's own check can notice."""
    yield from demo_with_cases_checked_in(600)


def test_a_tick_after_the_session_ended_elsewhere_is_not_stored_and_signs_the_tab_out(
    page: Page, quiet_server
):
    """A tick reruns the checklist's fragment alone (issue 12), not the page's sign-in check:
    the fragment checks the session itself, and the write checks it again."""
    url, _, database, checked_in = quiet_server
    code, step = open_case_with_a_plain_step(page, url, checked_in)
    stored = entries_of(database, code, step)

    other = page.context.new_page()  # the same nurse signs out in another tab
    open_app(other, url + "/")
    other.get_by_role("button", name="Sign out", exact=True).click()
    expect(username_input(other)).to_be_visible()

    page.locator(f".st-key-dayof_step_{step}").get_by_role("button", name="Mark done").click()
    expect(username_input(page)).to_be_visible()
    assert entries_of(database, code, step) == stored
    expect(page.get_by_test_id("stMain")).not_to_contain_text("Mark done")
