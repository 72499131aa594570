"""The idle lock in a real browser (issue 13): a nurse's tablet idle past the timeout locks in
place with no patient data on the page; her password opens it again on the same case, with
what she had typed still in its box."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from playwright.sync_api import Page, expect

from mild import messages
from tests.browser.conftest import TEST_PASSWORD, open_step_history, wait_for_app_idle
from tests.browser.test_fragment_race import (
    demo_with_cases_checked_in,
    open_case_with_a_plain_step,
)


@pytest.fixture(scope="module")
def watched_server():
    """The idle watch every 2 seconds: the lock shows without anyone touching the tablet."""
    yield from demo_with_cases_checked_in(2)


def idle_for(database, minutes: int) -> None:
    """Every open session last active `minutes` ago, as if the tablet sat untouched."""
    then = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
    with sqlite3.connect(database) as conn:
        conn.execute(
            "UPDATE user_session SET last_activity_at = ? WHERE ended_at IS NULL",
            (then.strftime("%Y-%m-%d %H:%M:%S.%f"),),
        )


def test_an_idle_tablet_locks_in_place_and_unlocks_on_the_same_case_with_typing_kept(
    page: Page, watched_server
):
    url, _, database, checked_in = watched_server
    code, step = open_case_with_a_plain_step(page, url, checked_in)
    box = page.locator(f".st-key-dayof_step_{step}")
    box.get_by_role("button", name="Mark done").click()
    expect(box.get_by_role("button", name="Mark done")).to_have_count(0)
    open_step_history(box)
    reason = box.get_by_label("Reason for un-ticking")
    reason.fill("Ticked for the wrong patient")
    reason.press("Tab")  # the value reaches the server, as when she looks away
    wait_for_app_idle(page)
    main = page.get_by_test_id("stMain")

    idle_for(database, 16)

    locked = page.get_by_role("heading", name=messages.SESSION_LOCKED_TITLE)
    expect(locked).to_be_visible(timeout=15_000)
    expect(main).not_to_contain_text(code)  # no patient data while locked
    expect(main).not_to_contain_text("Mark done")
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Unlock").click()
    expect(page.get_by_text(messages.UNLOCK_PASSWORD_WRONG)).to_be_visible()

    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Unlock").click()

    expect(locked).to_have_count(0)
    expect(page.get_by_role("heading", name="Day-of checklist")).to_be_visible()
    expect(box.get_by_label("Reason for un-ticking")).to_have_value("Ticked for the wrong patient")
    expect(main).to_contain_text(code)  # the same case, still open
