"""The Status board and its waiting-room display in a real browser: a case past a threshold
shows amber or red with its alert in words and its office header counts them; the display of
one office shows the waiting-room codes in large type and no case code or patient name, and a
colleague of that office ends it with her own password and is signed in on that screen.
Both pass axe (no serious or critical violation). Screenshots at 1280 and 768 px:
test-artifacts/screens/board-*.png."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from mild.waiting_codes import WAITING_CODE
from tests.browser.conftest import (
    SCREENS,
    TEST_PASSWORD,
    demo_server,
    open_app,
    wait_for_app_idle,
)
from tests.browser.test_accessibility import describe, failing_violations
from tests.browser.test_procedure_day_journey import choose, go_to, keyed, sign_in
from tests.browser.test_sign_in import screenshot_whole_app

WIDTHS = (1280, 768)
# At the nurse's first office, whatever the hour: a procedure 10 min past its plan (amber) and
# a recovery stay of 130 min (red), both checked in through the service (so each has its code).
ALERTED_CASES = """
import datetime as dt
from sqlalchemy import select
from db.models import Case, Office, StaffUser
from db.session import read_session, transaction
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.staff import Role
from services.common import Actor
from tests.builders import do_step, make_case

now = dt.datetime.now(dt.UTC)
with read_session() as s:
    nurse = s.scalar(select(StaffUser).where(StaffUser.username == "nurse"))
    office = min(o.id for o in nurse.offices)
    tz = s.get(Office, office).timezone
    actor = Actor(
        nurse.id, nurse.username, nurse.display_name, Role(nurse.role), frozenset([office])
    )
first_minute = at_local(tz, local_today(tz, now), dt.time(0, 1))
for status, column, minutes in (
    (CaseStatus.IN_PROCEDURE, "procedure_started_at", 70),
    (CaseStatus.RECOVERY, "recovery_in_at", 130),
):
    booked = max(now - dt.timedelta(minutes=minutes + 30), first_minute)
    case_id = make_case(office, CaseStatus.SCHEDULED, booked)
    do_step(case_id, "checked_in", actor)
    with transaction() as s:
        case = s.get(Case, case_id)
        case.status = status
        case.patient_in_room_at = booked
        setattr(case, column, now - dt.timedelta(minutes=minutes))
print(office)
"""


@pytest.fixture(scope="module")
def board_server():
    """A seeded demo (two offices) with the two alerted cases, served as `make run` does:
    (url, database, the office id)."""
    with demo_server(["--offices", "2", "--years", "0.1"], [ALERTED_CASES]) as (server, (made,)):
        yield server.base_url, server.database, int(made.split()[-1])


class Server:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def url(self, path: str = "/") -> str:
        return f"{self.base_url}/{path.lstrip('/')}"


def todays(database: Path, office: int) -> tuple[str, list[str], list[str], list[str]]:
    """The office's heading, and today's case codes, patient names and waiting-room codes."""
    with sqlite3.connect(database) as conn:
        name, code = conn.execute(
            "SELECT name, code FROM office WHERE id = ?", (office,)
        ).fetchone()
        rows = conn.execute(
            "SELECT c.code, p.first_name, p.last_name, c.waiting_code FROM mild_case c "
            "JOIN patient p ON p.id = c.patient_id WHERE c.office_id = ? "
            "AND c.scheduled_start >= ?",
            (office, (dt.datetime.now(dt.UTC) - dt.timedelta(days=1)).isoformat(" ")),
        ).fetchall()
    return (
        f"{name} ({code})",
        [r[0] for r in rows],
        [n for r in rows for n in (r[1], r[2])],
        [r[3] for r in rows if r[3]],
    )


def shoot(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": viewport["height"]})
        wait_for_app_idle(page)
        screenshot_whole_app(page, f"board-{name}-{width}.png")
    page.set_viewport_size(viewport)


def test_alerts_on_the_board_and_the_waiting_room_display_of_one_office(page: Page, board_server):
    base_url, database, office = board_server
    server = Server(base_url)
    heading, case_codes, names, waiting_codes = todays(database, office)
    sign_in(page, server, "nurse")
    go_to(page, "Board", "Status board", "board")
    main = page.get_by_test_id("stMain")
    choose(page, main, "Office", heading)
    box = main.locator("[class*='st-key-board_office_']")
    expect(box).to_have_count(1)

    # Amber and red, each in words beside its colour and icon; the header counts them.
    expect(box).to_contain_text(re.compile(r"Amber: 1\d min over plan"))
    expect(box).to_contain_text("Red: long recovery stay")
    expect(box).to_contain_text(re.compile(r"Alerts: \d+ \(\d+ red\)"))
    found = failing_violations(page)  # axe: the alerts' colours keep text contrast
    assert not found, "\n" + describe("board with alerts", found)
    shoot(page, "alerts")

    keyed(page, "board_display_start").get_by_role("button").click()
    expect(page.get_by_role("heading", name="Today's procedures", exact=True)).to_be_visible()
    wait_for_app_idle(page)
    wall = page.get_by_test_id("stMain")
    large = wall.locator(".katex-html")
    expect(large.first).to_be_visible()
    shown = [text.replace("\n", "").strip() for text in large.all_inner_texts()]
    assert shown and all(WAITING_CODE.fullmatch(code) for code in shown)
    assert set(shown) == set(waiting_codes)
    # Large type: every code at least 60 px tall (about 110 at \Huge), once KaTeX's style is in.
    page.wait_for_function(
        """() => {
            const codes = [...document.querySelectorAll('[data-testid=stMain] .katex-html')];
            return codes.length > 0 && codes.every(c => c.getBoundingClientRect().height >= 60);
        }"""
    )
    text = wall.inner_text()
    for secret in [*case_codes, *names]:
        assert secret not in text, f"{secret!r} on the waiting-room display"
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    found = failing_violations(page)
    assert not found, "\n" + describe("waiting-room display", found)
    shoot(page, "display")

    # A colleague of that office ends it with her own username and password.
    wall.get_by_text("Staff: end the waiting-room display").click()
    wall.get_by_label("Username", exact=True).fill("coordinator")
    wall.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    wall.get_by_role("button", name="Leave the display").click()
    expect(page.get_by_role("heading", name="Status board", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMain")).to_contain_text("Coordinator")
    wait_for_app_idle(page)
    page.reload()  # her own session cookie, traded for the ticket, keeps her signed in
    open_app(page, server.url("/board"))
    expect(page.get_by_role("heading", name="Status board", exact=True)).to_be_visible()
    expect(page.get_by_test_id("stMain")).to_contain_text("Coordinator")
