"""The session cookie in a real browser: HttpOnly and SameSite=Strict, a reload and a second
tab stay signed in, sign-out ends the session for every tab and the old cookie opens nothing."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from mild.sessions import COOKIE_NAME
from tests.browser.conftest import TEST_PASSWORD, AppServer, open_app, wait_for_app_idle
from tests.browser.test_sign_in import submit_sign_in, today_heading, username_input


def sign_out_button(page: Page):
    return page.get_by_role("button", name="Sign out", exact=True)


def test_the_session_cookie_survives_a_reload_and_a_second_tab_and_dies_at_sign_out(
    page: Page, app_server: AppServer, browser: Browser
):
    open_app(page, app_server.url())
    submit_sign_in(page, "nurse", TEST_PASSWORD)
    expect(today_heading(page)).to_be_visible()
    wait_for_app_idle(page)

    (cookie,) = [c for c in page.context.cookies() if c["name"] == COOKIE_NAME]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and cookie["path"] == "/"
    assert COOKIE_NAME not in page.evaluate("document.cookie")  # no script can read it

    page.reload()
    wait_for_app_idle(page)
    expect(today_heading(page)).to_be_visible()
    expect(sign_out_button(page)).to_be_visible()

    second = page.context.new_page()
    open_app(second, app_server.url("/schedule"))
    expect(second.get_by_role("heading", name="Daily schedule", exact=True)).to_be_visible()

    sign_out_button(page).click()
    expect(username_input(page)).to_be_visible()
    assert COOKIE_NAME not in {c["name"] for c in page.context.cookies()}

    # The other tab: reloaded, its cookie is gone and the session over.
    second.reload()
    wait_for_app_idle(second)
    expect(username_input(second)).to_be_visible()

    # A copy of the old cookie, replayed in another browser, opens nothing.
    thief = browser.new_context()
    thief.add_cookies([{**cookie, "sameSite": "Strict"}])
    stolen = thief.new_page()
    open_app(stolen, app_server.url())
    expect(username_input(stolen)).to_be_visible()
    thief.close()
