"""Each role's working day on the current layout, at a desk (1280x800) and on a tablet (768x1024).

Issue 13's done-criterion. Each role signs in with its demo account and does what that person
does in a day through the real UI (clicks and typing, not only navigation):

- coordinator: Today (the launchpad counts), Intake (a new consult request created), Schedule
  (a case's provider's day with its free slots, the next free one found and another picked),
  Board;
- nurse: Today, Checklist (a case opened by a tap on its row of the day table, the next step
  ticked with the primary button), Follow-up (the first worklist row opened), Board;
- manager: Today, Metrics (charts drawn, another tab opened), Audit (a case's history found by
  its code), Board;
- admin: Today, Admin (the users list, the sessions list), Board with every office; on a demo
  of five offices of its own, the Board's overview (a row per office) and an office opened.

On every screen, at each width: its title, no exception box and no traceback, and nothing wider
than the window (no sideways scrolling; a failure names the elements that stick out). Each
screen lands in test-artifacts/screens/day-<role>-<screen>-<width>.png, whole.

The cases the coordinator reschedules, the nurse ticks and the manager looks up are made for
now at the nurse's first office (tests.builders, in the server's database, as
test_checklist_tablet's `booked` fixture makes its case), so the walk does not depend on the
hour: by the evening every demo case of the day is discharged.

A table or a tab bar wider than the window scrolls sideways inside itself (Streamlit's
dataframe and tabs); that is not the page scrolling, and is not failed here.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import sqlite3
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from mild import messages
from mild.cases import CaseStatus
from mild.checklist import STEP_BY_KEY
from mild.staff import Screen
from tests.browser.conftest import (
    ROOT,
    SCREENS,
    AppServer,
    _python,
    demo_server,
    wait_for_app_idle,
)
from tests.browser.test_accessibility import SCREEN_TITLES
from tests.browser.test_booking import FOUND, NEXT_FREE, TAKEN, slots
from tests.browser.test_checklist_tablet import primary_buttons, tap_row
from tests.browser.test_procedure_day_journey import (
    choose,
    go_to,
    grid_cells,
    keyed,
    main,
    sign_in,
    type_date,
)
from tests.browser.test_sign_in import screenshot_whole_app
from ui.board import OVERVIEW_FROM

SIZES = {1280: {"width": 1280, "height": 800}, 768: {"width": 768, "height": 1024}}
WIDTHS = pytest.mark.parametrize("width", list(SIZES), ids=["desk-1280x800", "tablet-768x1024"])

# --- the cases of the day ----------------------------------------------------------------------

# A case booked for now at an office (tests.builders), its patient and case numbered after
# argv[2] (MRNs are unique: each case made here has numbers of its own); checked in by the
# user whose id is argv[3], if not 0, through the service as the app does it (audited).
MAKE_A_CASE = """
import datetime as dt
import sys
from mild.cases import CaseStatus
from mild.staff import Role
from services.common import Actor
from tests.builders import do_step, make_case, numbered_after
office_id, after, checked_in_by = map(int, sys.argv[1:])
with numbered_after(after):
    case_id = make_case(office_id, CaseStatus.SCHEDULED, dt.datetime.now(dt.UTC))
if checked_in_by:
    nurse = Actor(checked_in_by, "nurse", "Demo Nurse", Role.NURSE, frozenset({office_id}))
    do_step(case_id, "checked_in", nurse)
print(case_id)
"""
_NUMBERS = itertools.count(870000, 100)  # away from the tablet test's 880000


@dataclass(frozen=True)
class DayCase:
    id: int
    code: str
    office: str  # "Name (CODE)", as the pickers show it


def make_case(server: AppServer, *, checked_in: bool = False) -> DayCase:
    """A case booked for now at the nurse's first office, nothing ticked; or checked in by
    the nurse."""
    with sqlite3.connect(server.database) as db:
        nurse, office_id, name, office = db.execute(
            "SELECT u.id, o.id, o.name, o.code FROM staff_user u"
            " JOIN staff_office so ON so.staff_user_id = u.id JOIN office o ON o.id = so.office_id"
            " WHERE u.username = 'nurse' ORDER BY o.id LIMIT 1"
        ).fetchone()
    args = [str(office_id), str(next(_NUMBERS)), str(nurse if checked_in else 0)]
    made = subprocess.check_output(
        [_python(), "-c", MAKE_A_CASE, *args],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{server.database}"},
        timeout=60,
    )
    case_id = int(made)
    with sqlite3.connect(server.database) as db:
        (code,) = db.execute("SELECT code FROM mild_case WHERE id = ?", (case_id,)).fetchone()
    return DayCase(case_id, code, f"{name} ({office})")


# --- every screen, at each width ---------------------------------------------------------------

# Elements that reach past the window's right edge, outermost first (a child of one that
# sticks out is not listed again): each named by its tag, test id, widget key and first words,
# in the nearest keyed or test-id'd element around it, with what clips it, if anything does.
OVERFLOW_JS = """() => {
    const vw = window.innerWidth;
    const label = el => {
        const key = [...el.classList].find(c => c.startsWith('st-key-'));
        const id = el.getAttribute('data-testid');
        return el.tagName.toLowerCase() + (id ? `[${id}]` : '') + (key ? `.${key}` : '');
    };
    const name = el => {
        const text = (el.innerText || '').trim().split('\\n')[0].slice(0, 50);
        const around = el.parentElement?.closest('[data-testid], [class*="st-key-"]');
        return label(el) + (text ? ` "${text}"` : '') + (around ? ` in ${label(around)}` : '');
    };
    const clipper = el => {
        for (let p = el.parentElement; p; p = p.parentElement) {
            const s = getComputedStyle(p);
            if (s.overflowX !== 'visible' && p.getBoundingClientRect().right <= vw + 0.5) {
                return name(p) + ` (overflow-x: ${s.overflowX})`;
            }
        }
        return null;
    };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width === 0 || r.height === 0 || r.right <= vw + 0.5) continue;
        const parent = el.parentElement;
        if (parent && parent.getBoundingClientRect().right > vw + 0.5) continue;
        out.push({element: name(el), right: Math.round(r.right), clippedBy: clipper(el)});
    }
    const m = document.querySelector('[data-testid="stMain"]');
    return {
        page: document.documentElement.scrollWidth,
        window: vw,
        main: m ? m.scrollWidth : 0,
        mainWidth: m ? m.clientWidth : 0,
        sticking: out,
    };
}"""


# No transition under way (a fold closing after a save draws an empty box while it runs).
SETTLED_JS = """() => document.getAnimations().every(
    a => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity
)"""


# Every control in the main area a finger can reach (issue 13: 44 px tap targets on a
# tablet), less four kinds each inside a 44 px target that does the same: the calendar icon of
# a date field (a tap on the field opens the calendar), a multiselect's chip "x" and its
# clear/open icons (the 44 px field opens the list, where a tap unticks), a help "?" beside a
# label (its text is also in the field's help or the page), and what shows on hover only (a
# mouse, not a finger): the toolbars of a table or chart, a heading's link. What is smaller is
# listed: "<testid or tag> '<text>' <height> px".
SMALL_TARGETS_JS = """(least) => {
    const exempt = el => el.closest([
        '[data-testid="stDateInputCalendarButton"]',
        '[data-testid="stMultiSelect"] button',
        '[data-testid="stTooltipIcon"]',
        '[data-testid="stElementToolbar"]',
        '[data-testid="stHeaderActionElements"]',
        '[data-testid="stDataFrame"]',
    ].join(','));
    const targets = document.querySelectorAll('[data-testid="stMain"] :is(' + [
        'button', 'a[href]', '[role="tab"]', '[data-testid="stRadioOption"]',
        '[data-testid="stCheckbox"] label', 'summary', '[data-testid="stTextInputRootElement"]',
        '[data-testid="stNumberInputContainer"]', '[data-testid="stDateInputField"]',
        '[data-testid="stTimeInputTimeDisplay"]', '[data-testid="stSelectbox"] [role="combobox"]',
    ].join(',') + ')');
    const small = [];
    for (const el of targets) {
        const box = el.getBoundingClientRect();
        if (!box.height || !box.width || exempt(el)) continue;
        if (getComputedStyle(el).visibility === 'hidden') continue;
        const field = el.closest('[data-testid="stSelectbox"] div:has(> input)');
        const height = field ? field.getBoundingClientRect().height : box.height;
        if (height < least - 0.5) {
            const name = el.getAttribute('data-testid') || el.tagName.toLowerCase();
            const text = (el.innerText || el.getAttribute('aria-label') || '').trim().slice(0, 30);
            small.push(`${name} '${text}' ${Math.round(height)} px`);
        }
    }
    return [...new Set(small)];
}"""
TAP_TARGET_PX = 44


@dataclass(frozen=True)
class Day:
    """One role's walk at one width: checks and pictures every screen it reaches."""

    page: Page
    role: str
    width: int

    def open(self, screen: Screen) -> Locator:
        """Follow the screen's link in the navigation; its main area. On a narrow screen the
        links that do not fit are under "N more" at the end of the bar."""
        page = self.page
        title = SCREEN_TITLES[screen]
        link = page.get_by_test_id("stTopNavLink").filter(has_text=screen.label)
        if link.evaluate("a => !a.closest('[inert]')"):  # a link that does not fit is inert
            go_to(page, screen.label, title, screen.value)
            return main(page)
        page.get_by_test_id("stTopNav").get_by_text(re.compile(r"^\d+ more$")).click()
        page.get_by_test_id("stTopNavDropdownLink").filter(has_text=screen.label).click()
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        expect(page).to_have_url(re.compile(f"/{screen.value}$"))
        wait_for_app_idle(page)
        return main(page)

    def looks_right(self, screen: Screen, part: str = "") -> None:
        """The screen as a user sees it: its title, no error, nothing off the window's edge;
        saved whole as day-<role>-<screen>[-<part>]-<width>.png once it is at rest."""
        page = self.page
        wait_for_app_idle(page)
        page.wait_for_function(SETTLED_JS)
        title = SCREEN_TITLES[screen]
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_text("Traceback")).to_have_count(0)
        found = page.evaluate(OVERFLOW_JS)
        SCREENS.mkdir(parents=True, exist_ok=True)
        name = "-".join(filter(None, [self.role, screen.value, part, str(self.width)]))
        screenshot_whole_app(page, f"day-{name}.png")
        sideways = found["page"] > found["window"] or found["main"] > found["mainWidth"]
        assert not sideways, f"{self.role} / {title} at {self.width} px scrolls sideways:\n" + (
            "\n".join(sticking_out(found))
        )
        if self.width <= SIZES[768]["width"]:  # the tablet: every target a finger's size
            small = page.evaluate(SMALL_TARGETS_JS, TAP_TARGET_PX)
            assert not small, f"{self.role} / {title}: under {TAP_TARGET_PX} px:\n" + (
                "\n".join(small)
            )


def sticking_out(found: dict) -> list[str]:
    """OVERFLOW_JS's finds in words."""
    lines = [
        f"the page is {found['page']} px wide, its main block {found['main']} px, "
        f"in a window {found['window']} px wide"
    ]
    for each in found["sticking"]:
        clipped = f", clipped by {each['clippedBy']}" if each["clippedBy"] else ""
        lines.append(f"  {each['element']} reaches {each['right']} px{clipped}")
    return lines


def offices_shown(table: Locator, offices: list[str]) -> None:
    for office in offices:
        expect(grid_cells(table, office)).to_have_count(1)


def today(day: Day, offices: list[str]) -> None:
    """The launchpad: a row of today's counts per office, and the day's cases."""
    counts = keyed(day.page, "home_offices").get_by_test_id("stDataFrame")
    expect(counts).to_be_visible()
    offices_shown(counts, offices)
    expect(main(day.page).get_by_text(messages.HOME_COUNTS_OPEN, exact=True)).to_be_visible()
    day.looks_right(Screen.HOME)


def start_the_day(page: Page, server: AppServer, role: str, width: int, offices: list[str]) -> Day:
    """Signed in with the role's demo account, at the width; on Today, the screen every
    sign-in lands on."""
    page.set_viewport_size(SIZES[width])
    sign_in(page, server, role)
    day = Day(page, role, width)
    today(day, offices)
    return day


def board(day: Day, codes: list[str]) -> None:
    """Every office of the user on the board, one box each."""
    area = day.open(Screen.BOARD)
    expect(area.locator("[class*='st-key-board_office_']")).to_have_count(len(codes))
    for code in codes:
        expect(keyed(day.page, f"board_office_{code}")).to_be_visible()
    day.looks_right(Screen.BOARD)


def office_codes(offices: list[str]) -> list[str]:
    return [re.search(r"\((\w+)\)$", o).group(1) for o in offices]


# --- the coordinator ---------------------------------------------------------------------------


def new_consult_request(day: Day, office: str) -> None:
    area = day.open(Screen.INTAKE)
    area.get_by_text("New consult request", exact=True).click()
    mrn = area.get_by_label("MRN", exact=True)
    mrn.fill(f"DAY-{day.width:04d}")
    mrn.press("Tab")
    wait_for_app_idle(day.page)
    area.get_by_label("First name", exact=True).fill("Rolanda")
    area.get_by_label("Last name", exact=True).fill("Deskday" if day.width > 800 else "Tabletday")
    type_date(area, "Date of birth", dt.date(1949, 8, 21))
    area.get_by_label("Patient phone", exact=True).fill("(555) 201-0000")
    choose(day.page, area, "Office", office)
    area.get_by_test_id("stRadioOption").filter(has_text="Phone").click()
    wait_for_app_idle(day.page)
    area.get_by_role("button", name="Create consult request").click()
    created = area.get_by_text(re.compile(r"^Consult request \S+ created\.$"))
    expect(created).to_be_visible()
    code = re.search(r"request (\S+) created", created.inner_text()).group(1)
    # The new case opens below the closed request form.
    expect(
        area.get_by_role("heading", name=f"{code} · {CaseStatus.REQUESTED.label}")
    ).to_be_visible()
    day.looks_right(Screen.INTAKE)


def pick_a_free_slot(day: Day, case: DayCase) -> None:
    """The case's provider's day beside the reschedule form, on a Monday one to two weeks
    ahead (a whole free day, whatever the hour: late on a weekday today's only free slot
    would be the one found): the next free slot found, then another free slot taken instead."""
    page = day.page
    area = day.open(Screen.SCHEDULE)
    choose(page, area, "Office", case.office)
    expect(grid_cells(keyed(page, "sched_day_cases"), case.code)).to_have_count(1)
    box = area.get_by_role("combobox", name="Case", exact=True)
    box.click()
    box.fill(case.code)
    page.get_by_role("option").filter(has_text=case.code).click()
    provider_day = keyed(page, "sched_new_day_view")
    expect(provider_day).to_be_visible()
    wait_for_app_idle(page)
    monday = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)
    monday += dt.timedelta(days=-monday.weekday() % 7)
    type_date(area, "New day", monday)
    expect(provider_day).to_contain_text(f"{monday:%a %d %b %Y}")
    wait_for_app_idle(page)
    area.get_by_role("button", name=NEXT_FREE).click()
    found = provider_day.get_by_text(FOUND)
    expect(found).to_be_visible()
    start = FOUND.search(found.inner_text()).group(2)
    expect(slots(provider_day, taken=True)).to_have_text(TAKEN + start)
    wait_for_app_idle(page)
    other = slots(provider_day, taken=False).last
    start = other.inner_text()
    other.click()
    expect(slots(provider_day, taken=True)).to_have_text(TAKEN + start)
    day.looks_right(Screen.SCHEDULE)


@WIDTHS
def test_a_coordinators_day(page: Page, app_server: AppServer, width: int) -> None:
    case = make_case(app_server)
    offices = app_server.office_headings()
    day = start_the_day(page, app_server, "coordinator", width, offices)
    new_consult_request(day, case.office)
    pick_a_free_slot(day, case)
    board(day, office_codes(offices))


# --- the nurse ---------------------------------------------------------------------------------


def tick_the_next_step(day: Day, case: DayCase) -> None:
    """A tap on the case's row of the day table opens it; the primary button ticks its next
    step (the first: nothing is ticked)."""
    page = day.page
    area = day.open(Screen.CHECKLIST)
    expect(area.get_by_role("combobox", name="Office", exact=True)).to_have_value(case.office)
    tap_row(page, area.get_by_test_id("stDataFrame").first, case.code)
    expect(keyed(page, "dayof_header")).to_contain_text(case.code)
    wait_for_app_idle(page)
    first = STEP_BY_KEY["checked_in"].label
    expect(primary_buttons(page)).to_have_accessible_name(f"Mark done · {first}")
    primary_buttons(page).click()
    expect(keyed(page, "dayof_step_checked_in")).to_contain_text("Done · ")
    second = STEP_BY_KEY["identity_confirmed"].label
    expect(primary_buttons(page)).to_have_accessible_name(f"Mark done · {second}")
    day.looks_right(Screen.CHECKLIST)


def open_first_follow_up(day: Day) -> None:
    page = day.page
    area = day.open(Screen.FOLLOW_UP)
    worklist = keyed(page, "fu_worklist")
    expect(worklist.or_(area.get_by_text(messages.FU_NOTHING_DUE, exact=True))).to_be_visible()
    if worklist.count():
        box = area.get_by_role("combobox", name="Record a follow-up", exact=True)
        box.click()
        # Far down the page, the box is scrolled into view for the click, which then may not
        # open its list (a tap on a box in view does): the arrow key opens it.
        first = page.get_by_role("option").first
        try:
            expect(first).to_be_visible(timeout=3_000)
        except AssertionError:
            box.press("ArrowDown")
        expect(first).to_be_visible()
        code = first.inner_text().rsplit(" · ", 1)[-1]
        first.click()
        expect(keyed(page, "fu_record")).to_contain_text(f"Case {code}")
    day.looks_right(Screen.FOLLOW_UP)


@WIDTHS
def test_a_nurses_day(page: Page, app_server: AppServer, width: int) -> None:
    case = make_case(app_server)
    offices = app_server.office_headings()[:2]  # the nurse works at the first two
    day = start_the_day(page, app_server, "nurse", width, offices)
    tick_the_next_step(day, case)
    open_first_follow_up(day)
    board(day, office_codes(offices))


# --- the manager -------------------------------------------------------------------------------


def metrics(day: Day, offices: list[str]) -> None:
    area = day.open(Screen.METRICS)
    expect(keyed(day.page, "metrics_glance")).to_contain_text(messages.METRICS_TARGETS_GLANCE)
    # Each office chosen reads whole in the office picker (beside the dates, at 768 px one and
    # a half did).
    picker = keyed(day.page, "metrics_offices").get_by_test_id("stMultiSelectTagsContainer")
    edge = picker.bounding_box()  # the chips scroll sideways within it when they do not fit
    chips = picker.locator("[data-tag]")
    expect(chips).to_have_count(len(offices))
    for chip in chips.all():
        shown = chip.bounding_box()
        assert edge is not None and shown is not None
        assert shown["x"] + shown["width"] <= edge["x"] + edge["width"], chip.inner_text()
        # Its words whole, not cut short with an ellipsis.
        cut = chip.locator("[title]").evaluate("words => words.scrollWidth > words.clientWidth")
        assert not cut, chip.inner_text()
    area.get_by_role("tab", name="Throughput", exact=True).click()
    expect(
        keyed(day.page, "metrics_completed_chart").get_by_test_id("stPlotlyChart")
    ).to_be_visible()
    day.looks_right(Screen.METRICS)


def case_history(day: Day, case: DayCase) -> None:
    area = day.open(Screen.AUDIT)
    typed = area.get_by_label("Case code", exact=True)
    typed.fill(case.code)
    typed.press("Enter")
    told = messages.AUDIT_CASE_STORY.format(code=case.code, events="1 event")
    expect(area.get_by_text(told.split(".")[0] + ".")).to_be_visible()  # "... 1 event."
    expect(area).to_contain_text(f"ticked “{STEP_BY_KEY['checked_in'].label}”")
    day.looks_right(Screen.AUDIT)


@WIDTHS
def test_a_managers_day(page: Page, app_server: AppServer, width: int) -> None:
    case = make_case(app_server, checked_in=True)
    offices = app_server.office_headings()
    day = start_the_day(page, app_server, "manager", width, offices)
    metrics(day, offices)
    case_history(day, case)
    board(day, office_codes(offices))


# --- the admin ---------------------------------------------------------------------------------


def users_and_sessions(day: Day) -> None:
    area = day.open(Screen.ADMIN)
    area.get_by_role("tab", name="Users", exact=True).click()
    users = keyed(day.page, "admin_users_table")
    for username in ("admin", "coordinator", "manager", "nurse"):
        expect(grid_cells(users, re.compile(f"^{username}$"))).to_have_count(1)
    day.looks_right(Screen.ADMIN, "users")
    area.get_by_role("tab", name="Sessions", exact=True).click()
    expect(area.locator("[class*='st-key-admin_sessions_']").first).to_be_visible()
    expect(area.get_by_text(messages.ADMIN_THIS_BROWSER, exact=True)).to_be_visible()
    day.looks_right(Screen.ADMIN, "sessions")


@WIDTHS
def test_an_admins_day(page: Page, app_server: AppServer, width: int) -> None:
    offices = app_server.office_headings()
    day = start_the_day(page, app_server, "admin", width, offices)
    users_and_sessions(day)
    board(day, office_codes(offices))


# --- many offices ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def five_offices() -> Iterator[AppServer]:
    """A demo of five offices of its own (the suite's shared one has three): the Board of an
    admin, who sees every office, opens on its overview (ui.board.OVERVIEW_FROM)."""
    with demo_server(["--offices", "5", "--years", "0.1"]) as (server, _):
        yield server


@WIDTHS
def test_an_admins_board_of_five_offices_is_one_overview_and_an_office_opens_on_a_tap(
    page: Page, five_offices: AppServer, width: int
) -> None:
    offices = five_offices.office_headings()
    codes = office_codes(offices)
    assert len(codes) >= OVERVIEW_FROM
    day = start_the_day(page, five_offices, "admin", width, offices)
    area = day.open(Screen.BOARD)

    # One table, a row per office; no office drawn in full until it is opened.
    overview = keyed(page, "board_overview")
    expect(overview.locator("table tbody tr")).to_have_count(len(codes))
    for code in codes:
        expect(overview).to_contain_text(code)
    expect(area.locator("[class*='st-key-board_office_']")).to_have_count(0)
    day.looks_right(Screen.BOARD, "overview")

    # A tap on an office's name opens its fold: its cases, as on a board of that office alone.
    fold = keyed(page, f"board_fold_{codes[-1]}")
    fold.get_by_text(offices[-1]).click()
    office = keyed(page, f"board_office_{codes[-1]}")
    expect(office).to_be_visible()
    expect(area.locator("[class*='st-key-board_office_']")).to_have_count(1)
    # Case codes on one line, in its cases and in its open escalations (ui.style).
    cells = office.evaluate(CASE_CODE_CELLS_JS)
    # The demo seeds cases every day and an open escalation at every office (db.seed).
    assert {c["table"] for c in cells} == {0, 1}, cells  # its cases, its escalations
    assert all(c["nowrap"] for c in cells), cells
    day.looks_right(Screen.BOARD, "office-open")


# Every table cell holding a case code only: which table of the box, and whether it keeps the
# code on one line.
CASE_CODE_CELLS_JS = """box => [...box.querySelectorAll('table')].flatMap((table, n) =>
    [...table.querySelectorAll('td')]
        .filter(td => /^[A-Z0-9]+-\\d+$/.test(td.innerText.trim()))
        .map(td => ({table: n, code: td.innerText.trim(),
                     nowrap: getComputedStyle(td).whiteSpace === 'nowrap'})))"""
