"""In a real browser: the coordinator prints today's day sheet for an outage from the schedule
and gets a PDF of the office's day with a downtime checklist per case; the manager reads the
Safety tab and the comparison's targets in words; a nurse opens a case from the pre-op call
worklist by its row and records a call."""

from __future__ import annotations

import datetime as dt
import io
import re
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from mild import messages
from mild.cases import CaseStatus
from tests.browser.conftest import (
    TEST_PASSWORD,
    AppServer,
    grid_texts,
    open_app,
    wait_for_app_idle,
)
from tests.browser.test_procedure_day_journey import type_date
from tests.browser.test_sign_in import submit_sign_in


def signed_in(
    page: Page, server: AppServer, username: str, path: str, landing: str = "Today"
) -> None:
    """Signed in from the front page (which lands on `landing`), then at `path`."""
    open_app(page, server.url())
    submit_sign_in(page, username, TEST_PASSWORD)
    expect(page.get_by_role("heading", name=landing, exact=True)).to_be_visible()
    wait_for_app_idle(page)
    open_app(page, server.url(path))
    wait_for_app_idle(page)


def test_the_coordinator_downloads_todays_day_sheet_as_a_pdf(page: Page, app_server: AppServer):
    signed_in(page, app_server, "coordinator", "/schedule")
    expect(page.get_by_role("heading", name="Daily schedule", exact=True)).to_be_visible()

    page.get_by_role("button", name=messages.SHEET_PREPARE).click()
    wait_for_app_idle(page)
    with page.expect_download() as waiting:
        page.get_by_role("button", name=messages.SHEET_DOWNLOAD).click()
    download = waiting.value

    named = re.fullmatch(
        r"day-sheet-([A-Z0-9]+)-(\d{4}-\d{2}-\d{2})\.pdf", download.suggested_filename
    )
    assert named is not None, download.suggested_filename
    pdf = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    # Every case of the office's day it names, and a downtime checklist for each not cancelled
    # (counted in the database: past the office's midnight "today" is another day of the demo,
    # with cases of its own, or none).
    listed = cases_on(app_server, named[1], dt.date.fromisoformat(named[2]))
    going_ahead = [code for code, status in listed if status != CaseStatus.CANCELLED]
    assert "Day sheet · " in text and f"The day's cases ({len(listed)})" in text
    assert text.count("Downtime checklist") == len(going_ahead)
    if going_ahead:
        assert "Hard stop: not before" in text
    if not listed:
        assert messages.SHEET_NO_CASES in text


def test_the_manager_reads_the_safety_tab_and_the_targets_in_words(
    page: Page, app_server: AppServer
):
    signed_in(page, app_server, "manager", "/metrics")
    main = page.get_by_test_id("stMain")
    expect(main.get_by_text("KPIs on, near and off target, by office")).to_be_visible()

    page.get_by_role("tab", name="Safety").click()
    wait_for_app_idle(page)

    expect(page.get_by_role("heading", name="Safety events")).to_be_visible()
    expect(main.get_by_text("ASC-1 to ASC-4 per 1,000 admissions")).to_be_visible()
    expect(main.get_by_text("Every event in the range")).to_be_visible()


def office_cases(
    server: AppServer, office_code: str, status: str | None = None
) -> tuple[ZoneInfo, list[tuple[dt.date, str, str]]]:
    """The office's time zone, and its booked cases (in `status`, if given) in start order:
    each one's day in the office's time, its code and its status."""
    with sqlite3.connect(server.database) as conn:
        zone, *_ = conn.execute(
            "SELECT timezone FROM office WHERE code = ?", (office_code,)
        ).fetchone()
        rows = conn.execute(
            "SELECT c.scheduled_start, c.code, c.status FROM mild_case c"
            " JOIN office o ON o.id = c.office_id"
            " WHERE o.code = ? AND c.scheduled_start IS NOT NULL AND (? IS NULL OR c.status = ?)"
            " ORDER BY c.scheduled_start",
            (office_code, status, status),
        ).fetchall()
    tz = ZoneInfo(zone)
    local = [
        (dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC).astimezone(tz).date(), code, st)
        for start, code, st in rows
    ]
    return tz, local


def cases_on(server: AppServer, office_code: str, day: dt.date) -> list[tuple[str, str]]:
    """The office's cases of its local `day`, whatever their status: (code, status)."""
    _, cases = office_cases(server, office_code)
    return [(code, status) for on, code, status in cases if on == day]


def next_booked_day(server: AppServer, office_code: str) -> tuple[dt.date, str]:
    """The office's first day after tomorrow with a case still booked, in its own time, and
    that case's code."""
    tz, cases = office_cases(server, office_code, CaseStatus.SCHEDULED)
    tomorrow = dt.datetime.now(tz).date() + dt.timedelta(days=1)
    for day, code, _ in cases:
        if day > tomorrow:
            return day, code
    raise AssertionError("the demo books cases two weeks ahead")


def test_the_nurse_opens_a_case_from_the_pre_op_worklist_and_records_a_call(
    page: Page, app_server: AppServer
):
    signed_in(page, app_server, "nurse", "/schedule")
    office = page.get_by_test_id("stSelectbox").first.locator("input").input_value()
    day, code = next_booked_day(app_server, re.search(r"\(([A-Z0-9]+)\)", office).group(1))
    # The day before the booked one: the worklist made then holds the case.
    before = day - dt.timedelta(days=1)
    type_date(page.get_by_test_id("stMain"), "Day", before)
    for part, shown in (("month", f"{before:%m}"), ("day", f"{before:%d}")):
        typed = page.get_by_role("spinbutton", name=f"{part}, Day", exact=True)
        expect(typed).to_have_text(shown)
    wait_for_app_idle(page)
    page.get_by_role("tab", name=re.compile(r"^Pre-op calls")).click()
    wait_for_app_idle(page)

    # A row of the worklist opens its case (the grid is a canvas: click the row's selector).
    grid = page.locator(".st-key-preop_worklist [data-testid='stDataFrame']")
    expect(grid).to_be_visible()
    rows = grid_texts(grid)  # the grid draws its cells on a canvas
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 12, box["y"] + 35 + 17)
    wait_for_app_idle(page)
    panel = page.locator(".st-key-preop_case_panel")
    expect(panel).to_be_visible()
    opened = panel.get_by_role("heading").first.inner_text().split(" · ")[0]
    assert code in rows, (code, rows)  # the worklist of the day before holds the booked case
    assert opened in rows, (opened, rows)  # the case opened is a row of it

    panel.get_by_text("Left a voicemail", exact=True).click()
    wait_for_app_idle(page)
    panel.get_by_role("button", name="Save call").click()
    wait_for_app_idle(page)

    expect(page.get_by_text(f"Call recorded for {opened}: Left a voicemail.")).to_be_visible()
    expect(page.locator(".st-key-preop_history")).to_be_visible()
