"""A timed fragment crossing clicks (issue 12): with the idle-timeout watch rerunning every
second, a nurse presses "Mark done" step after step; the server logs no traceback (Streamlit's
`dictionary changed size during iteration` in SessionState._call_callbacks was seen once when
a timed fragment crossed a click while a second script run started beside the first) and every
press lands."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    ROOT,
    TEST_PASSWORD,
    _python,
    _start_server,
    _stop,
    open_app,
    open_step_history,
    wait_for_app_idle,
)
from tests.browser.test_sign_in import submit_sign_in

PRESSES = 30
# Arrival steps with nothing but a tick (no time kept, nothing required, no form): open and
# shown on a case just checked in, whatever phase the page unfolds.
PLAIN = {"identity_confirmed", "consent_signed", "vitals_recorded", "iv_placed"}


@pytest.fixture(scope="module")
def ticking_server():
    """A seeded demo served with the idle watch firing every second."""
    tmp = Path(tempfile.mkdtemp(prefix="mild-race-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp / 'demo.db'}",
        "DEMO_PASSWORD": TEST_PASSWORD,
        "MILD_IDLE_CHECK_SECONDS": "1",
        "MILD_NOTIFY_SECONDS": "0",
        "PYTHONUNBUFFERED": "1",
    }
    subprocess.run(
        [_python(), "manage.py", "seed", "--offices", "2", "--years", "0.1"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    # A case checked in now at each of the nurse's offices, whatever the hour the demo was
    # seeded (by evening the demo's day is all done): its plain steps are open to tick.
    made = subprocess.run(
        [_python(), "-c", CHECKED_IN_CASES],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    log = tmp / "server.log"
    proc, port = _start_server(env, log)
    yield f"http://127.0.0.1:{port}", log, tmp / "demo.db", made.stdout.split()
    _stop(proc)


CHECKED_IN_CASES = """
import datetime as dt
from sqlalchemy import select
from db.models import Case, StaffUser
from db.session import read_session
from mild.cases import CaseStatus
from tests.builders import make_case
with read_session() as s:
    nurse = s.scalar(select(StaffUser).where(StaffUser.username == "nurse"))
    offices = [o.id for o in nurse.offices]
for office in offices:
    case_id = make_case(office, CaseStatus.CHECKED_IN, dt.datetime.now(dt.UTC))
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
        box.get_by_role("button", name="Mark done").click()
        wait_for_app_idle(page)
        if box.get_by_role("button", name="Mark done").count() == 0:
            open_step_history(box)
            box.get_by_label("Reason for un-ticking").fill("Start of the test")
            box.get_by_role("button", name="Un-tick").click()
            expect(box.get_by_role("button", name="Mark done")).to_have_count(1)
            wait_for_app_idle(page)
            return step
    return None


def test_a_timed_fragment_crossing_clicks_never_fails_a_run(page: Page, ticking_server):
    url, log, database, checked_in = ticking_server
    open_app(page, url + "/")
    submit_sign_in(page, "nurse", TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    open_app(page, url + "/checklist")
    wait_for_app_idle(page)
    main = page.get_by_test_id("stMain")
    picker = main.get_by_role("combobox", name="Open a case", exact=True)
    picker.click()
    listed = [o.inner_text().rsplit(" · ", 1)[-1] for o in page.get_by_role("option").all()]
    codes = [c for c in checked_in if c in listed] + listed
    page.keyboard.press("Escape")

    pressed = 0
    step = None
    for code in codes:  # a case with a plain step to tick
        picker.click()
        picker.fill(code)
        page.get_by_role("option").filter(has_text=code).first.click()
        wait_for_app_idle(page)
        step = first_plain_step(page)
        if step is not None:
            break
    assert step is not None, "the demo's day offers a step to tick"
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
    with sqlite3.connect(database) as conn:
        rows = conn.execute(
            "SELECT COUNT(*) FROM checklist_entry e JOIN mild_case c ON c.id = e.case_id"
            " WHERE c.code = ? AND e.step = ?",
            (code, step),
        ).fetchone()[0]
    assert rows == PRESSES + 2  # with the start's tick and un-tick
    assert not main.get_by_test_id("stException").count()
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text[-3000:]
