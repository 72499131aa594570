"""Signing in, signing out and the sign-in gate, through the real form in a real browser."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from mild import messages
from tests.browser.conftest import (
    SCREENS,
    TEST_PASSWORD,
    AppServer,
    grid_texts,
    open_app,
    wait_for_app_idle,
)

CASE_CODE = re.compile(r"[A-Z0-9]{2,3}-\d{5}")
OFFICE_HEADING = re.compile(r"\([A-Z0-9]{2,12}\)$")

# username, name shown above the page, how many offices the home page shows (mild demo seed)
DEMO_ROLES = [
    ("nurse", "Demo Nurse", 2),
    ("coordinator", "Demo Coordinator", 3),
    ("manager", "Demo Manager", 3),
    ("admin", "Demo Admin", 3),
]


def today_heading(page: Page):
    return page.get_by_role("heading", name="Today", exact=True)


def username_input(page: Page):
    return page.get_by_label("Username", exact=True)


def password_input(page: Page):
    return page.get_by_label("Password", exact=True)


def office_names(page: Page):
    """The offices named in the rows of Today's table of counts, one row per office."""
    return page.locator('.st-key-home_offices td[role="gridcell"]').filter(has_text=OFFICE_HEADING)


def case_cells(page: Page):
    """Cells of the case tables (Glide renders an accessible table behind the canvas)."""
    return page.locator('[data-testid="stDataFrame"] td[role="gridcell"]').filter(
        has_text=CASE_CODE
    )


def submit_sign_in(page: Page, username: str, password: str) -> None:
    expect(username_input(page)).to_be_visible()
    username_input(page).fill(username)
    password_input(page).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_in(page: Page, app_server: AppServer, username: str) -> None:
    open_app(page, app_server.url("/"))
    submit_sign_in(page, username, TEST_PASSWORD)
    expect(today_heading(page)).to_be_visible()
    wait_for_app_idle(page)


def screenshot_whole_app(page: Page, name: str) -> None:
    """Save the whole app, not only the first screenful, to test-artifacts/screens/.

    Streamlit scrolls inside its main block, so full_page alone stops at the viewport: grow the
    viewport to the content's height for the shot (at most 4000 px), then restore it.
    """
    viewport = page.viewport_size
    assert viewport is not None
    page.mouse.move(0, viewport["height"] - 1)  # no hover toolbars in the picture
    main = page.get_by_test_id("stMain")
    height = main.evaluate("el => el.scrollHeight")
    page.set_viewport_size({"width": viewport["width"], "height": min(max(height, 900), 4000)})
    main.evaluate("el => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.screenshot(path=str(SCREENS / name), full_page=True)
    page.set_viewport_size(viewport)


def expect_only_the_sign_in_form(page: Page, app_server: AppServer) -> None:
    """The sign-in form and nothing behind it: no page, no office, no patient data."""
    expect(username_input(page)).to_be_visible()
    expect(password_input(page)).to_be_visible()
    expect(page.get_by_role("button", name="Sign in", exact=True)).to_be_visible()
    expect(today_heading(page)).to_have_count(0)
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    expect(office_names(page)).to_have_count(0)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(0)
    html = page.content()
    assert not CASE_CODE.search(html), f"case code in the signed-out page: {CASE_CODE.search(html)}"
    for heading in app_server.office_headings():
        name = heading.rsplit(" (", 1)[0]
        assert name not in html, f"office {name!r} named on the signed-out page"


@pytest.mark.parametrize(
    ("username", "display_name", "office_count"), DEMO_ROLES, ids=[r[0] for r in DEMO_ROLES]
)
def test_each_demo_role_signs_in_through_the_form_and_lands_on_today_for_its_offices(
    page: Page, app_server: AppServer, username: str, display_name: str, office_count: int
) -> None:
    sign_in(page, app_server, username)

    expected = sorted(app_server.office_headings()[:office_count])
    expect(office_names(page)).to_have_count(office_count)
    shown = sorted(h.strip() for h in office_names(page).all_inner_texts())
    assert shown == expected

    # Who is signed in, and the way out, are on the page itself, not in a folded sidebar.
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text(display_name)
    expect(main.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(username_input(page)).to_have_count(0)


def test_the_nurse_sees_cases_only_from_the_two_offices_she_works_at(
    page: Page, app_server: AppServer
) -> None:
    sign_in(page, app_server, "nurse")
    codes = [h.rsplit("(", 1)[1].rstrip(")") for h in app_server.office_headings()]
    mine, others = codes[:2], codes[2:]
    tables = page.get_by_test_id("stDataFrame")
    expect(tables).to_have_count(2)  # the counts and the cases
    expect(case_cells(page).first).to_be_attached()
    # Every row of the day's cases, those scrolled out of view too (other tests add cases).
    shown = {c for text in grid_texts(tables.nth(1)) for c in CASE_CODE.findall(text)}
    offices = {c.split("-")[0] for c in shown}
    assert offices == set(mine), f"cases from {offices - set(mine) or 'none of'} {others}"


@pytest.mark.parametrize(
    ("username", "password"),
    [("nurse", "not-the-password"), ("nobody-here", TEST_PASSWORD)],
    ids=["wrong password", "unknown username"],
)
def test_a_failed_sign_in_shows_the_sign_in_failed_message_and_no_today_page(
    page: Page, app_server: AppServer, username: str, password: str
) -> None:
    open_app(page, app_server.url("/"))
    submit_sign_in(page, username, password)

    expect(page.get_by_text(messages.SIGN_IN_FAILED, exact=True)).to_be_visible()
    wait_for_app_idle(page)
    expect_only_the_sign_in_form(page, app_server)


def test_signing_out_returns_to_the_sign_in_form(page: Page, app_server: AppServer) -> None:
    sign_in(page, app_server, "nurse")
    expect(page.get_by_test_id("stDataFrame")).to_have_count(2)

    page.get_by_role("button", name="Sign out", exact=True).click()

    expect(username_input(page)).to_be_visible()
    wait_for_app_idle(page)
    expect_only_the_sign_in_form(page, app_server)
    expect(page.get_by_text("Demo Nurse")).to_have_count(0)


@pytest.mark.parametrize("path", ["/", "/home", "/does-not-exist"])
def test_a_signed_out_visitor_opening_a_page_url_directly_sees_only_the_sign_in_form(
    page: Page, app_server: AppServer, path: str
) -> None:
    open_app(page, app_server.url(path))
    # An unknown path may also raise Streamlit's "Page not found" dialog; what matters is that
    # no page content or patient data is shown and the sign-in form is there.
    expect_only_the_sign_in_form(page, app_server)


def test_screenshots_of_the_sign_in_page_and_the_nurse_home_at_desktop_and_tablet_widths(
    page: Page, app_server: AppServer
) -> None:
    """For people to look at (test-artifacts/screens/); the only checks are that pages render."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 768):
        page.set_viewport_size({"width": width, "height": 900})
        page.context.clear_cookies()  # the session cookie would keep the nurse signed in
        open_app(page, app_server.url("/"))
        expect(username_input(page)).to_be_visible()
        screenshot_whole_app(page, f"sign-in-{width}.png")

        submit_sign_in(page, "nurse", TEST_PASSWORD)
        expect(today_heading(page)).to_be_visible()
        wait_for_app_idle(page)
        expect(page.get_by_test_id("stDataFrame")).to_have_count(2)
        expect(case_cells(page).first).to_be_attached()
        screenshot_whole_app(page, f"nurse-home-{width}.png")
