"""My account in a real browser: a nurse changes her own password in one tab; her session in
another browser ends (its next load shows the sign-in form and says why), a second tab of this
browser stays signed in, and the new password signs in.

The account is one of its own, added with `manage.py create-user` (as an admin would from the
command line), so the demo accounts the other browser tests sign in with keep their password.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess

from playwright.sync_api import Browser, Page, expect

from mild import messages
from tests.browser.conftest import (
    ROOT,
    SCREENS,
    TEST_PASSWORD,
    VIEWPORT,
    AppServer,
    _python,
    open_app,
    wait_for_app_idle,
)
from tests.browser.test_sign_in import (
    screenshot_whole_app,
    submit_sign_in,
    today_heading,
    username_input,
)

NEW_PASSWORD = "my-own-password-7"


def add_nurse(app_server: AppServer, username: str) -> None:
    """A nurse at the first demo office, with the demo password, added from the command line."""
    with sqlite3.connect(app_server.database) as conn:
        (code,) = conn.execute("SELECT code FROM office ORDER BY id LIMIT 1").fetchone()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{app_server.database}",
        "MILD_NEW_PASSWORD": TEST_PASSWORD,
    }
    subprocess.run(
        [_python(), "manage.py", "create-user", username, "--role", "nurse", "--offices", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=60,
    )


def signed_in(page: Page, app_server: AppServer, username: str, password: str) -> None:
    open_app(page, app_server.url("/"))
    submit_sign_in(page, username, password)
    expect(today_heading(page)).to_be_visible()
    wait_for_app_idle(page)


def fill_password_form(page: Page, current: str, new: str, repeat: str) -> None:
    page.get_by_label("Current password", exact=True).fill(current)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Repeat the new password", exact=True).fill(repeat)
    page.get_by_role("button", name="Change password", exact=True).click()


def test_changing_the_password_in_one_browser_ends_the_session_in_another(
    page: Page, app_server: AppServer, browser: Browser
) -> None:
    add_nurse(app_server, "pw.nurse")
    elsewhere = browser.new_context(viewport=VIEWPORT)
    other = elsewhere.new_page()
    signed_in(other, app_server, "pw.nurse", TEST_PASSWORD)
    signed_in(page, app_server, "pw.nurse", TEST_PASSWORD)
    second_tab = page.context.new_page()
    open_app(second_tab, app_server.url("/schedule"))
    expect(second_tab.get_by_role("heading", name="Daily schedule", exact=True)).to_be_visible()

    page.get_by_role("link", name=messages.ACCOUNT_LINK).click()
    expect(page.get_by_role("heading", name=messages.ACCOUNT_TITLE, exact=True)).to_be_visible()
    wait_for_app_idle(page)

    # Every problem at once, each beside its field.
    fill_password_form(page, "not-my-password", "short", "shorter")
    for message in (
        messages.ACCOUNT_CURRENT_WRONG,
        messages.PASSWORD_TOO_SHORT.format(n=8),
        messages.PASSWORDS_DIFFER,
    ):
        expect(page.get_by_text(message, exact=True)).to_be_visible()
    SCREENS.mkdir(parents=True, exist_ok=True)
    screenshot_whole_app(page, "account-refused-1280.png")

    fill_password_form(page, TEST_PASSWORD, NEW_PASSWORD, NEW_PASSWORD)
    expect(page.get_by_text(messages.ACCOUNT_PASSWORD_CHANGED_ONE, exact=True)).to_be_visible()
    wait_for_app_idle(page)
    page.set_viewport_size({"width": 768, "height": 1024})
    screenshot_whole_app(page, "account-changed-768.png")

    # The other browser's session is over: its next click shows the sign-in form, saying why.
    other.get_by_role("link", name="Schedule").click()
    expect(username_input(other)).to_be_visible()
    expect(other.get_by_text("password changed", exact=False)).to_be_visible()
    wait_for_app_idle(other)
    # This browser's other tab shares this session: still signed in.
    second_tab.reload()
    wait_for_app_idle(second_tab)
    expect(second_tab.get_by_role("heading", name="Daily schedule", exact=True)).to_be_visible()
    # The new password is the one that signs in now (back on the screen it was going to).
    submit_sign_in(other, "pw.nurse", NEW_PASSWORD)
    expect(other.get_by_role("heading", name="Daily schedule", exact=True)).to_be_visible()
    elsewhere.close()


def test_the_admin_tells_sessions_apart_by_browser_address_and_last_activity(
    page: Page, app_server: AppServer, browser: Browser
) -> None:
    add_nurse(app_server, "desk.nurse")
    desk = browser.new_context(viewport=VIEWPORT)
    signed_in(desk.new_page(), app_server, "desk.nurse", TEST_PASSWORD)
    signed_in(page, app_server, "admin", TEST_PASSWORD)

    open_app(page, app_server.url("/admin"))
    page.get_by_role("tab", name="Sessions").click()

    # Debian's chromium says "HeadlessChrome/<version>" on Linux; the server saw 127.0.0.1.
    line = page.get_by_text(
        re.compile(
            r"^Chrome \d+ on Linux · 127\.0\.0\.1 · signed in .+ · last active \d\d:\d\d "
            r"\((just now|1 minute ago)\)$"
        )
    )
    box = page.locator(".st-key-admin_sessions_" + str(user_id(app_server, "desk.nurse")))
    expect(box.get_by_text("desk.nurse", exact=False)).to_be_visible()
    expect(box.locator(line)).to_be_visible()
    wait_for_app_idle(page)
    screenshot_whole_app(page, "admin-sessions-1280.png")
    desk.close()


def user_id(app_server: AppServer, username: str) -> int:
    with sqlite3.connect(app_server.database) as conn:
        (found,) = conn.execute(
            "SELECT id FROM staff_user WHERE username = ?", (username,)
        ).fetchone()
    return found
