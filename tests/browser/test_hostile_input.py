"""Script, image and markdown payloads saved as notes stay inert text on every screen.

A case is seeded through the services (synthetic patient, today at one of the nurse's offices)
with payloads in the medication dose, the prescriber's name, an allergy's details, the escort
and an un-tick reason; a second, discharged case gets them in its next-day call notes, which
escalate it. Then a nurse types more of them through the real forms (allergy details on Intake,
levels treated on the checklist, a patient name the rules refuse) and opens every screen that
shows them: Intake, Checklist, Follow-up, Schedule, Board, and a manager the Audit trail.

On every screen: `window.__xss` stays undefined in every frame, no request leaves the app's
origin (each request is collected; only 127.0.0.1 and localhost are allowed, anything else is
also aborted so the test never waits on it), the payloads make no element (no image from
203.0.113.7, no javascript: link, no script carrying them), and the text reads back verbatim.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Locator, Page, Request, WebSocket, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from db.session import dispose_engines
from mild import messages
from mild.cases import CaseStatus, RequestChannel
from mild.followup import CallAnswers, FollowUpKind, Incision
from mild.intake import Condition
from mild.staff import Role
from services import booking, cases, checklist, followup, intake, medications
from services.auth import sign_in as service_sign_in
from tests.browser.conftest import TEST_PASSWORD, AppServer, wait_for_app_idle
from tests.browser.test_procedure_day_journey import (
    CELL,
    Booking,
    case_details,
    go_to,
    grid_cells,
    keyed,
    main,
    plan_booking,
    reveal,
    sign_in,
)
from tests.browser.test_sign_in import screenshot_whole_app

SCRIPT = "<script>window.__xss=1</script>"
IMAGE = '<img src="http://203.0.113.7/x.png" onerror="window.__xss=2">'
LINK = "[link](javascript:window.__xss=3)"
PICTURE = "![i](http://203.0.113.7/y.png)"
EVERYTHING = f"{SCRIPT} {IMAGE} {LINK} {PICTURE} **bold** :red[red] $x^2$"
PRESCRIBER = f"{LINK} {PICTURE}"
ESCORT_PHONE = "(555) 201-0666"
TYPED_DETAILS = f"{IMAGE} typed {SCRIPT}"  # typed into the Intake form
TYPED_LEVELS = f"{PICTURE} {LINK}"  # typed into the checklist (at most 80 characters)

FIRST, LAST = "Zoë", "Hostiletest"
PATIENT = f"{LAST}, {FIRST}"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost"})


@dataclass(frozen=True)
class Seeded:
    booking: Booking
    case_id: int
    code: str
    escalated_code: str


def _provider_id(server: AppServer, office_id: int, name: str) -> int:
    with sqlite3.connect(server.database) as db:
        (provider_id,) = db.execute(
            "SELECT id FROM provider WHERE office_id = ? AND name = ?", (office_id, name)
        ).fetchone()
    return provider_id


@pytest.fixture(scope="module")
def seeded(app_server: AppServer) -> Iterator[Seeded]:
    """The payloads saved through the services, as a coordinator and a nurse would."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DATABASE_URL", f"sqlite:///{app_server.database}")
        try:
            yield _seed(app_server)
        finally:
            dispose_engines()


def _seed(server: AppServer) -> Seeded:
    from tests.builders import make_discharged_case

    coordinator = service_sign_in("coordinator", TEST_PASSWORD)
    nurse = service_sign_in("nurse", TEST_PASSWORD)
    assert (coordinator.role, nurse.role) == (Role.COORDINATOR, Role.NURSE)
    plan = plan_booking(server, dt.datetime.now(dt.UTC))
    provider = _provider_id(server, plan.office_id, plan.provider)

    made = intake.create_case(
        mrn="XSS-0001",
        office_id=plan.office_id,
        channel=RequestChannel.PHONE,
        actor=coordinator,
        first_name=FIRST,
        last_name=LAST,
        date_of_birth=dt.date(1950, 5, 17),
        provider_id=provider,
    )
    case_id = made.case_id
    cases.advance_case(case_id, CaseStatus.INTAKE, actor=coordinator)
    intake.save_assessment(
        case_id,
        asa_class=2,
        height_cm=None,
        weight_kg=None,
        baseline_nprs=None,
        walk_minutes=None,
        stand_minutes=None,
        works=None,
        actor=coordinator,
    )
    med = medications.add_medication(case_id, "apixaban", IMAGE, actor=coordinator)
    medications.record_prescriber_clearance(med, PRESCRIBER, actor=coordinator)
    intake.flag_condition(case_id, Condition.OTHER_ALLERGY, EVERYTHING, actor=coordinator)
    intake.save_escort(
        case_id, name=SCRIPT, relationship=PICTURE, phone=ESCORT_PHONE, actor=coordinator
    )
    booking.book_case(
        case_id, day=plan.day, start=plan.start, provider_id=provider, actor=coordinator
    )
    medications.confirm_hold_with_patient(med, actor=coordinator)
    intake.save_medicare(
        case_id, medicare=False, study_enrolled=False, study_nct="", actor=coordinator
    )
    booking.confirm_case(case_id, actor=coordinator)
    checklist.complete_step(case_id, "consent_signed", actor=nurse)
    checklist.undo_step(case_id, "consent_signed", EVERYTHING, actor=nurse)

    # Discharged a day ago at the same office: its next-day call is due, and escalates.
    escalated_id, follow_ups = make_discharged_case(
        plan.office_id, dt.datetime.now(dt.UTC) - dt.timedelta(hours=25)
    )
    followup.record_followup_call(
        follow_ups[FollowUpKind.NEXT_DAY_CALL],
        CallAnswers(
            nprs=9,
            swelling=False,
            bruising=False,
            incision=Incision.DRY,
            meds_as_prescribed=True,
            notes=EVERYTHING,
        ),
        actor=nurse,
    )
    with sqlite3.connect(server.database) as db:
        (escalated_code,) = db.execute(
            "SELECT code FROM mild_case WHERE id = ?", (escalated_id,)
        ).fetchone()
    return Seeded(plan, case_id, made.code, escalated_code)


# --- what every screen must show: nothing ran, nothing loaded from outside ----------------------


@dataclass
class Traffic:
    """Every request and WebSocket the page opened, and which left the app's origin."""

    urls: list[str]

    def outside(self) -> list[str]:
        return [u for u in self.urls if not _local(u)]


def _local(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme in ("data", "blob", "about"):
        return True  # never leaves the browser
    return parsed.hostname in LOCAL_HOSTS


@pytest.fixture
def traffic(page: Page) -> Traffic:
    seen = Traffic([])

    def on_request(request: Request) -> None:
        seen.urls.append(request.url)

    def on_websocket(socket: WebSocket) -> None:
        seen.urls.append(socket.url)

    page.on("request", on_request)
    page.on("websocket", on_websocket)
    # Recorded above first; then refused, so an attempt fails at once instead of hanging.
    page.route(lambda url: not _local(url), lambda route: route.abort())
    return seen


def assert_inert(page: Page, traffic: Traffic, screen: str) -> None:
    wait_for_app_idle(page)
    for frame in page.frames:
        assert frame.evaluate("() => typeof window.__xss") == "undefined", (screen, frame.url)
    assert traffic.outside() == [], f"{screen}: requests left the app: {traffic.outside()}"
    made = page.evaluate(
        """() => ({
            images: [...document.querySelectorAll('img')]
                .filter(i => (i.getAttribute('src') || '').includes('203.0.113.7')).length,
            links: [...document.querySelectorAll('a')]
                .map(a => (a.getAttribute('href') || '').trim().toLowerCase())
                .filter(h => h.startsWith('javascript:') || h.includes('203.0.113.7')).length,
            scripts: [...document.scripts]
                .filter(s => s.textContent.includes('__xss')).length,
            handlers: [...document.querySelectorAll('[onerror]')].length,
        })"""
    )
    assert made == {"images": 0, "links": 0, "scripts": 0, "handlers": 0}, (screen, made)
    screenshot_whole_app(page, f"hostile-{re.sub(r'[^a-z]+', '-', screen)}.png")


# --- the screens -------------------------------------------------------------------------------


def choose(page: Page, scope: Locator, label: str, option: str, typed: str = "") -> None:
    """Pick an option of a select box; again if a rerun (the idle check every few seconds)
    closed the list before the option was pressed."""
    box = scope.get_by_role("combobox", name=label, exact=True)
    for _attempt in range(3):
        box.click()
        box.fill(typed or option)
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            wait_for_app_idle(page)
    expect(box).to_have_value(option)
    wait_for_app_idle(page)


def _intake(page: Page, traffic: Traffic, seeded: Seeded) -> None:
    go_to(page, "Intake", "Intake", "intake")
    area = main(page)

    # A patient name with markup is refused beside the field; what was typed stays as typed.
    area.get_by_text("New consult request", exact=True).click()
    area.get_by_label("MRN", exact=True).fill("XSS-0002")
    area.get_by_label("MRN", exact=True).press("Tab")
    wait_for_app_idle(page)
    area.get_by_label("First name", exact=True).fill(SCRIPT)
    area.get_by_label("Last name", exact=True).fill(LAST)
    choose(page, area, "Office", seeded.booking.office)
    area.get_by_test_id("stRadioOption").filter(has_text="Phone").click()
    wait_for_app_idle(page)
    area.get_by_role("button", name="Create consult request").click()
    expect(area.get_by_text(messages.PATIENT_NAME_CHARACTERS, exact=True)).to_be_visible()
    expect(area.get_by_label("First name", exact=True)).to_have_value(SCRIPT)
    assert_inert(page, traffic, "intake, name refused")

    start = f"{seeded.booking.day:%a %d %b} {seeded.booking.start:%H:%M}"
    label = f"{seeded.code} · {PATIENT} · {CaseStatus.SCHEDULED.label} · {start}"
    choose(page, area, "Case", label, seeded.code)

    tab = _tab(page, "Medications")
    table = tab.locator("[class*='st-key-intake_med_table_']")  # the typed dose: inert text
    # (an invisible word joiner after "http:" keeps Markdown from making a link of it)
    expect(table.locator("td").filter(has_text='onerror="window.__xss=2">')).to_have_count(1)
    expect(table.locator("img")).to_have_count(0)
    tab.get_by_role("radiogroup", name=messages.MEDICATION_PICK_LABEL, exact=True).get_by_role(
        "radio", name="apixaban", exact=True
    ).click()  # the drug opened in the medication form
    medication = tab.locator("[data-testid='stVerticalBlock'][class*='st-key-intake_med_']").filter(
        has=page.get_by_role("button", name="Save medication")
    )
    expect(medication.get_by_label("Dose", exact=True)).to_have_value(IMAGE)
    expect(medication).to_contain_text(f"Prescriber clearance: {PRESCRIBER}")

    tab = _tab(page, "Conditions")
    box = keyed(page, f"intake_cond_{seeded.case_id}_{Condition.OTHER_ALLERGY.value}_box")
    details = box.get_by_label("Details", exact=True)
    expect(details).to_have_value(EVERYTHING)
    details.fill(TYPED_DETAILS)  # through the real form
    box.get_by_role("button", name="Save details").click()
    expect(page.get_by_text(messages.INTAKE_SAVED, exact=True)).to_be_visible()
    wait_for_app_idle(page)
    expect(box.get_by_label("Details", exact=True)).to_have_value(TYPED_DETAILS)

    tab = _tab(page, "Escort")
    expect(tab.get_by_label("Escort's name", exact=True)).to_have_value(SCRIPT)
    expect(tab.get_by_label("Relationship", exact=True)).to_have_value(PICTURE)
    assert_inert(page, traffic, "intake")


def _tab(page: Page, name: str):
    main(page).get_by_role("tab", name=name, exact=True).click()
    panel = main(page).get_by_role("tabpanel", name=name, exact=True)
    expect(panel).to_be_visible()
    wait_for_app_idle(page)
    return panel


def _checklist(page: Page, traffic: Traffic, seeded: Seeded) -> None:
    go_to(page, "Checklist", "Day-of checklist", "checklist")
    area = main(page)
    office = area.get_by_role("combobox", name="Office", exact=True)
    if office.input_value() != seeded.booking.office:
        choose(page, area, "Office", seeded.booking.office)
    label = f"{seeded.booking.start:%H:%M} · {PATIENT} · {seeded.code}"
    choose(page, area, "Open a case", label, seeded.code)
    header = keyed(page, "dayof_header")
    expect(header).to_contain_text(PATIENT)

    # The allergy in a warning in the case's bar (Markdown: escaped, and word joiners keep its
    # URL from becoming a link); with the case's details, the escort in plain text, the rest in
    # tables.
    allergy = f"Allergies: {Condition.OTHER_ALLERGY.label}: {TYPED_DETAILS}"
    warning = header.get_by_test_id("stAlert").filter(has_text=Condition.OTHER_ALLERGY.label)
    expect(warning).to_have_count(1)
    shown = warning.get_by_test_id("stMarkdownContainer").inner_text()
    assert shown.replace("\u2060", "").strip() == allergy
    details = case_details(page)
    expect(details).to_contain_text(
        "Escort arranged at intake: " + ", ".join((SCRIPT, PICTURE, ESCORT_PHONE))
    )
    tables = details.get_by_test_id("stDataFrame")
    expect(grid_cells(tables, IMAGE)).to_have_count(1)  # the dose, in the medications table
    expect(grid_cells(tables, PRESCRIBER)).to_have_count(1)

    consent = reveal(page, "consent_signed")
    consent.get_by_role("button", name="History (2)").click()
    expect(grid_cells(consent, EVERYTHING)).to_have_count(1)  # the un-tick reason

    levels = reveal(page, "levels_treated")
    levels.get_by_label("Levels treated", exact=True).fill(TYPED_LEVELS)  # the real form
    levels.get_by_role("button", name="Save and mark done").click()
    expect(levels.get_by_role("button", name="Save and mark done")).to_have_count(0)
    wait_for_app_idle(page)
    expect(keyed(page, "dayof_step_levels_treated")).to_contain_text(TYPED_LEVELS)
    assert_inert(page, traffic, "checklist")


def _follow_up(page: Page, traffic: Traffic, seeded: Seeded) -> None:
    go_to(page, "Follow-up", "Follow-up", "follow-up")
    escalations = keyed(page, "fu_escalations")
    block = escalations.locator("[class*='st-key-fu_escalation_']").filter(
        has_text=seeded.escalated_code
    )
    expect(block).to_contain_text(f"Call notes: {EVERYTHING}")
    assert_inert(page, traffic, "follow-up")


def _schedule(page: Page, traffic: Traffic, seeded: Seeded) -> None:
    go_to(page, "Schedule", "Daily schedule", "schedule")
    area = main(page)
    if area.get_by_role("combobox", name="Office", exact=True).input_value() != (
        seeded.booking.office
    ):
        choose(page, area, "Office", seeded.booking.office)
    day = area.get_by_test_id("stDataFrame").first
    row = day.locator("tr").filter(has=page.locator(CELL, has_text=seeded.code))
    expect(row).to_have_count(1)
    expect(grid_cells(row, PATIENT)).to_have_count(1)
    assert_inert(page, traffic, "schedule")


def _board(page: Page, traffic: Traffic, seeded: Seeded) -> None:
    go_to(page, "Board", "Status board", "board")
    area = main(page)
    choose(page, area, "Office", seeded.booking.office)
    office = keyed(page, f"board_office_{seeded.booking.code}")  # a Markdown table, not a grid
    expect(office.locator("td").filter(has_text=seeded.code)).to_have_count(1)
    expect(office.locator("td").filter(has_text=PATIENT)).to_have_count(1)
    assert_inert(page, traffic, "board")


def test_payloads_typed_and_saved_stay_inert_text_on_every_screen_a_nurse_opens(
    page: Page, app_server: AppServer, seeded: Seeded, traffic: Traffic
) -> None:
    sign_in(page, app_server, "nurse")
    assert_inert(page, traffic, "home")
    _intake(page, traffic, seeded)
    _checklist(page, traffic, seeded)
    _follow_up(page, traffic, seeded)
    _schedule(page, traffic, seeded)
    _board(page, traffic, seeded)
    assert any(urlparse(u).hostname in LOCAL_HOSTS for u in traffic.urls)  # it was listening


def test_payloads_in_the_audit_trail_stay_inert_text_for_a_manager(
    page: Page, app_server: AppServer, seeded: Seeded, traffic: Traffic
) -> None:
    sign_in(page, app_server, "manager")
    go_to(page, "Audit", "Audit trail", "audit")
    area = main(page)
    area.get_by_label("Case code", exact=True).fill(seeded.code)
    area.get_by_label("Case code", exact=True).press("Enter")
    wait_for_app_idle(page)
    # A named case is told as a story (Markdown, every character escaped), its rows folded
    # below as a table.
    expect(keyed(page, "audit_story")).to_contain_text("window.__xss=1")  # the escort saved
    area.get_by_text(messages.AUDIT_STORY_TABLE, exact=True).click()
    table = area.get_by_test_id("stDataFrame")
    expect(grid_cells(table, seeded.code).first).to_be_attached()
    expect(grid_cells(table, "window.__xss=1").first).to_be_attached()
    assert_inert(page, traffic, "audit")
