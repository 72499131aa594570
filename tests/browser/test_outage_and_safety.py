"""In a real browser: the coordinator prints today's day sheet for an outage from the schedule
and gets a PDF of the office's day with a downtime checklist per case; the manager reads the
Safety tab and the comparison's targets in words."""

from __future__ import annotations

import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect
from pypdf import PdfReader

from mild import messages
from tests.browser.conftest import TEST_PASSWORD, AppServer, open_app, wait_for_app_idle
from tests.browser.test_sign_in import submit_sign_in, today_heading


def signed_in(page: Page, server: AppServer, username: str, path: str) -> None:
    open_app(page, server.url())
    submit_sign_in(page, username, TEST_PASSWORD)
    expect(today_heading(page)).to_be_visible()
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

    assert re.fullmatch(r"day-sheet-[A-Z0-9]+-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    pdf = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Day sheet · " in text and "The day's cases (6)" in text
    assert text.count("Downtime checklist") == 6
    assert "Hard stop: not before" in text


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
