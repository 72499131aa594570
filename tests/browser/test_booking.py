"""Booking beside the provider's day in Chromium, on the seeded demo: a coordinator opens an
unbooked case in intake, chooses a provider, asks for the next free slot (the day and start are
set and the day is drawn with its cases and free slots), taps another free slot and books it;
then moves an upcoming demo case on the schedule to the provider's next free slot.

Screens land in test-artifacts/screens/booking-*.png at 1280x800 and 768x1024 (one screenful,
scrolled to the provider's day), and the whole booking tab at 1280 px.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect

from mild import messages
from tests.browser.conftest import SCREENS, AppServer, wait_for_app_idle
from tests.browser.test_accessibility import describe, failing_violations
from tests.browser.test_procedure_day_journey import (
    choose,
    go_to,
    keyed,
    main,
    open_tab,
    sign_in,
    type_date,
)
from tests.browser.test_sign_in import screenshot_whole_app

SIZES = ({"width": 1280, "height": 800}, {"width": 768, "height": 1024})
NEXT_FREE = messages.NEXT_FREE_BUTTON.format(minutes=60)
FOUND = re.compile(r"Next free slot: (\w{3} \d{2} \w{3} \d{4}) (\d{2}:\d{2}) \w+\.")


# Scroll the app so an element is at the top, below the navigation bar (about 60 px tall).
TO_THE_TOP = """el => {
    el.scrollIntoView({block: "start"});
    document.querySelector('[data-testid="stMain"]').scrollBy(0, -72);
}"""


def shoot_screens(page: Page, name: str, top: Locator) -> None:
    """One screenful at each size, `top` at its top: booking-<name>-<w>x<h>.png."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    assert viewport is not None
    for size in SIZES:
        page.set_viewport_size(size)
        wait_for_app_idle(page)
        top.evaluate(TO_THE_TOP)
        page.mouse.move(0, size["height"] - 1)  # no hover toolbars or tooltips in the picture
        expect(page.get_by_role("tooltip")).to_have_count(0)
        page.screenshot(path=str(SCREENS / f"booking-{name}-{size['width']}x{size['height']}.png"))
    page.set_viewport_size(viewport)


TAKEN = messages.FREE_SLOT_TAKEN.format(time="")


def slots(day_view: Locator, *, taken: bool) -> Locator:
    """The free slots offered (st.pills: a radio each): the one the form's start stands at
    (marked in its label), or the others."""
    marked = re.compile(f"^{re.escape(TAKEN)}")
    found = day_view.get_by_role("radio")
    return found.filter(has_text=marked) if taken else found.filter(has_not_text=marked)


def test_a_coordinator_books_a_free_slot_beside_the_providers_day(
    page: Page, app_server: AppServer
):
    sign_in(page, app_server, "coordinator")
    go_to(page, "Intake", "Intake", "intake")
    picker = main(page).get_by_role("combobox", name="Case", exact=True)
    picker.click()
    page.get_by_role("option", name=re.compile(r" · Intake · not booked$")).first.click()
    wait_for_app_idle(page)
    area = open_tab(page, "Booking")
    day_view = area.locator("[class*='st-key-intake_book_'][class*='_day_view']")
    provider = area.get_by_role("combobox", name="Provider", exact=True)
    wait_for_app_idle(page)
    if not provider.input_value():  # the request may have named one already
        provider.click()
        page.get_by_role("option").first.click()
        expect(provider).not_to_have_value("")
        wait_for_app_idle(page)
    name = provider.input_value()
    expect(day_view).to_contain_text(messages.DAY_VIEW_CHOOSE_DAY.format(button=f"“{NEXT_FREE}”"))
    area.get_by_role("button", name=NEXT_FREE).click()

    found = day_view.get_by_text(FOUND)
    expect(found).to_be_visible()
    day_text, start_text = FOUND.search(found.inner_text()).groups()
    day = dt.datetime.strptime(day_text, "%a %d %b %Y").date()
    expect(day_view).to_contain_text(f"{name}'s day at ")
    expect(day_view).to_contain_text(f"{day:%a %d %b %Y}")
    # The slot found is the one shown chosen; the day's table and slots read out properly.
    expect(slots(day_view, taken=True)).to_have_text(TAKEN + start_text)
    violations = failing_violations(page)
    assert not violations, describe("booking beside the provider's day", violations)
    tabs = main(page).get_by_role("tablist").last  # the case's tabs, the form below them
    shoot_screens(page, "intake-next-free", tabs)

    other = slots(day_view, taken=False).first
    start = other.inner_text()
    other.click()
    expect(slots(day_view, taken=True)).to_have_text(TAKEN + start)
    wait_for_app_idle(page)
    area.get_by_role("button", name="Book", exact=True).click()
    booked = f"Booked: {day:%a %d %b %Y} {start}"
    expect(area.get_by_text(re.compile(f"^{re.escape(booked)}"))).to_be_visible()
    expect(day_view).to_contain_text("(this case)")
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    wait_for_app_idle(page)
    shoot_screens(page, "intake-booked", tabs)
    screenshot_whole_app(page, "booking-intake-booked-1280.png")


def upcoming_case(server: AppServer) -> tuple[str, str, dt.date]:
    """A demo case booked two or more days ahead: its code, office ("Name (CODE)"), local day."""
    with sqlite3.connect(server.database) as db:
        code, office, office_code, tz, start = db.execute(
            "SELECT c.code, o.name, o.code, o.timezone, c.scheduled_start FROM mild_case c"
            " JOIN office o ON o.id = c.office_id"
            " WHERE c.status = 'scheduled' AND c.scheduled_start > ?"
            " ORDER BY c.scheduled_start LIMIT 1",
            ((dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S"),),
        ).fetchone()
    moment = dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC)
    return code, f"{office} ({office_code})", moment.astimezone(ZoneInfo(tz)).date()


def test_a_coordinator_moves_a_case_to_the_providers_next_free_slot(
    page: Page, app_server: AppServer
):
    code, office, day = upcoming_case(app_server)
    sign_in(page, app_server, "coordinator")
    go_to(page, "Schedule", "Daily schedule", "schedule")
    area = main(page)
    choose(page, area, "Office", office)
    type_date(area, "Day", day)
    wait_for_app_idle(page)
    expect(area.get_by_test_id("stDataFrame").first).to_contain_text(code)  # the day shown
    case = area.get_by_role("combobox", name="Case", exact=True)
    case.click()
    case.fill(code)
    page.get_by_role("option").filter(has_text=code).click()
    wait_for_app_idle(page)
    day_view = keyed(page, "sched_new_day_view")
    expect(day_view).to_contain_text(messages.DAY_VIEW_THIS_CASE.format(code=code))

    area.get_by_role("button", name=NEXT_FREE).click()
    found = day_view.get_by_text(FOUND)
    expect(found).to_be_visible()
    day_text, start_text = FOUND.search(found.inner_text()).groups()
    shoot_screens(page, "reschedule-next-free", case)
    area.get_by_role("button", name="Reschedule", exact=True).click()

    new_day = dt.datetime.strptime(day_text, "%a %d %b %Y").date()
    moved = messages.SCHED_RESCHEDULED.format(
        code=code, day=f"{new_day:%a %d %b %Y}", time=start_text
    )
    expect(area.get_by_text(moved)).to_be_visible()
