"""The day-of checklist on a 768x1024 tablet held in one hand (issue 13), in Chromium.

A case is booked for now at the nurse's first office (case number 88xxx), with an allergy, a
held anticoagulant and nothing ticked. The nurse taps its row in the day's table: the case opens
and the table folds away; the first "Mark done" is on the first screen; the one primary button
is the next step's; every tick button names its step (icon names are not part of any name);
every button is at least 44 px tall; scrolled down to the discharge phase, the case's bar is
still at the top of the screen. She ticks three steps with the primary button; it moves on to
the next step. axe-core finds nothing serious on the opened case. Screens land in
test-artifacts/screens/checklist-tablet-*.png at 768x1024 and 1280x800, before and after the
ticks.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest
from playwright.sync_api import Locator, Page, expect

from mild import messages
from mild.checklist import STEP_BY_KEY
from tests.browser.conftest import ROOT, SCREENS, AppServer, _python, wait_for_app_idle
from tests.browser.test_accessibility import describe, failing_violations
from tests.browser.test_procedure_day_journey import go_to, keyed, main, sign_in

TABLET = {"width": 768, "height": 1024}
DESK = {"width": 1280, "height": 800}
TAP_TARGET_PX = 44
ROW_PX = 44  # the day table's row height (ui.checklist.day)
NAV_BAR_PX = 60  # Streamlit's top navigation bar (3.75rem): the case's bar sticks under it

# The patient, booked for now at the nurse's first office (tests.builders, in the server's own
# database), printed back as "<case id> <case code>".
BOOK_A_CASE = """
import datetime as dt
from sqlalchemy import select
from db.models import Case, Office, Patient, StaffUser
from db.session import read_session, transaction
from mild.case_codes import case_code
from mild.cases import CaseStatus
from mild.intake import Condition
from tests.builders import add_condition, add_held_drug, arrange_escort, make_case, numbered_after
with read_session() as s:
    nurse = s.scalar(select(StaffUser).where(StaffUser.username == "nurse"))
    office = s.get(Office, min(o.id for o in nurse.offices))
    office_id, office_code = office.id, office.code
# The other tests of the session make cases in this database too: numbers of its own.
now = dt.datetime.now(dt.UTC)
with numbered_after(880000):
    case_id = make_case(office_id, CaseStatus.SCHEDULED, now, provider="Dr. Tab")
with transaction() as s:
    case = s.get(Case, case_id)
    patient = s.get(Patient, case.patient_id)
    patient.first_name, patient.last_name = "Tabitha", "Onehand"
    patient.date_of_birth = dt.date(1958, 6, 2)
    code = case.code = case_code(office_code, 88000 + case_id % 1000)
add_condition(case_id, Condition.LATEX_ALLERGY, "hives with gloves")
add_condition(case_id, Condition.SLEEP_APNEA)
three_days_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=80)
add_held_drug(case_id, "apixaban", last_dose_taken_at=three_days_ago)
arrange_escort(case_id, "Tom Onehand", "Spouse", "(555) 201-7788")
print(case_id, code)
"""
PATIENT = "Onehand, Tabitha"

# The forms' own buttons say their step in their own words; every other tick button is
# "<what it does> · <the step's label>".
FORM_BUTTONS = {
    "discharge_score": "Record discharge score",
    "escort_confirmed": "Confirm escort in person",
    "instructions_given": messages.INSTRUCTIONS_GIVEN_BUTTON,
    "level_side_confirmed": messages.LEVEL_SIDE_AS_BOOKED_BUTTON,
    "discharged": "Discharge patient",
}


@pytest.fixture
def booked(app_server: AppServer) -> tuple[int, str]:
    made = subprocess.run(
        [_python(), "-c", BOOK_A_CASE],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{app_server.database}"},
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    case_id, code = made.stdout.split()
    return int(case_id), code


def shoot(page: Page, name: str) -> None:
    """The screen as it is at 768x1024 and at 1280x800 (scrolled to the top)."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    for size, label in ((TABLET, "768x1024"), (DESK, "1280x800")):
        page.set_viewport_size(size)
        wait_for_app_idle(page)
        main(page).evaluate("m => m.scrollTo(0, 0)")
        page.mouse.move(0, size["height"] - 1)  # no hover toolbars in the picture
        page.wait_for_timeout(300)
        page.screenshot(path=str(SCREENS / f"checklist-tablet-{name}-{label}.png"))
    page.set_viewport_size(TABLET)
    wait_for_app_idle(page)


def tick_buttons(page: Page, case_id: int) -> dict[str, Locator]:
    """Every tick button drawn, by the step it ticks."""
    prefix = f"st-key-dayof_tick_{case_id}_"
    found = {}
    for box in main(page).locator(f"[class*='{prefix}']").all():
        key = next(c for c in box.get_attribute("class").split() if c.startswith(prefix))
        found[key.removeprefix(prefix)] = box.get_by_role("button")
    return found


def names_its_step(step: str, button: Locator) -> None:
    wanted = FORM_BUTTONS.get(step) or STEP_BY_KEY[step].label
    expect(button).to_have_accessible_name(re.compile(re.escape(wanted)))


# The day table (Glide draws its rows on a canvas) scrolled within itself until the row holding
# `text` is drawn, then to that row; where the middle of the row is on the screen (null: no
# row holds it). A table of more rows than it shows scrolls: counting rows up from its bottom
# edge taps another case's row then.
ROW_MIDDLE_JS = """async (table, [text, rowPx]) => {
    const scroller = table.querySelector('.dvn-scroller');
    const drawn = () => new Promise(r => setTimeout(r, 150));  // a scroll's cells drawn
    const cell = () => [...table.querySelectorAll('td[role="gridcell"]')]
        .find(c => c.innerText.trim() === text);
    scroller.scrollTop = 1;  // its cells for assistive technology are drawn on a first scroll
    const step = Math.max(20, scroller.clientHeight / 2);  // a folded grid: no endless loop
    for (let top = 0; !cell() && top < scroller.scrollHeight; top += step) {
        scroller.scrollTop = top;
        await drawn();
    }
    if (!cell()) return null;
    const row = Number(cell().id.split('-').pop());  // glide-cell-<column>-<row>
    const rows = Number(table.querySelector('[role="grid"]').getAttribute('aria-rowcount')) - 1;
    const header = scroller.scrollHeight - rows * rowPx;
    scroller.scrollTop = row * rowPx;
    await drawn();
    const box = scroller.getBoundingClientRect();
    const y = box.top + header + (row + 0.5) * rowPx - scroller.scrollTop;
    return {x: box.left + box.width / 2, y};
}"""


def the_confirmation_leaves_the_user_bar_free(page: Page) -> None:
    """A tick's confirmation (a toast) shows at the bottom of the screen, clear of My account
    and Sign out (at the top it covered them for its few seconds)."""
    toast = page.get_by_test_id("stToast").first
    expect(toast).to_be_visible()
    sign_out = page.get_by_role("button", name="Sign out", exact=True)
    shown, bar = toast.bounding_box(), sign_out.bounding_box()
    assert shown is not None and bar is not None
    assert shown["y"] >= bar["y"] + bar["height"], (shown, bar)
    assert shown["y"] + shown["height"] <= TABLET["height"], shown


def tap_row(page: Page, table: Locator, text: str) -> None:
    """A tap in the middle of the table's row holding `text`, scrolled to it first (Glide draws
    the rows on a canvas; its cells for assistive technology are not where they show)."""
    table.scroll_into_view_if_needed()
    middle = table.evaluate(ROW_MIDDLE_JS, [text, ROW_PX])
    assert middle is not None, f"{text} is not in the table"
    page.mouse.click(middle["x"], middle["y"])


def primary_buttons(page: Page) -> Locator:
    return main(page).get_by_test_id("stBaseButton-primary")


def open_phase(page: Page, label: str) -> Locator:
    summary = main(page).locator("summary").filter(has_text=f"{label} ·")
    if not summary.evaluate("s => s.parentElement.open"):
        summary.click()
    wait_for_app_idle(page)
    return summary


def test_a_nurse_runs_a_case_on_a_tablet_held_in_one_hand(
    page: Page, app_server: AppServer, booked: tuple[int, str]
) -> None:
    case_id, code = booked
    page.set_viewport_size(TABLET)
    sign_in(page, app_server, "nurse")
    go_to(page, "Checklist", "Day-of checklist", "checklist")

    # A tap on the case's row in the day's table opens it; the table then folds away.
    tap_row(page, main(page).get_by_test_id("stDataFrame").first, code)
    header = keyed(page, "dayof_header")
    expect(header).to_contain_text(PATIENT)
    wait_for_app_idle(page)
    expect(main(page).get_by_test_id("stDataFrame")).to_have_count(0)
    expect(main(page).get_by_role("combobox", name="Open a case", exact=True)).to_have_value(
        re.compile(re.escape(code))
    )
    # The bar: the allergy loud, the flags, the status and steps done.
    expect(header.get_by_test_id("stAlert")).to_contain_text(
        "Allergies: Latex allergy: hives with gloves"
    )
    expect(header).to_contain_text(messages.FLAG_ANTICOAGULANT_HELD.format(drugs="apixaban"))
    expect(header).to_contain_text("Sleep apnea")
    shoot(page, "01-opened")

    # The first "Mark done" on the first screen, and the only primary button the next step's.
    ticks = tick_buttons(page, case_id)
    first = ticks["checked_in"]
    box = first.bounding_box()
    assert box is not None and box["y"] + box["height"] <= TABLET["height"], box
    expect(primary_buttons(page)).to_have_count(1)
    expect(primary_buttons(page)).to_have_accessible_name("Mark done · Checked in")
    # Each tick button names its step; no icon's name is part of it.
    for step, button in ticks.items():
        names_its_step(step, button)
        expect(button).not_to_have_accessible_name(re.compile(r"check_box|^check\b"))
    unnamed = main(page).locator('span[role="img"][aria-label$=" icon"]:not([aria-hidden="true"])')
    expect(unnamed).to_have_count(0)

    # Scrolled down to the discharge phase, the case's bar is still at the top of the screen.
    discharge = open_phase(page, "Discharge")
    for step, button in tick_buttons(page, case_id).items():
        names_its_step(step, button)
    discharge.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(300)
    expect(discharge).to_be_in_viewport()
    scrolled = main(page).evaluate("m => m.scrollTop")
    assert scrolled > TABLET["height"], scrolled  # well past where the bar is drawn
    bar = header.bounding_box()
    assert bar is not None and abs(bar["y"] - NAV_BAR_PX) <= 2, bar
    on_top = page.evaluate(
        "([x, y]) => !!document.elementFromPoint(x, y)?.closest('.st-key-dayof_header')",
        [bar["x"] + 20, bar["y"] + 20],
    )
    assert on_top, "the case's bar is covered"
    expect(header).to_be_in_viewport()
    page.mouse.move(0, TABLET["height"] - 1)
    page.screenshot(path=str(SCREENS / "checklist-tablet-02-discharge-768x1024.png"))

    # Every button drawn is a 44 px tap target.
    buttons = main(page).locator("button[data-testid^='stBaseButton-']")
    short = [
        (b.inner_text()[:40], round(h["height"]))
        for b in buttons.all()
        if b.is_visible() and (h := b.bounding_box()) and h["height"] < TAP_TARGET_PX - 0.5
    ]
    assert not short, short

    # Three ticks with the primary button: the next step's button is always the one primary.
    main(page).evaluate("m => m.scrollTo(0, 0)")
    for step in ("checked_in", "identity_confirmed", "consent_signed"):
        expect(primary_buttons(page)).to_have_accessible_name(
            f"Mark done · {STEP_BY_KEY[step].label}"
        )
        primary_buttons(page).click()
        expect(keyed(page, f"dayof_step_{step}")).to_contain_text("Done · ")
        if step == "checked_in":
            the_confirmation_leaves_the_user_bar_free(page)
        wait_for_app_idle(page)
    expect(primary_buttons(page)).to_have_count(1)
    expect(primary_buttons(page)).to_have_accessible_name(
        f"{messages.SAVE_AND_MARK_DONE} · {STEP_BY_KEY['fasting_confirmed'].label}"
    )
    expect(header.get_by_test_id("stMetric").nth(1)).to_contain_text("3 of")
    shoot(page, "03-three-ticks")

    found = failing_violations(page)
    assert not found, "\n" + describe("nurse / checklist, a case open", found)
