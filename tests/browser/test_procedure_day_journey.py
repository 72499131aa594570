"""The procedure day from consult request to escalation, through the real screens in Chromium.

A coordinator takes a consult request on Intake (the patient's anticoagulant given by its brand
name, Eliquis, and held as apixaban), books it for later today with its levels and side, and
records the last dose the patient reports at intake; a nurse runs the day-of
checklist: a check-in time corrected from the step's history (who and why kept), a last dose
reported this morning refused at anesthesia start naming the drug, the dose and the required
stop until it is corrected, each time-out item confirmed (level and side shown from the
booking), the discharge-instructions PDF prepared and downloaded, discharge refused until the
escort is confirmed in person; the next day the nurse's call finds red flags, and the
escalation shows on the Status board and the Schedule. A second test takes a case of the demo's
day in the recovery room: a taxi or rideshare driver alone is refused as its escort with the
reason, and the attending physician's exemption is recorded and shown.

"Today" is always possible: the booking goes to one of the nurse's offices at the first free
quarter hour of that office's own day for one of its providers (read from the demo database
beforehand). Her two demo offices are an hour apart (New York, Chicago), so whatever the hour
one of them has a start left today. The next-day part runs on a second server over the same
database whose clock reads 25 hours later (conftest.next_day_server): the app itself has no
clock setting and gets none for tests; its worklist lists calls only once they are due.

Screens land in test-artifacts/screens/journey-*.png at 1280 px, some at 768 px as well; the new
checklist parts also as a 768x1024 tablet sees them (journey-*-768x1024.png).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import sqlite3
import subprocess
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from mild import messages
from mild.booking import BookedSlot, first_clash
from mild.cases import CaseStatus
from mild.checklist import PHASE_LABELS, STEP_BY_KEY
from mild.days import age_on
from mild.discharge import DISCHARGE_COMPONENTS, RIDESHARE, DischargeScale
from mild.event_times import moment_text, time_text
from mild.followup import RedFlag
from mild.intake import CONDITION_SHORT_NAMES, Condition, required_clearances
from mild.medications import DEFAULT_HOLD_TABLE, restart_text, stop_text
from mild.scores import ODI_SECTIONS
from tests.browser.conftest import (
    ARTIFACTS,
    ROOT,
    SCREENS,
    TEST_PASSWORD,
    AppServer,
    _python,
    open_app,
    open_step_history,
    wait_for_app_idle,
)
from tests.browser.test_sign_in import screenshot_whole_app, submit_sign_in

# The patient and the people around her: synthetic, with an MRN the demo never makes (D + 7).
MRN = "JRNY-0001"
FIRST, LAST = "Journey", "Testpatient"
PATIENT = f"{LAST}, {FIRST}"
BORN = dt.date(1951, 3, 14)
# Given by its brand name, as patients say it; the hold table holds it as the generic.
BRAND, DRUG, DOSE, PRESCRIBER = "Eliquis", "apixaban", "5 mg twice daily", "Dr. Ada Cardio"
HOLD = DEFAULT_HOLD_TABLE[DRUG]
STOP = stop_text(HOLD.stop_before, HOLD.skip_on_day)  # "stop 72 h (3 days) before"
ESCORT = ("Sam Testpatient", "Spouse or partner", "(555) 201-7788")
LEVELS, SIDE = "L4-L5", "bilateral"  # booked, and shown at the time-out
ASA_CLASS = 2
HEIGHT, WEIGHT_LB = (5, 4), 150  # ft and in, lb: as a US practice measures them
ODI_ANSWERS = (3, 1, 2, 4, 2, 3, 1, 0, 2, 2)  # her baseline, section by section: 40.0
CARDIOLOGIST = "Dr. Lee Heart"
FEVER_F = 101.2  # 38.4 C: the fever red flag by measurement, as well as reported

# A booking must start after "now" when it is made; a quarter hour of margin covers the intake.
BOOKING_MARGIN = dt.timedelta(minutes=15)
SLOT = dt.timedelta(minutes=15)  # the booking form's time step
PLANNED_MINUTES = 60


@dataclass(frozen=True)
class Booking:
    office_id: int
    office: str  # "Name (CODE)", as the pickers show it
    code: str
    timezone: str
    provider: str
    day: dt.date  # office-local
    start: dt.time  # office-local


# --- the plan: where and when "later today" is free -------------------------------------------


def _utc(text: str) -> dt.datetime:
    """A stored SQLite timestamp (naive UTC text) as an aware datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def plan_booking(server: AppServer, now: dt.datetime) -> Booking:
    """The first free quarter hour later today (office-local) at one of the nurse's offices,
    with a provider who has no case overlapping it."""
    with sqlite3.connect(server.database) as db:
        offices = db.execute(
            "SELECT o.id, o.name, o.code, o.timezone FROM office o"
            " JOIN staff_office so ON so.office_id = o.id"
            " JOIN staff_user u ON u.id = so.staff_user_id"
            " WHERE u.username = 'nurse' AND o.active ORDER BY o.id"
        ).fetchall()
        for office_id, name, code, tz in offices:
            local_now = now.astimezone(ZoneInfo(tz))
            day = local_now.date()
            start = local_now + BOOKING_MARGIN
            start = start.replace(minute=start.minute // 15 * 15, second=0, microsecond=0) + SLOT
            providers = db.execute(
                "SELECT id, name FROM provider WHERE office_id = ? AND active ORDER BY id",
                (office_id,),
            ).fetchall()
            while start.date() == day:
                for provider_id, provider in providers:
                    booked = db.execute(
                        "SELECT id, code, scheduled_start, planned_minutes FROM mild_case"
                        " WHERE provider_id = ? AND status != 'cancelled'"
                        " AND scheduled_start IS NOT NULL",
                        (provider_id,),
                    ).fetchall()
                    others = [BookedSlot(i, c, _utc(s), m) for i, c, s, m in booked]
                    # Booking's own clash rule: no overlap, and the turnover between cases.
                    if first_clash(start.astimezone(dt.UTC), PLANNED_MINUTES, others) is None:
                        return Booking(
                            office_id, f"{name} ({code})", code, tz, provider, day, start.time()
                        )
                start += SLOT
    pytest.fail(f"No free start left today at the nurse's offices {offices} at {now}.")


def case_id(server: AppServer, code: str) -> int:
    """The case's id, which the keys of its widgets carry."""
    with sqlite3.connect(server.database) as db:
        (found,) = db.execute("SELECT id FROM mild_case WHERE code = ?", (code,)).fetchone()
    return found


def office_now(booking: Booking) -> dt.datetime:
    """Now at the office, to the minute (the time inputs take minutes)."""
    return dt.datetime.now(ZoneInfo(booking.timezone)).replace(second=0, microsecond=0)


def earlier_today(booking: Booking, minutes: int) -> dt.datetime:
    """`minutes` ago at the office, but not before its midnight (a time input has no day)."""
    now = office_now(booking)
    return max(now - dt.timedelta(minutes=minutes), now.replace(hour=0, minute=0))


# --- driving the screens -----------------------------------------------------------------------


def main(page: Page) -> Locator:
    return page.get_by_test_id("stMain")


def keyed(page: Page, key: str) -> Locator:
    """The element Streamlit renders for a widget or container with this key."""
    return page.locator(f".st-key-{key}")


def sign_in(page: Page, server: AppServer, username: str) -> None:
    """Sign in as `username`, signing the previous person out first (the session cookie keeps
    a browser signed in across page loads, as on a shared workstation)."""
    open_app(page, server.url("/"))
    previous = page.get_by_role("button", name="Sign out", exact=True)
    # The first run may not have drawn yet: wait for one or the other before choosing.
    expect(previous.or_(page.get_by_label("Username", exact=True))).to_be_visible()
    if previous.count():
        previous.click()
        expect(page.get_by_label("Username", exact=True)).to_be_visible()
        wait_for_app_idle(page)
    submit_sign_in(page, username, TEST_PASSWORD)
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    wait_for_app_idle(page)


def go_to(page: Page, link: str, title: str, path: str) -> None:
    """Follow a link of the navigation at the top (a new URL typed in would sign out)."""
    page.get_by_test_id("stTopNavLink").filter(has_text=link).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(f"/{re.escape(path)}$"))
    wait_for_app_idle(page)


def choose(page: Page, scope: Locator, label: str, option: str, typed: str = "") -> Locator:
    """Pick an option of a select box, typing (part of) it first to find it in a long list.

    The rerun may not have started when this returns: follow it with an expect() on its effect.
    """
    box = scope.get_by_role("combobox", name=label, exact=True)
    box.click()
    box.fill(typed or option)
    page.get_by_role("option", name=option, exact=True).click()
    expect(box).to_have_value(option)
    wait_for_app_idle(page)
    return box


def type_date(scope: Locator, label: str, day: dt.date) -> None:
    for part, text in (("year", f"{day:%Y}"), ("month", f"{day:%m}"), ("day", f"{day:%d}")):
        field = scope.get_by_role("spinbutton", name=f"{part}, {label}", exact=True)
        field.click()
        field.press_sequentially(text)
    field.press("Escape")  # closes the calendar; the typed date is sent (Tab or Enter does not)


def type_time(scope: Locator, label: str, at: dt.time) -> None:
    for part, text in (("hour", f"{at:%H}"), ("minute", f"{at:%M}")):
        field = scope.get_by_role("spinbutton", name=f"{part}, {label}", exact=True)
        field.click()
        field.press_sequentially(text)
    field.press("Escape")  # the typed time is sent


def segment(scope: Locator, label: str, option: str) -> None:
    """Press one option of a segmented control (a radio group of buttons)."""
    scope.get_by_role("radiogroup", name=label, exact=True).get_by_role(
        "radio", name=option, exact=True
    ).click()


def shoot(page: Page, name: str, widths: tuple[int, ...] = (1280,)) -> None:
    """The whole screen as it is, at each width, into test-artifacts/screens/journey-*."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    assert viewport is not None
    for width in widths:
        page.set_viewport_size({"width": width, "height": viewport["height"]})
        wait_for_app_idle(page)
        screenshot_whole_app(page, f"journey-{name}-{width}.png")
    page.set_viewport_size(viewport)


TABLET = {"width": 768, "height": 1024}


def shoot_tablet(page: Page, name: str, part: Locator) -> None:
    """One screenful as a 768x1024 tablet shows it, scrolled to `part`, into
    test-artifacts/screens/journey-<name>-768x1024.png."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    assert viewport is not None
    page.set_viewport_size(TABLET)
    wait_for_app_idle(page)
    part.scroll_into_view_if_needed()
    page.mouse.move(0, TABLET["height"] - 1)  # no hover toolbars in the picture
    page.screenshot(path=str(SCREENS / f"journey-{name}-768x1024.png"))
    page.set_viewport_size(viewport)


# --- intake: request, readiness, booking, confirmation -----------------------------------------


def readiness(page: Page) -> Locator:
    return keyed(page, "intake_readiness")


def open_tab(page: Page, name: str) -> Locator:
    """Open one of the case's tabs; returns its panel."""
    main(page).get_by_role("tab", name=name, exact=True).click()
    panel = main(page).get_by_role("tabpanel", name=name, exact=True)
    expect(panel).to_be_visible()
    return panel


def take_consult_request(page: Page, booking: Booking) -> str:
    go_to(page, "Intake", "Intake", "intake")
    area = main(page)
    area.get_by_text("New consult request", exact=True).click()
    area.get_by_label("MRN", exact=True).fill(MRN)
    area.get_by_label("MRN", exact=True).press("Tab")
    wait_for_app_idle(page)
    area.get_by_label("First name", exact=True).fill(FIRST)
    area.get_by_label("Last name", exact=True).fill(LAST)
    type_date(area, "Date of birth", BORN)
    wait_for_app_idle(page)
    # Her age beside the date of birth as soon as it is typed.
    age = messages.AGE_TODAY.format(age=age_on(BORN, booking.day))
    expect(area.get_by_text(age, exact=True)).to_be_visible()
    area.get_by_label("Patient phone", exact=True).fill("(555) 201-3344")
    choose(page, area, "Office", booking.office)
    expect(area.get_by_role("combobox", name="Provider", exact=True)).to_be_enabled()
    choose(page, area, "Provider", booking.provider)
    area.get_by_test_id("stRadioOption").filter(has_text="Phone").click()
    wait_for_app_idle(page)
    expect(area.get_by_label("Date of birth", exact=True)).to_contain_text("1951")
    shoot(page, "01-consult-request", (1280, 768))

    area.get_by_role("button", name="Create consult request").click()
    created = area.get_by_text(re.compile(r"^Consult request \S+ created\.$"))
    expect(created).to_be_visible()
    code = re.search(r"request (\S+) created", created.inner_text()).group(1)
    assert code.startswith(f"{booking.code}-"), code
    # The request form closes once the case is created, and the new case opens below it.
    expect(area.get_by_label("MRN", exact=True)).to_have_count(0)
    expect(area.get_by_label("First name", exact=True)).to_have_count(0)
    expect(
        area.get_by_role("heading", name=f"{code} · {CaseStatus.REQUESTED.label}")
    ).to_be_visible()
    age = age_on(BORN, booking.day)
    expect(area.get_by_text(re.compile(f"born 14 Mar 1951 \\(age {age}\\)"))).to_be_visible()
    area.get_by_role("button", name="Start intake").click()
    expect(area.get_by_role("heading", name=f"{code} · {CaseStatus.INTAKE.label}")).to_be_visible()
    expect(readiness(page)).to_contain_text(messages.READY_ESCORT)
    wait_for_app_idle(page)
    return code


def record_readiness(page: Page) -> None:
    """ASA class, height and weight (ft, in, lb), the baseline ODI as one grid, a heart
    condition with its clearance, apixaban added with its dose and the prescriber's clearance
    in one save, the escort: everything readiness needs except the booking and the hold told."""
    ready = readiness(page)

    area = open_tab(page, "Assessment")
    area.get_by_label("ASA class (1-6)", exact=True).fill(str(ASA_CLASS))
    area.get_by_label("Height (ft)", exact=True).fill(str(HEIGHT[0]))
    area.get_by_label("Height (in)", exact=True).fill(str(HEIGHT[1]))
    area.get_by_label("Weight (lb)", exact=True).fill(str(WEIGHT_LB))
    area.get_by_role("button", name="Save assessment").click()
    expect(ready).not_to_contain_text(messages.READY_ASA_CLASS)
    # Stored in cm and kg, shown as typed: 162.56 cm, 68.039 kg, BMI 25.7.
    expect(area).to_contain_text("Height 5 ft 4 in · weight 150 lb · BMI 25.7")
    wait_for_app_idle(page)
    # Medicare coverage answered (open until it is): not Medicare, so no study is needed.
    expect(ready).to_contain_text(messages.READY_MEDICARE_ANSWER)
    area.get_by_role("radio", name="Not Medicare", exact=True).check(force=True)
    area.get_by_role("button", name="Save coverage").click()
    expect(ready).not_to_contain_text(messages.READY_MEDICARE_ANSWER)
    wait_for_app_idle(page)
    # The baseline ODI: ten rows of 0-5 (open until scored), one tap each, one save.
    for section, answer in zip(ODI_SECTIONS, ODI_ANSWERS, strict=True):
        segment(area, section.replace("_", " ").capitalize(), str(answer))
    wait_for_app_idle(page)
    shoot_screen(page, "02c-intake-odi", area.get_by_role("button", name="Save ODI"))
    area.get_by_role("button", name="Save ODI").click()
    expect(main(page)).to_contain_text(
        messages.ODI_SCORE_ANSWERED.format(score="40.0", answered=10)
    )
    # Folded once scored, the score stays in sight in the fold's title.
    expect(area).to_contain_text(
        f"{messages.ODI_FOLD} · {messages.ODI_FOLD_SCORE.format(score='40.0')}"
    )
    wait_for_app_idle(page)

    area = open_tab(page, "Conditions")
    heart = Condition.HEART_DISEASE
    (clearance,) = required_clearances([heart])  # cardiology clearance on file
    missing = messages.READY_CLEARANCE.format(
        clearance=clearance.text, condition=CONDITION_SHORT_NAMES[heart]
    )
    area.get_by_test_id("stCheckbox").filter(has_text=heart.label).click()
    expect(ready).to_contain_text(missing)
    # The clearance with its values: who cleared the patient, and when (same tab, still open).
    area.get_by_label("Cleared by (cardiologist)", exact=True).fill(CARDIOLOGIST)
    type_date(area, "Cleared on", dt.date.today() - dt.timedelta(days=30))
    area.get_by_role("button", name="Save", exact=True).click()
    expect(ready).not_to_contain_text(missing)
    expect(area).to_contain_text(CARDIOLOGIST)
    wait_for_app_idle(page)

    area = open_tab(page, "Medications")
    drug_box = area.get_by_label("Drug (generic or brand)", exact=True)
    drug_box.fill(BRAND)
    drug_box.press("Tab")
    # Matched by its brand name as soon as it is typed: held as apixaban, with the table's
    # 72 h stop, and the prescriber's clearance asked in the same form.
    facts = " · ".join((HOLD.med_class.label, STOP, restart_text(HOLD.restart_after)))
    expect(area).to_contain_text(messages.MEDICATION_MATCHED.format(drug=DRUG, facts=facts))
    area.get_by_label("Dose", exact=True).fill(DOSE)
    area.get_by_label("Prescriber who agreed to the stop", exact=True).fill(PRESCRIBER)
    wait_for_app_idle(page)
    shoot_screen(
        page, "02a-intake-medication-typed", area.get_by_role("button", name="Add medication")
    )
    area.get_by_role("button", name="Add medication").click()  # the day agreed: today, offered
    expect(page.get_by_text(messages.MEDICATION_ADDED.format(drug=DRUG))).to_be_visible()
    table = area.locator("[class*='st-key-intake_med_table_']")
    row = table.locator("tbody tr").filter(has_text=DRUG)
    expect(row).to_have_count(1)
    for cell in (f"{DRUG} ({BRAND})", DOSE, STOP, PRESCRIBER):  # cleared: today, as offered
        expect(row.locator("td").filter(has_text=cell)).to_have_count(1)
    expect(drug_box).to_have_value("")  # ready for the next drug
    expect(ready).not_to_contain_text(messages.READY_PRESCRIBER_CLEARANCE.format(drug=DRUG))
    wait_for_app_idle(page)
    shoot_screen(page, "02a-intake-medications", area)

    area = open_tab(page, "Escort")
    for label, value in zip(
        ("Escort's name", "Relationship", "Escort's phone"), ESCORT, strict=True
    ):
        area.get_by_label(label, exact=True).fill(value)
    area.get_by_role("button", name="Save escort").click()
    expect(ready).not_to_contain_text(messages.READY_ESCORT)
    expect(ready).to_contain_text(messages.READY_BOOKED)
    wait_for_app_idle(page)


def medication_row(page: Page) -> Locator:
    """The held drug opened in the medication form (intake_med_<id>), picked above it."""
    segment(main(page), messages.MEDICATION_PICK_LABEL, DRUG)
    form = (
        main(page)
        .locator("[data-testid='stVerticalBlock'][class*='st-key-intake_med_']")
        .filter(has=page.get_by_role("button", name="Save medication"))
    )
    expect(form.get_by_text(DRUG, exact=True)).to_be_visible()
    wait_for_app_idle(page)
    return form


def shoot_screen(page: Page, name: str, part: Locator) -> None:
    """One screenful at 1280x800 and at 768x1024, scrolled to `part`, into
    test-artifacts/screens/journey-<name>-1280x800.png and -768x1024.png."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    assert viewport is not None
    for size in ({"width": 1280, "height": 800}, TABLET):
        page.set_viewport_size(size)
        wait_for_app_idle(page)
        part.scroll_into_view_if_needed()
        page.mouse.move(0, size["height"] - 1)  # no hover toolbars in the picture
        page.screenshot(path=str(SCREENS / f"journey-{name}-{size['width']}x{size['height']}.png"))
    page.set_viewport_size(viewport)


def book_and_confirm(page: Page, booking: Booking, code: str) -> None:
    """Today, later on, with the provider chosen at the request and the levels and side the
    time-out will check; then the last dose the patient reported at intake, the hold
    told, and the case confirmed for its day."""
    ready = readiness(page)
    area = open_tab(page, "Booking")
    expect(area.get_by_role("combobox", name="Provider", exact=True)).to_have_value(
        booking.provider
    )
    type_date(area, "Day", booking.day)
    type_time(area, f"Start ({booking.code} local time)", booking.start)
    wait_for_app_idle(page)
    # Beside the form, the provider's day at the office: drawn for the day chosen.
    provider_day = area.locator("[class*='st-key-intake_book_'][class*='_day_view']")
    expect(provider_day).to_contain_text(
        messages.DAY_VIEW_TITLE.format(
            provider=booking.provider, office=booking.office, day=f"{booking.day:%a %d %b %Y}"
        )
    )
    area.get_by_label("Levels (for the time-out)", exact=True).fill(LEVELS)
    segment(area, "Side", SIDE.capitalize())
    wait_for_app_idle(page)
    area.get_by_role("button", name="Book", exact=True).click()
    booked = f"Booked: {booking.day:%a %d %b %Y} {booking.start:%H:%M}"
    expect(area.get_by_text(re.compile(f"^{re.escape(booked)}"))).to_be_visible()
    expect(ready).not_to_contain_text(messages.READY_BOOKED)
    # The case now stands in the provider's day, as itself, at its start.
    expect(provider_day).to_contain_text(messages.DAY_VIEW_THIS_CASE.format(code=code))
    expect(provider_day).to_contain_text(f"{booking.start:%H:%M}–")
    wait_for_app_idle(page)

    open_tab(page, "Medications")
    medication = medication_row(page)
    zone = ZoneInfo(booking.timezone)
    start = dt.datetime.combine(booking.day, booking.start, zone)
    latest = (start.astimezone(dt.UTC) - HOLD.stop_before).astimezone(zone)
    # Booked today: the latest allowed last dose (72 h before) is long past.
    expect(medication).to_contain_text(
        messages.LAST_DOSE_BY.format(when=f"{latest:%a %d %b %Y %H:%M %Z}")
        + " · "
        + messages.LAST_DOSE_PAST
    )
    # Taken here at intake (as at the pre-op call): the patient stopped four days ago, in the
    # morning; the hold told to her in the same save.
    reported = dt.datetime.combine(booking.day - dt.timedelta(days=4), dt.time(8, 0), zone)
    type_date(medication, "Last dose: day", reported.date())
    type_time(medication, "Last dose: time", reported.time())
    wait_for_app_idle(page)
    medication.get_by_test_id("stCheckbox").filter(has_text=messages.MEDICATION_TOLD_LABEL).click()
    medication.get_by_role("button", name="Save medication").click()
    expect(medication).to_contain_text(
        messages.LAST_DOSE_REPORTED.format(
            when=f"{reported:%a %d %b %Y %H:%M %Z}",
            via=messages.REPORTED_VIA_LABELS["intake"],
            who="Demo Coordinator",
        )
    )
    expect(medication).to_contain_text("Confirmed with the patient by Demo Coordinator")
    expect(ready).to_contain_text(messages.READY_TO_CONFIRM)
    wait_for_app_idle(page)
    shoot_screen(page, "02b-intake-medication-row", medication)

    ready.get_by_role("button", name="Confirm for the day").click()
    expect(ready).to_contain_text("Confirmed for the day on")
    expect(
        main(page).get_by_role("heading", name=f"{code} · {CaseStatus.SCHEDULED.label}")
    ).to_be_visible()
    wait_for_app_idle(page)
    shoot(page, "02-intake-confirmed", (1280, 768))


# --- the day-of checklist ----------------------------------------------------------------------


def step_box(page: Page, key: str) -> Locator:
    return keyed(page, f"dayof_step_{key}")


def reveal(page: Page, key: str) -> Locator:
    """The step's row, its phase unfolded if it was folded (a folded phase draws no steps)."""
    box = step_box(page, key)
    phase = PHASE_LABELS[STEP_BY_KEY[key].phase]
    summary = page.locator("summary").filter(has_text=f"{phase} ·")
    expect(summary).to_have_count(1)
    # Opened by its state, not by whether the step is drawn yet: a run not started yet would
    # otherwise fold the phase it meant to open.
    if not summary.evaluate("s => s.parentElement.open"):
        summary.click()
    expect(box).to_have_count(1)
    expect(box).to_be_visible()
    return box


def case_still_open(page: Page, patient: str = PATIENT) -> None:
    """The picker still holds the case and its checklist is shown (a tick once closed it)."""
    picker = main(page).get_by_role("combobox", name="Open a case", exact=True)
    expect(picker).to_have_value(re.compile(f" · {re.escape(patient)} · "))
    expect(keyed(page, "dayof_header")).to_contain_text(patient)


def ticked(page: Page, key: str, button: str) -> Locator:
    """After pressing the step's button: the button gone, who ticked it shown, the run over."""
    expect(step_box(page, key).get_by_role("button", name=button)).to_have_count(0)
    box = reveal(page, key)  # the last step of a phase folds it
    expect(box).to_contain_text("Demo Nurse")  # who ticked it, and when
    case_still_open(page)
    return box


def tick(page: Page, key: str) -> None:
    reveal(page, key).get_by_role("button", name="Mark done").click()
    ticked(page, key, "Mark done")


def tick_with(page: Page, key: str, choice: str | None = None, text: str | None = None) -> None:
    box = reveal(page, key)
    label = STEP_BY_KEY[key].label
    if choice is not None:
        segment(box, label, choice)
        wait_for_app_idle(page)
    else:
        box.get_by_label(label, exact=True).fill(text or "")
    box.get_by_role("button", name="Save and mark done").click()
    expect(ticked(page, key, "Save and mark done")).to_contain_text(choice or text or "")


def status_is(page: Page, status: CaseStatus) -> None:
    expect(keyed(page, "dayof_header").get_by_test_id("stMetric").first).to_contain_text(
        status.label
    )


def open_on_checklist(page: Page, office: str, label: str, code: str, patient: str) -> None:
    """The day-of checklist at `office`, the case `label` (as the picker shows it) opened."""
    go_to(page, "Checklist", "Day-of checklist", "checklist")
    area = main(page)
    picker = area.get_by_role("combobox", name="Office", exact=True)
    if picker.input_value() != office:
        choose(page, area, "Office", office)
    day = area.get_by_test_id("stDataFrame").first
    expect(grid_cells(day, code)).to_have_count(1)  # on today's list at her office
    choose(page, area, "Open a case", label, code)
    case_still_open(page, patient)


def case_details(page: Page) -> Locator:
    """The open case's "Case details" fold, opened (folded, it draws nothing inside)."""
    summary = main(page).locator("summary").filter(has_text=messages.CASE_DETAILS)
    if not summary.evaluate("s => s.parentElement.open"):
        summary.click()
    box = (
        main(page)
        .get_by_test_id("stExpander")
        .filter(has=page.locator("summary").filter(has_text=messages.CASE_DETAILS))
    )
    expect(box.get_by_test_id("stExpanderDetails")).to_be_visible()
    wait_for_app_idle(page)
    return box


def fold_case_details(page: Page) -> None:
    """As a nurse leaves it: the fold closed again (nothing in it redrawn on each tick)."""
    summary = main(page).locator("summary").filter(has_text=messages.CASE_DETAILS)
    if summary.evaluate("s => s.parentElement.open"):
        summary.click()
    wait_for_app_idle(page)


def open_case_on_checklist(page: Page, booking: Booking, code: str) -> None:
    label = f"{booking.start:%H:%M} · {PATIENT} · {code}"
    open_on_checklist(page, booking.office, label, code, PATIENT)
    status_is(page, CaseStatus.SCHEDULED)
    # The bar: her age on the office's day, and the anticoagulant held as a key flag.
    header = keyed(page, "dayof_header")
    expect(header).to_contain_text(f"{age_on(BORN, booking.day)} years · born 14 Mar 1951")
    expect(header).to_contain_text(messages.FLAG_ANTICOAGULANT_HELD.format(drugs=DRUG))
    details = case_details(page)
    expect(details).to_contain_text("Escort arranged at intake: " + ", ".join(ESCORT))
    expect(details).to_contain_text(messages.BOOKED_LEVEL_SIDE.format(booked=BOOKED))
    fold_case_details(page)


BOOKED = f"{LEVELS} · {SIDE.capitalize()}"  # as the checklist shows the booking
CORRECTION_REASON = "Ticked once she was settled; she arrived at the desk ten minutes earlier"


def correct_event_time(page: Page, booking: Booking, key: str) -> None:
    """A timed step's event time set from its history: the row then says when it happened and
    when it was charted, and the history keeps the correction with who and why."""
    box = reveal(page, key)
    open_step_history(box)
    corrected = earlier_today(booking, 10)
    type_time(box, f"When it happened ({corrected:%a %d %b})", corrected.time())
    reason = box.get_by_label("Why the time is corrected", exact=True)
    reason.fill(CORRECTION_REASON)
    reason.press("Enter")  # sent on its own before the button is pressed
    wait_for_app_idle(page)
    box.get_by_role("button", name="Correct the time", exact=True).click()
    shown = time_text(booking.timezone, corrected)
    expect(box).to_contain_text(f"happened {shown}, charted ")
    wait_for_app_idle(page)
    # The history stays open on the step, its button now closing it.
    expander = box.locator("[class*='st-key-dayof_history_box_']")
    expect(expander).to_have_count(1)
    history = expander.get_by_test_id("stDataFrame")
    expect(history).to_be_visible()
    correction = history.locator("tr").filter(
        has=page.locator(CELL, has_text=messages.TIME_CORRECTED_ROW.format(at=shown))
    )
    expect(correction).to_have_count(1)
    expect(grid_cells(correction, "Demo Nurse")).to_have_count(1)  # who
    expect(grid_cells(correction, CORRECTION_REASON)).to_have_count(1)  # and why
    shoot_tablet(page, "09-event-time-corrected", box)


def held_drug(page: Page) -> Locator:
    """Apixaban's box beside "Medication holds confirmed" (dayof_held_<medication id>)."""
    box = reveal(page, "holds_confirmed").locator("[class*='st-key-dayof_held_']")
    expect(box).to_have_count(1)
    return box


def record_last_dose_today(page: Page, booking: Booking, taken: dt.datetime) -> None:
    held = held_drug(page)
    type_date(held, f"{messages.LAST_DOSE_RECORD}: day", taken.date())
    type_time(held, "Time (office time)", taken.time())
    wait_for_app_idle(page)
    held.get_by_role("button", name="Record last dose", exact=True).click()
    expect(held).to_contain_text(
        messages.LAST_DOSE_REPORTED.format(
            when=moment_text(booking.timezone, taken),
            via=messages.REPORTED_VIA_LABELS["day_of"],
            who="Demo Nurse",
        )
    )
    wait_for_app_idle(page)


def holds_confirmed(page: Page) -> None:
    """The held drug as intake left it (brand given, required stop, the last dose reported at
    intake), then the holds confirmed."""
    held = held_drug(page)
    expect(held).to_contain_text(messages.HELD_DRUG_NAME_GIVEN.format(drug=DRUG, name=BRAND))
    expect(held).to_contain_text(messages.HELD_DRUG_STOP.format(stop=STOP))
    expect(held).to_contain_text(messages.REPORTED_VIA_LABELS["intake"])
    tick(page, "holds_confirmed")


def last_dose_too_recent_refused(page: Page, booking: Booking) -> None:
    """Before anesthesia the patient says she took Eliquis this morning: recorded on the day,
    anesthesia start is refused naming the drug, that dose and the required stop. She then
    remembers it was three days ago, in the evening: corrected, anesthesia starts."""
    this_morning = office_now(booking) - dt.timedelta(hours=3)
    record_last_dose_today(page, booking, this_morning)
    box = reveal(page, "anesthesia_start")
    box.get_by_role("button", name="Mark done").click()
    too_recent = messages.HOLD_LAST_DOSE_TOO_RECENT.format(
        drug=DRUG, taken=moment_text(booking.timezone, this_morning), stop=STOP, allowed="ALLOWED"
    )
    refusal = messages.HARD_STOP.format(step=STEP_BY_KEY["anesthesia_start"].label, missing="X")
    refusal = re.escape(refusal).replace("X", re.escape(too_recent)).replace("ALLOWED", ".+")
    expect(box.get_by_test_id("stAlert").filter(has_text=re.compile(refusal))).to_have_count(1)
    wait_for_app_idle(page)
    expect(box.get_by_role("button", name="Mark done")).to_be_visible()
    status_is(page, CaseStatus.CHECKED_IN)
    shoot_tablet(page, "10-last-dose-too-recent", box)

    earlier = office_now(booking) - dt.timedelta(hours=78)  # the hold is 72 h
    record_last_dose_today(page, booking, earlier)
    tick(page, "anesthesia_start")


def time_out_items(page: Page, booking: Booking) -> None:
    """Each item of the time-out confirmed on its own; the level and side as booked; the
    antibiotic given within the hour; then the time-out itself."""
    tick_with(page, "imaging_modality", choice="X-ray / fluoroscopy")
    for key in ("team_introduced", "patient_confirmed", "procedure_confirmed"):
        tick(page, key)
    box = reveal(page, "level_side_confirmed")
    expect(box).to_contain_text(messages.BOOKED_LEVEL_SIDE.format(booked=BOOKED))
    shoot_tablet(page, "11-time-out-level-side", box)
    as_booked = messages.LEVEL_SIDE_AS_BOOKED_BUTTON
    box.get_by_role("button", name=as_booked, exact=True).click()
    confirmed = ticked(page, "level_side_confirmed", as_booked)
    expect(confirmed).to_contain_text(messages.LEVEL_SIDE_AS_BOOKED.format(booked=BOOKED))
    tick(page, "imaging_displayed")

    box = reveal(page, "antibiotic_prophylaxis")
    segment(box, STEP_BY_KEY["antibiotic_prophylaxis"].label, messages.ANTIBIOTIC_OPTIONS[0])
    wait_for_app_idle(page)
    given = earlier_today(booking, 5)
    type_time(box, "Given at (office time)", given.time())
    wait_for_app_idle(page)
    box.get_by_role("button", name="Save and mark done").click()
    given_text = messages.ANTIBIOTIC_GIVEN.format(at=time_text(booking.timezone, given))
    expect(ticked(page, "antibiotic_prophylaxis", "Save and mark done")).to_contain_text(given_text)
    tick(page, "critical_events_reviewed")
    tick(page, "time_out")
    shoot_tablet(page, "12-time-out-done", step_box(page, "time_out"))


def report_fast(page: Page) -> None:
    """The fast as the patient tells it: a light meal at 18:00 the evening before (the day the
    form offers), nothing since; the step then shows when anesthesia may start."""
    box = reveal(page, "fasting_confirmed")
    segment(box, "Last food", "Light meal or milk")
    wait_for_app_idle(page)
    box.get_by_test_id("stCheckbox").filter(has_text="No clear liquid since the last food").click()
    wait_for_app_idle(page)
    type_time(box, "Last food: time (office time)", dt.time(18, 0))
    wait_for_app_idle(page)
    box.get_by_role("button", name=messages.SAVE_AND_MARK_DONE).click()
    done = ticked(page, "fasting_confirmed", messages.SAVE_AND_MARK_DONE)
    expect(done).to_contain_text("Last light meal or milk")
    expect(done).to_contain_text("Fasted for anesthesia from")


def run_the_day(page: Page, booking: Booking, cid: int) -> None:
    """Arrival to recovery out, each tick with who and when; the case stays open throughout."""
    tick(page, "checked_in")
    correct_event_time(page, booking, "checked_in")
    for key in ("identity_confirmed", "consent_signed"):
        tick(page, key)  # one after another: the picker keeps the case open (a past regression)
    report_fast(page)
    holds_confirmed(page)
    for key in ("vitals_recorded", "iv_placed", "escort_on_file"):
        tick(page, key)
    status_is(page, CaseStatus.CHECKED_IN)
    tick_with(page, "site_marked", text=booking.provider)  # the physician who will operate
    for key in ("patient_in_room", "pre_anesthesia_check", "pulse_oximeter_on"):
        tick(page, key)
    tick_with(page, "anesthesia_type", choice="MAC (moderate sedation)")
    last_dose_too_recent_refused(page, booking)
    time_out_items(page, booking)
    tick(page, "procedure_start")
    status_is(page, CaseStatus.IN_PROCEDURE)
    tick_with(page, "levels_treated", text=f"{LEVELS} {SIDE}")
    tick(page, "procedure_end")
    tick(page, "patient_out_of_room")
    tick(page, "recovery_in")
    status_is(page, CaseStatus.RECOVERY)

    box = reveal(page, "discharge_score")
    for component in DISCHARGE_COMPONENTS[DischargeScale.ALDRETE]:
        segment(box, component.label, "2")
        wait_for_app_idle(page)
    expect(box).to_contain_text("Total so far: 10 of 10 (5 of 5 items scored)")
    box.get_by_role("button", name="Record discharge score").click()
    expect(ticked(page, "discharge_score", "Record discharge score")).to_contain_text("10")
    tick(page, "recovery_out")
    instructions_given(page, cid)
    tick(page, "restart_dates_given")


def instructions_given(page: Page, cid: int) -> None:
    """The discharge instructions prepared, downloaded as a PDF (the patient's name and "call
    at once, do not wait" in its text), and the tick records the version printed."""
    box = reveal(page, "instructions_given")
    keyed(page, f"dayof_instructions_prepare_{cid}").get_by_role("button").click()
    prepared = re.escape(messages.INSTRUCTIONS_PREPARED).replace(r"\{version\}", r"(\S+ #\d+)")
    expect(box.get_by_text(re.compile(prepared))).to_be_visible()
    version = re.search(prepared, box.inner_text()).group(1)
    download = keyed(page, f"dayof_instructions_download_{cid}")
    with page.expect_download() as downloading:
        download.get_by_role("button").click()
    pdf = downloading.value
    ARTIFACTS.mkdir(exist_ok=True)
    pdf.save_as(ARTIFACTS / "journey-discharge-instructions.pdf")
    data = (ARTIFACTS / "journey-discharge-instructions.pdf").read_bytes()
    assert data.startswith(b"%PDF"), data[:20]
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages).split())
    assert f"{FIRST} {LAST}" in text, text[:500]
    assert "do not wait" in text.lower(), text
    shoot_tablet(page, "13-instructions-prepared", box)
    given = messages.INSTRUCTIONS_GIVEN_BUTTON.format(version=version)
    box.get_by_role("button", name=given, exact=True).click()
    expect(ticked(page, "instructions_given", given)).to_contain_text(version)


# An X-ray case: run_the_day leaves these for the nurse to confirm at discharge.
LEFT_OPEN = ("fluoroscopy_recorded", "sign_out", "anesthesia_end")
ESCORT_STEP = messages.ESCORT_OR_EXEMPTION.format(step=STEP_BY_KEY["escort_confirmed"].label)


def discharge(page: Page) -> None:
    """Refused without the escort confirmed in person, beside the step; the steps still open
    named, and confirmed; then discharged, and the checklist locked saying by whom and when."""
    box = reveal(page, "discharged")
    still_open = messages.DISCHARGE_OPEN_STEPS.format(
        steps="; ".join(STEP_BY_KEY[key].label for key in LEFT_OPEN)
    )
    expect(box).to_contain_text(f"Needs first: {ESCORT_STEP}")
    expect(box).to_contain_text(still_open)
    box.get_by_role("button", name="Discharge patient").click()
    refusal = messages.HARD_STOP.format(step="Discharged", missing=ESCORT_STEP)
    expect(box.get_by_test_id("stAlert").filter(has_text=refusal)).to_have_count(1)
    wait_for_app_idle(page)
    status_is(page, CaseStatus.RECOVERY)
    shoot(page, "03-discharge-refused", (1280, 768))

    escort = reveal(page, "escort_confirmed")
    labels = ("Escort's name", "Relationship to the patient", "Escort's phone")
    for label, value in zip(labels, ESCORT, strict=True):
        expect(escort.get_by_label(label, exact=True)).to_have_value(value)  # from intake
    escort.get_by_role("button", name="Confirm escort in person").click()
    confirmed = ticked(page, "escort_confirmed", "Confirm escort in person")
    expect(confirmed).to_contain_text(", ".join(ESCORT))
    # The hard stop is gone; the steps still open stay named until she confirms them.
    expect(step_box(page, "discharged").get_by_test_id("stAlert")).to_have_text(
        [re.compile(re.escape(still_open))]
    )

    box = reveal(page, "discharged")
    box.get_by_test_id("stCheckbox").filter(has_text=messages.DISCHARGE_CONFIRM_OPEN).click()
    expect(box.get_by_role("checkbox")).to_be_checked()
    wait_for_app_idle(page)
    box.get_by_role("button", name="Discharge patient").click()
    ticked(page, "discharged", "Discharge patient")
    status_is(page, CaseStatus.DISCHARGED)
    locked = messages.CHECKLIST_LOCKED.format(when="WHEN", who="Demo Nurse")
    expect(main(page)).to_contain_text(re.compile(re.escape(locked).replace("WHEN", ".+")))
    expect(step_box(page, "discharged")).to_contain_text(
        messages.DISCHARGED_WITH_OPEN_STEPS.format(
            steps="; ".join(STEP_BY_KEY[key].label for key in LEFT_OPEN)
        )
    )
    expect(main(page).get_by_role("button", name="Mark done")).to_have_count(0)  # read-only
    shoot(page, "04-discharged")


# --- the next day: the call, the escalation, the board and the schedule ------------------------


FLAGS = [RedFlag.FEVER, RedFlag.WOUND]
FLAG_TEXT = "; ".join(f.label for f in FLAGS)


def record_next_day_call(page: Page, booking: Booking, code: str) -> None:
    go_to(page, "Follow-up", "Follow-up", "follow-up")
    area = main(page)
    label = f"Due · Next-day call · {PATIENT} · {code}"
    expect(keyed(page, "fu_worklist")).to_be_visible()
    choose(page, area, "Record a follow-up", label, code)
    form = keyed(page, "fu_record")
    expect(form).to_contain_text(f"{PATIENT}  ·  Case {code}")
    segment(form, "Did you reach the patient?", "Reached")
    wait_for_app_idle(page)
    segment(form, "Pain now (NPRS: 0 no pain, 10 worst imaginable)", "4")
    segment(form, "Swelling", "Yes")
    segment(form, "Bruising", "No")
    segment(form, "Medication as prescribed", "Yes")
    segment(form, "Incision", "Drainage")
    wait_for_app_idle(page)
    form.get_by_label("Temperature, if measured", exact=True).fill(str(FEVER_F))
    form.get_by_label("Temperature, if measured", exact=True).press("Enter")
    wait_for_app_idle(page)
    fever = form.get_by_test_id("stCheckbox").filter(has_text=RedFlag.FEVER.label)
    fever.click()  # the red flags are plain checkboxes
    expect(fever.get_by_role("checkbox")).to_be_checked()
    wait_for_app_idle(page)
    preview = messages.FU_ESCALATION_PREVIEW.format(flags=FLAG_TEXT)
    expect(form.get_by_text(preview)).to_be_visible()
    shoot(page, "05-next-day-call", (1280, 768))

    form.get_by_role("button", name="Save call").click()
    expect(area.get_by_text(messages.FU_CALL_ESCALATED.format(flags=FLAG_TEXT))).to_be_visible()
    escalated = keyed(page, "fu_escalations")
    expect(escalated).to_contain_text(f"{code}  ·  {PATIENT}")
    for flag in FLAGS:
        expect(escalated).to_contain_text(flag.label)
    expect(escalated).to_contain_text(f"Provider: {booking.provider}")
    wait_for_app_idle(page)
    shoot(page, "06-escalated")


CELL = 'td[role="gridcell"]'  # a dataframe's cell (Glide renders a table behind its canvas)


def grid_cells(table: Locator, text: str) -> Locator:
    return table.locator(CELL).filter(has_text=text)


def escalation_on_board(page: Page, booking: Booking, code: str) -> None:
    go_to(page, "Board", "Status board", "board")
    area = main(page)
    choose(page, area, "Office", booking.office)
    expect(area.locator("[class*='st-key-board_office_']")).to_have_count(1)
    office = keyed(page, f"board_office_{booking.code}")
    expect(office).to_contain_text("Escalated to provider")
    # The office's escalations: the last of its Markdown tables.
    flagged = office.locator("table").last.locator("tr").filter(has_text=code)
    expect(flagged).to_have_count(1)
    expect(flagged).to_contain_text(RedFlag.FEVER.label)
    shoot(page, "07-board", (1280, 768))


def escalation_on_schedule(page: Page, booking: Booking, code: str) -> None:
    go_to(page, "Schedule", "Daily schedule", "schedule")
    area = main(page)
    if area.get_by_role("combobox", name="Office", exact=True).input_value() != booking.office:
        choose(page, area, "Office", booking.office)
    type_date(area, "Day", booking.day)  # the procedure day: yesterday, for this server
    day = area.get_by_test_id("stDataFrame").first
    row = day.locator("tr").filter(has=page.locator(CELL, has_text=code))
    expect(row).to_have_count(1)
    expect(grid_cells(row, RedFlag.FEVER.label)).to_have_count(1)  # the escalation column
    expect(grid_cells(row, CaseStatus.FOLLOW_UP.label)).to_have_count(1)  # the call moved it on
    shoot(page, "08-schedule")


# --- the journey ---------------------------------------------------------------------------------


def test_a_case_goes_from_consult_request_to_discharge_and_a_next_day_red_flag_escalates_it(
    page: Page, app_server: AppServer, next_day_server: AppServer
) -> None:
    booking = plan_booking(app_server, dt.datetime.now(dt.UTC))

    sign_in(page, app_server, "coordinator")
    code = take_consult_request(page, booking)
    record_readiness(page)
    book_and_confirm(page, booking, code)

    sign_in(page, app_server, "nurse")  # the coordinator signs out, the nurse in
    open_case_on_checklist(page, booking, code)
    run_the_day(page, booking, case_id(app_server, code))
    discharge(page)

    sign_in(page, next_day_server, "nurse")
    record_next_day_call(page, booking, code)
    escalation_on_board(page, booking, code)
    escalation_on_schedule(page, booking, code)


# --- a second case: a rideshare driver as the only escort, and the physician's exemption ------


@dataclass(frozen=True)
class DemoCase:
    office: str  # "Name (CODE)"
    label: str  # as the checklist's case picker shows it
    code: str
    patient: str
    provider: str


def case_in_recovery(server: AppServer) -> DemoCase:
    """One of the demo's cases of today at the nurse's offices, in the recovery room with its
    escort not yet confirmed (the seed puts one at every office while the day runs; by evening
    the demo's day is all discharged, and one is made in the recovery room)."""
    found = _cases_in_recovery(server)
    if not found:
        subprocess.run(
            [_python(), "-c", RECOVERY_CASE],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{server.database}"},
            check=True,
            capture_output=True,
            timeout=60,
        )
        found = _cases_in_recovery(server)
    if not found:
        pytest.fail("No case of today in the recovery room at the nurse's offices")
    name, office, tz, code, patient, start, provider = found[0]
    local = _utc(start).astimezone(ZoneInfo(tz))
    return DemoCase(
        f"{name} ({office})", f"{local:%H:%M} · {patient} · {code}", code, patient, provider
    )


# A case in the recovery room at the nurse's first office, started earlier today (its time).
RECOVERY_CASE = """
import datetime as dt
from zoneinfo import ZoneInfo
from sqlalchemy import select
from db.models import Case, StaffUser
from db.session import read_session, transaction
from mild.cases import CaseStatus
from tests.builders import make_case
with read_session() as s:
    nurse = s.scalar(select(StaffUser).where(StaffUser.username == "nurse"))
    office = min(nurse.offices, key=lambda o: o.id)
    office_id, tz = office.id, ZoneInfo(office.timezone)
now = dt.datetime.now(tz)
start = max(now - dt.timedelta(minutes=90), now.replace(hour=0, minute=5, second=0, microsecond=0))
case_id = make_case(office_id, CaseStatus.RECOVERY, start.astimezone(dt.UTC))
with transaction() as s:  # an escort arranged at intake, as the demo's cases have
    case = s.get(Case, case_id)
    case.escort_name, case.escort_relationship = "Dana Escort", "Daughter"
    case.escort_phone = "555-0142"
"""


def _cases_in_recovery(server: AppServer) -> list[tuple]:
    with sqlite3.connect(server.database) as db:
        rows = db.execute(
            "SELECT o.name, o.code, o.timezone, c.code, p.last_name || ', ' || p.first_name,"
            " c.scheduled_start, pr.name FROM mild_case c"
            " JOIN office o ON o.id = c.office_id JOIN patient p ON p.id = c.patient_id"
            " JOIN provider pr ON pr.id = c.provider_id"
            " JOIN staff_office so ON so.office_id = o.id"
            " JOIN staff_user u ON u.id = so.staff_user_id"
            " WHERE u.username = 'nurse' AND c.status = 'recovery'"
            " AND c.escort_exempted_by IS NULL AND NOT EXISTS (SELECT 1 FROM checklist_entry e"
            "  WHERE e.case_id = c.id AND e.step = 'escort_confirmed')"
            " ORDER BY o.id, c.scheduled_start"
        ).fetchall()
    return [
        r
        for r in rows
        if _utc(r[5]).astimezone(ZoneInfo(r[2])).date() == dt.datetime.now(ZoneInfo(r[2])).date()
    ]


EXEMPTION_REASON = "Lives in the care home across the street; its nurse walks him back"


def test_a_rideshare_driver_alone_is_refused_as_escort_and_the_attending_physician_exempts(
    page: Page, app_server: AppServer
) -> None:
    case = case_in_recovery(app_server)
    sign_in(page, app_server, "nurse")
    open_on_checklist(page, case.office, case.label, case.code, case.patient)
    status_is(page, CaseStatus.RECOVERY)

    # Only a rideshare driver came: refused with the reason, beside the relationship.
    escort = reveal(page, "escort_confirmed")
    choose(page, escort, "Relationship to the patient", RIDESHARE, "rideshare")
    escort.get_by_role("button", name="Confirm escort in person").click()
    expect(
        escort.get_by_test_id("stAlert").filter(has_text=messages.ESCORT_HIRED_DRIVER)
    ).to_have_count(1)
    wait_for_app_idle(page)
    expect(escort.get_by_role("button", name="Confirm escort in person")).to_be_visible()
    status_is(page, CaseStatus.RECOVERY)
    shoot_tablet(page, "14-rideshare-refused", escort)

    # The attending physician exempts the patient: who and why, on the case and the step.
    escort.locator("summary").filter(has_text="Attending physician's exemption").click()
    physician = escort.get_by_label("Attending physician", exact=True)
    expect(physician).to_have_value(case.provider)  # the case's provider, as the usual attending
    reason = escort.get_by_label("Why the patient is exempted", exact=True)
    reason.fill(EXEMPTION_REASON)
    reason.press("Enter")  # sent on its own before the button is pressed
    wait_for_app_idle(page)
    escort.get_by_role("button", name="Record the exemption", exact=True).click()
    exempted = re.compile(
        re.escape(
            messages.ESCORT_EXEMPTED.format(
                who=case.provider, when="WHEN", reason=EXEMPTION_REASON, recorder="Demo Nurse"
            )
        ).replace("WHEN", ".+")
    )
    details = case_details(page)
    expect(details.get_by_test_id("stAlert").filter(has_text=exempted)).to_have_count(1)
    expect(details).not_to_contain_text("Escort arranged at intake")
    fold_case_details(page)
    escort = reveal(page, "escort_confirmed")
    expect(escort).to_contain_text(exempted)
    expect(escort).to_contain_text(f"Not applicable: {messages.NOT_APPLICABLE_ESCORT_EXEMPT}")
    expect(escort.get_by_role("button", name="Confirm escort in person")).to_have_count(0)
    expect(step_box(page, "discharged")).not_to_contain_text(ESCORT_STEP)  # no longer a stop
    shoot_tablet(page, "15-escort-exempted", escort)
