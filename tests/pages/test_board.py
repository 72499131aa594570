"""The live status board page: stages per office in colour, alerts in colour and words, one
office or all, the escalation flag, the waiting-room display of one office (large waiting-room
codes, ended by any staff member of the office), and the timer that reruns the board alone."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

import pandas as pd
import pytest
import streamlit
import streamlit.testing.v1.local_script_runner as script_runner
from sqlalchemy import func, select
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash

import ui.auth
import ui.board
import ui.board_view
import ui.redirect
from db.models import AuditEvent, Case, FollowUp, Patient, Provider
from db.queries.board import ESCALATION_COLUMNS, OfficeBoard
from db.queries.home import OfficeRow
from db.session import read_session, transaction
from mild import messages
from mild.board import ESCALATION_BADGE, STAGE_COLOURS
from mild.board_alerts import AlertKind, AlertLevel, BoardAlert
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.followup import RedFlag
from mild.staff import Role, Screen
from tests.builders import PASSWORD, make_case, make_follow_up, make_office, make_user
from tests.pages.conftest import SQLITE_ONLY, sign_in
from ui.auth import SESSION_KEY
from ui.board_view import ALERT_COLOURS, PAST_LIMIT_COLOUR
from ui.format import plain

TZ = "America/New_York"


def today_at(hour: int, minute: int = 0) -> dt.datetime:
    return at_local(TZ, local_today(TZ, dt.datetime.now(dt.UTC)), dt.time(hour, minute))


def open_board(app, username: str = "nina") -> AppTest:
    """Sign in and open the board by its url path's hash, as a browser asks for a page."""
    at = sign_in(app().run(), username, PASSWORD)
    at._page_hash = calc_hash(Screen.BOARD.value)
    return at.run()


@dataclass
class Table:
    """One of the board's tables as read: header cells, rows of cell texts, and each cell's
    colour ("" for none; a stage badge's colour, or red for a row past its time limit)."""

    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    colours: list[list[str]] = field(default_factory=list)

    def column(self, name: str) -> list[str]:
        n = self.header.index(name)
        return [row[n] for row in self.rows]

    def colours_of(self, name: str) -> list[str]:
        n = self.header.index(name)
        return [colours[n] for colours in self.colours]


@dataclass
class OfficeSection:
    """One office's box on the board, read from its one Markdown element as a user reads it."""

    heading: str
    chips: list[tuple[str, str]]  # (text, badge colour)
    notes: list[str]
    tables: dict[str, Table]  # "cases", "escalations"
    text: str


BADGE = re.compile(r":(\w+)-badge\[(?::material/\w+: )?((?:\\.|[^\]\\])*)\]")
# A time in stage followed by an alert in colour: "2 h 10 min :red[**...**]".
TIMED = re.compile(r"([^:]*?) ?(:\w+\[.*\])")
COLOURED = re.compile(r"^:(\w+)\[\*\*(?::material/\w+: )?(.*)\*\*\]$")
NOTE = re.compile(r"^:small\[:gray\[(.*)\]\]$")


def unescape(text: str) -> str:
    """What Markdown shows of text escaped by ui.format.plain."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace("\u2060", "")


def read_cell(cell: str) -> tuple[str, str]:
    """A cell's text as shown and its colour; a time followed by coloured text reads
    "time · text", in that colour."""
    cell = cell.strip()
    if found := BADGE.fullmatch(cell):
        return unescape(found[2]), found[1]
    if (timed := TIMED.fullmatch(cell)) and timed[1] and (found := COLOURED.match(timed[2])):
        return f"{unescape(timed[1])} · {unescape(found[2])}", found[1]
    if found := COLOURED.match(cell):
        return unescape(found[2]), found[1]
    return unescape(cell), ""


def read_table(block: str) -> Table:
    header, _rule, *lines = block.splitlines()

    def cells(line: str) -> list[tuple[str, str]]:
        return [read_cell(c) for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])]

    table = Table(header=[text for text, _ in cells(header)])
    for line in lines:
        table.rows.append([text for text, _ in cells(line)])
        table.colours.append([colour for _, colour in cells(line)])
    return table


def read_office(markdown: str) -> OfficeSection:
    first, *blocks = markdown.split("\n\n")
    heading = unescape(re.match(r"\*\*(.*?)\*\*", first)[1])
    chips = [(unescape(text), colour) for colour, text in BADGE.findall(first)]
    notes = [unescape(found[1]) for b in blocks if (found := NOTE.match(b))]
    tables = {}
    for block in blocks:
        if block.startswith("|"):
            table = read_table(block)
            tables["escalations" if "Tier" in table.header else "cases"] = table
    text = "\n".join(
        [heading, *(t for t, _ in chips), *notes]
        + [c for t in tables.values() for row in [t.header, *t.rows] for c in row]
    )
    return OfficeSection(heading, chips, notes, tables, text)


def office_box(at: AppTest, code: str) -> OfficeSection:
    (box,) = [c for c in at.container if c.key == f"board_office_{code}"]
    (markdown,) = box.markdown
    return read_office(markdown.value)


def board_boxes(at: AppTest) -> list[str]:
    prefix = "board_office_"
    return [c.key[len(prefix) :] for c in at.container if (c.key or "").startswith(prefix)]


def cases_table(at: AppTest, code: str) -> Table:
    return office_box(at, code).tables["cases"]


def code_of(case_id: int) -> str:
    with read_session() as s:
        return s.get(Case, case_id).code


def names_of(case_id: int) -> list[str]:
    """What would identify the patient or the provider on a public screen."""
    with read_session() as s:
        case = s.get(Case, case_id)
        patient = s.get(Patient, case.patient_id)
        provider = s.get(Provider, case.provider_id)
        return [patient.last_name, patient.first_name, provider.name, f"{patient.date_of_birth}"]


def everything_shown(at: AppTest) -> str:
    """All text on the page, table cells included."""
    elements = [e for block in (at.main, at.sidebar) for e in block if not hasattr(e, "children")]
    parts = [str(getattr(e, "value", "")) for e in elements]
    parts += [df.value.to_csv() for df in at.dataframe]
    for code in board_boxes(at):
        (box,) = [c for c in at.container if c.key == f"board_office_{code}"]
        (markdown,) = box.markdown
        # A waiting-room display's office is headed by its name, a staff board's by a bold one.
        public = markdown.value.startswith("## ")
        parts.append(unescape(markdown.value) if public else office_box(at, code).text)
    return "\n".join(parts)


def escalate(case_id: int, office_id: int, flags: str) -> int:
    follow_up = make_follow_up(case_id, office_id)
    with transaction() as s:
        fu = s.get(FollowUp, follow_up)
        fu.escalated_at = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
        fu.red_flags = flags
    return follow_up


@pytest.fixture
def offices(db_url):
    aa, bb = make_office("AA", TZ), make_office("BB", TZ)
    make_user("nina", Role.NURSE, [aa, bb])
    return aa, bb


@SQLITE_ONLY
def test_the_board_shows_todays_cases_by_stage_in_colour_with_cancellations_apart(
    offices, app, monkeypatch
):
    aa, _bb = offices
    # The board's clock at 08:00 office time, whatever the hour the suite runs: late in the
    # evening the case booked for 23:00 was late to arrive (an alert).
    monkeypatch.setattr(ui.board, "now_utc", lambda: today_at(*CLOCK))
    later = make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    started = make_case(aa, CaseStatus.IN_PROCEDURE, today_at(7, 30))
    with transaction() as s:
        s.get(Case, started).procedure_started_at = today_at(*CLOCK) - dt.timedelta(
            minutes=25, seconds=10
        )
    resting = make_case(aa, CaseStatus.RECOVERY, today_at(0, 10))
    cancelled = make_case(aa, CaseStatus.CANCELLED, today_at(22))
    tomorrow = make_case(aa, CaseStatus.SCHEDULED, today_at(9) + dt.timedelta(days=1))

    at = open_board(app)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Status board"]
    # One Markdown element per office: no badge, caption or data grid of its own.
    assert len(office_markdowns(at)) == 2 and not at.dataframe
    assert board_boxes(at) == ["AA", "BB"]
    box = office_box(at, "AA")
    assert box.heading == "AA Office (AA)"
    assert box.chips == [
        ("Scheduled: 1", STAGE_COLOURS[CaseStatus.SCHEDULED].badge),
        ("Checked in: 0", STAGE_COLOURS[CaseStatus.CHECKED_IN].badge),
        ("In procedure: 1", STAGE_COLOURS[CaseStatus.IN_PROCEDURE].badge),
        ("Recovery: 1", STAGE_COLOURS[CaseStatus.RECOVERY].badge),
        ("Discharged: 0", STAGE_COLOURS[CaseStatus.DISCHARGED].badge),
    ]
    shown = box.tables["cases"]
    assert shown.header[0] in ("Start (EST)", "Start (EDT)")
    assert shown.header[1:] == [
        "Case",
        "Waiting code",
        "Patient",
        "Provider",
        "Stage",
        "In stage",
        "Escalation",
    ]
    assert shown.column("Case") == [code_of(c) for c in (later, started, resting)]
    assert shown.column("Stage") == ["Scheduled", "In procedure", "Recovery"]
    assert shown.column("In stage")[1] == "25 min"
    assert shown.column("Patient")[0].startswith(names_of(later)[0])
    assert shown.colours_of("Stage") == [
        STAGE_COLOURS[stage].badge
        for stage in (CaseStatus.SCHEDULED, CaseStatus.IN_PROCEDURE, CaseStatus.RECOVERY)
    ]
    assert set(shown.colours_of("Case")) == {""}  # only the stage is coloured
    assert f"Cancelled (1): {code_of(cancelled)}" in box.notes
    captions = [c.value for c in at.caption]
    assert any(
        c.startswith("Updated ") and c.endswith("refreshes by itself every 15 s") for c in captions
    )
    assert code_of(tomorrow) not in everything_shown(at)
    empty = office_box(at, "BB")
    assert messages.NO_CASES_TODAY.format(office="BB Office") in empty.notes
    assert "cases" not in empty.tables
    assert messages.BOARD_NO_CANCELLED in empty.notes


CLOCK = (8, 0)  # the board's clock in tests that set it: before the later cases' start


def many_offices(codes: list[str]) -> list[int]:
    """Offices each with a case scheduled for later, one checked in ahead of its start, one
    discharged with an escalation raised 5 min before the board's clock (within its limit) and,
    every other office, a cancellation; nothing late or long at CLOCK. An admin ("root") and a
    nurse of the first office ("one")."""
    offices = [make_office(code, TZ) for code in codes]
    make_user("one", Role.NURSE, offices[:1])
    make_user("root", Role.ADMIN, [])
    for n, office in enumerate(offices):
        make_case(office, CaseStatus.SCHEDULED, today_at(23))
        make_case(office, CaseStatus.CHECKED_IN, today_at(8, 30))
        follow_up = escalate(
            make_case(office, CaseStatus.DISCHARGED, today_at(0, 1)), office, RedFlag.FEVER.value
        )
        with transaction() as s:
            s.get(FollowUp, follow_up).escalated_at = today_at(*CLOCK) - dt.timedelta(minutes=5)
        if n % 2:
            make_case(office, CaseStatus.CANCELLED, today_at(22))
    return offices


def folds(at: AppTest) -> dict[str, object]:
    """The overview's office folds, by office code ("AA Office (AA) · ...")."""
    labelled = {unescape(e.proto.label): e for e in at.expander}
    return {
        label.split(" · ")[0].rsplit("(", 1)[1].rstrip(")"): e
        for label, e in labelled.items()
        if label.split(" · ")[0].endswith(")")
    }


def overview(at: AppTest) -> Table:
    (box,) = [c for c in at.container if c.key == "board_overview"]
    (markdown,) = box.markdown
    return read_table(markdown.value)


@SQLITE_ONLY
def test_an_office_on_its_own_is_its_box_and_one_markdown(db_url, app):
    many_offices(["AA", "BB"])

    at = open_board(app, "one")

    assert not at.exception and board_boxes(at) == ["AA"]
    shown = office_box(at, "AA")
    assert shown.tables["cases"].column("Stage") == ["Scheduled", "Checked in", "Discharged"]
    assert len(shown.tables["escalations"].rows) == 1


@SQLITE_ONLY
def test_many_offices_open_on_one_overview_and_each_office_is_drawn_once_opened(
    db_url, app, monkeypatch
):
    """From OVERVIEW_FROM offices at once: a row per office, then a fold per office that draws
    nothing until tapped (issue 12: 25 offices' tables were paid on every refresh)."""
    codes = ["AA", "BB", "CC", "DD", "EE", "FF"]
    assert len(codes) >= ui.board.OVERVIEW_FROM
    many_offices(codes)
    monkeypatch.setattr(ui.board, "now_utc", lambda: today_at(*CLOCK))

    at = open_board(app, "root")

    assert not at.exception and board_boxes(at) == []
    table = overview(at)
    assert table.header == [
        "Office",
        "Scheduled",
        "Checked in",
        "In procedure",
        "Recovery",
        "Discharged",
        "Alerts",
        "Escalated",
    ]
    assert table.column("Office") == [f"**{code}**" for code in codes]
    assert table.column("Scheduled") == table.column("Checked in") == ["1"] * len(codes)
    assert table.column("Escalated") == ["1"] * len(codes)
    assert at.caption[0].value == messages.BOARD_OVERVIEW.format(n=len(codes))
    shown = folds(at)
    assert list(shown) == codes
    assert unescape(shown["AA"].proto.label) == "AA Office (AA)"
    assert all(not fold.children for fold in shown.values())  # folded: nothing drawn

    at.session_state["board_fold_CC"] = True  # as a coordinator taps it open
    at = at.run()

    assert board_boxes(at) == ["CC"]
    cc = office_box(at, "CC")
    assert cc.tables["cases"].column("Stage") == ["Scheduled", "Checked in", "Discharged"]
    assert cc.notes[-1] == messages.BOARD_NO_CANCELLED


@SQLITE_ONLY
def test_an_office_with_a_red_alert_is_said_on_the_overview_and_its_fold_stays_as_it_was(
    db_url, app, monkeypatch
):
    """The overview's row says it, in colour and in words. The office's fold keeps its label
    and icon: Streamlit makes a fold whose label changed a new one, folded, so a case turning
    late would close the office a coordinator had opened."""
    codes = ["AA", "BB", "CC", "DD"]
    offices = many_offices(codes)
    monkeypatch.setattr(ui.board, "now_utc", lambda: today_at(*CLOCK))
    at = open_board(app, "root")
    at.session_state["board_fold_CC"] = True  # a coordinator opens CC
    at = at.run()
    before = folds(at)["CC"].proto

    make_case(offices[2], CaseStatus.SCHEDULED, today_at(7, 30))  # 30 min late: red
    at = at.run()  # the board's next refresh

    assert not at.exception and board_boxes(at) == ["CC"]  # still open
    after = folds(at)["CC"].proto
    assert (after.label, after.icon) == (before.label, before.icon)
    assert unescape(after.label) == "CC Office (CC)"
    table = overview(at)
    assert table.column("Alerts") == ["0", "0", "1 (1 red)", "0"]
    assert table.colours_of("Alerts")[2] == ALERT_COLOURS[AlertLevel.RED]


@SQLITE_ONLY
def test_late_and_long_cases_turn_amber_then_red_and_the_office_header_counts_them(
    offices, app, monkeypatch
):
    aa, _bb = offices
    monkeypatch.setattr(ui.board, "now_utc", lambda: today_at(11))  # the board's clock
    amber = make_case(aa, CaseStatus.CHECKED_IN, today_at(10, 50))  # 10 min past its start
    red = make_case(aa, CaseStatus.SCHEDULED, today_at(10, 30))  # 30 min past
    resting = make_case(aa, CaseStatus.RECOVERY, today_at(8))
    with transaction() as s:
        s.get(Case, resting).recovery_in_at = today_at(9, 45)  # 75 min: within policy
    make_case(aa, CaseStatus.SCHEDULED, today_at(13))

    at = open_board(app)

    box = office_box(at, "AA")
    shown = box.tables["cases"]
    alerts = dict(zip(shown.column("Case"), shown.column("In stage"), strict=True))
    assert alerts[code_of(amber)] == "Amber: 10 min late"  # no check-in time: none in stage
    assert alerts[code_of(red)] == "Red: 30 min late"
    assert alerts[code_of(resting)] == "1 h 15 min"
    colours = dict(zip(shown.column("Case"), shown.colours_of("In stage"), strict=True))
    assert colours[code_of(amber)] == ALERT_COLOURS[AlertLevel.AMBER]
    assert colours[code_of(red)] == ALERT_COLOURS[AlertLevel.RED]
    assert ("Alerts: 2 (1 red)", ALERT_COLOURS[AlertLevel.RED]) in box.chips


@SQLITE_ONLY
def test_choosing_one_office_shows_only_its_board(offices, app):
    aa, bb = offices
    make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    theirs = make_case(bb, CaseStatus.CHECKED_IN, today_at(0, 5))
    at = open_board(app)
    assert at.selectbox(key="board_office").options == [
        "All my offices",
        "AA Office (AA)",
        "BB Office (BB)",
    ]

    at.selectbox(key="board_office").set_value(aa).run()

    assert board_boxes(at) == ["AA"]
    assert code_of(theirs) not in everything_shown(at)


@SQLITE_ONLY
def test_a_nurse_sees_only_the_offices_she_works_at(offices, app):
    elsewhere = make_office("ZZ", TZ)
    hidden = make_case(elsewhere, CaseStatus.IN_PROCEDURE, today_at(0, 5))

    at = open_board(app)

    assert "ZZ Office (ZZ)" not in at.selectbox(key="board_office").options
    assert "ZZ" not in board_boxes(at)
    assert code_of(hidden) not in everything_shown(at)


def start_display(at: AppTest) -> AppTest:
    at.button(key="board_display_start").click()
    return at.run()


def leave_display(at: AppTest, password: str, username: str = "") -> AppTest:
    at.text_input(key="board_display_username").input(username)
    at.text_input(key="board_display_password").input(password)
    (leave,) = [b for b in at.button if b.label == "Leave the display"]
    leave.click()
    return at.run()


def audited(action: str) -> int:
    with read_session() as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == action))


def give_code(case_id: int, code: str) -> None:
    with transaction() as s:
        s.get(Case, case_id).waiting_code = code


def display_text(at: AppTest, code: str) -> str:
    (box,) = [c for c in at.container if c.key == f"board_office_{code}"]
    (markdown,) = box.markdown
    return markdown.value


@SQLITE_ONLY
def test_the_display_shows_one_office_so_all_my_offices_asks_to_choose_one(offices, app):
    at = start_display(open_board(app))

    assert messages.DISPLAY_ONE_OFFICE in [e.value for e in at.error]
    assert [t.value for t in at.title] == ["Status board"]
    assert audited("board.display_started") == 0


@SQLITE_ONLY
def test_the_waiting_room_display_shows_large_waiting_codes_by_stage_and_nothing_else(offices, app):
    aa, _bb = offices
    ids = [
        make_case(aa, CaseStatus.SCHEDULED, today_at(23)),
        make_case(aa, CaseStatus.IN_PROCEDURE, today_at(0, 30)),
        make_case(aa, CaseStatus.CHECKED_IN, today_at(0, 40)),
        make_case(aa, CaseStatus.CANCELLED, today_at(22)),
    ]
    give_code(ids[1], "K482")
    give_code(ids[2], "P117")
    escalate(ids[1], aa, RedFlag.FEVER.value)
    at = open_board(app)
    assert names_of(ids[0])[0] in everything_shown(at)  # names show in staff mode
    at.selectbox(key="board_office").set_value(aa).run()

    at = start_display(at)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == [messages.DISPLAY_TITLE]
    assert board_boxes(at) == ["AA"]
    shown = display_text(at, "AA")
    # Each stage in words with its icon, its codes in large type (KaTeX's \Huge in a heading).
    checked_in, in_procedure = (
        STAGE_COLOURS[stage].badge for stage in (CaseStatus.CHECKED_IN, CaseStatus.IN_PROCEDURE)
    )
    assert shown.split("\n\n") == [
        "## AA Office",
        f"### :{checked_in}[:material/how_to_reg: Checked in]",
        r"# $\Huge\textsf{P117}$",
        f"### :{in_procedure}[:material/medical_services: In procedure]",
        r"# $\Huge\textsf{K482}$",
        f"#### {plain(messages.DISPLAY_HOW_TO_READ)}",
    ]
    assert messages.BOARD_PUBLIC_NOTE in [c.value for c in at.caption]
    text = everything_shown(at) + shown
    for case_id in ids:
        for secret in [*names_of(case_id), code_of(case_id)]:
            assert secret not in text
    assert RedFlag.FEVER.label not in text
    assert "nina" not in text.lower()  # whose session it is stays off the screen
    # No way to the staff screens: no sign-out, no office picker, no display button.
    keys = {b.key for b in at.button}
    assert not keys & {"nav_sign_out", "board_display_start"}
    assert not [s for s in at.selectbox if s.key == "board_office"]
    assert audited("board.display_started") == 1

    # Asking for another screen by its address still shows the display.
    at._page_hash = calc_hash(Screen.FOLLOW_UP.value)
    at.run()
    assert [t.value for t in at.title] == [messages.DISPLAY_TITLE]


def on_display(app, office: int) -> AppTest:
    at = open_board(app)
    at.selectbox(key="board_office").set_value(office).run()
    return start_display(at)


@SQLITE_ONLY
def test_the_starter_leaves_the_display_with_her_password_alone(offices, app):
    aa, _bb = offices
    make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    at = on_display(app, aa)

    at = leave_display(at, "")
    assert messages.DISPLAY_PASSWORD_REQUIRED in [e.value for e in at.error]
    at = leave_display(at, "a-guess")
    assert messages.DISPLAY_PASSWORD_WRONG in [e.value for e in at.error]
    assert [t.value for t in at.title] == [messages.DISPLAY_TITLE]
    assert audited("board.display_unlock_failed") == 1

    at = leave_display(at, PASSWORD)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Status board"]
    assert messages.DISPLAY_OFF in [s.value for s in at.success]
    assert "nav_sign_out" in {b.key for b in at.button}
    assert at.session_state[SESSION_KEY].username == "nina"
    assert audited("board.display_ended") == 1


@SQLITE_ONLY
def test_any_staff_member_of_the_office_ends_the_display_and_is_signed_in_on_that_screen(
    offices, app, monkeypatch
):
    aa, _bb = offices
    sent: list[str] = []
    monkeypatch.setattr(ui.redirect, "_send", sent.append)
    make_user("cora", Role.COORDINATOR, [aa])
    make_user("otto", Role.NURSE, [offices[1]])
    at = on_display(app, aa)

    at = leave_display(at, PASSWORD, "otto")  # works elsewhere
    assert messages.DISPLAY_NOT_THIS_OFFICE in [e.value for e in at.error]
    assert [t.value for t in at.title] == [messages.DISPLAY_TITLE]
    # Nothing typed stays on the wall, not even a username.
    assert at.text_input(key="board_display_username").value == ""
    assert at.text_input(key="board_display_password").value == ""

    at.session_state["starter_left_this"] = "nina's"  # e.g. a case she had picked
    at = leave_display(at, PASSWORD, "cora")

    assert not at.exception and not at.error
    assert at.session_state[SESSION_KEY].username == "cora"
    assert "starter_left_this" not in at.session_state  # cora starts afresh
    assert [t.value for t in at.title] == ["Status board"]
    # The browser is sent to trade cora's one-time ticket for her own session cookie.
    # (nina's sign-in sent the first).
    assert len(sent) == 2 and sent[0] != sent[1]
    assert sent[1].startswith("/session/adopt?ticket=") and sent[1].endswith("next=%2Fboard")
    assert audited("board.display_ended") == 1


@SQLITE_ONLY
def test_an_escalation_is_flagged_on_the_board_until_it_is_resolved(offices, app):
    aa, _bb = offices
    todays = make_case(aa, CaseStatus.DISCHARGED, today_at(0, 5))
    yesterdays = make_case(aa, CaseStatus.DISCHARGED, today_at(9) - dt.timedelta(days=1))
    escalate(todays, aa, RedFlag.WOUND.value)
    follow_up = escalate(yesterdays, aa, f"{RedFlag.FEVER},{RedFlag.BOWEL_BLADDER}")

    at = open_board(app)

    box = office_box(at, "AA")
    assert box.tables["cases"].column("Escalation") == [RedFlag.WOUND.label]
    listed = box.tables["escalations"]
    assert dict(zip(listed.column("Case"), listed.column("Red flags"), strict=True)) == {
        code_of(todays): RedFlag.WOUND.label,
        code_of(yesterdays): f"{RedFlag.FEVER.label}, {RedFlag.BOWEL_BLADDER.label}",
    }
    assert ("Escalated to provider (2)", ESCALATION_BADGE) in box.chips
    # A row open past its tier's time limit is red, and only such a row.
    late = [answer == "Yes" for answer in listed.column("Past limit")]
    for texts, colours, past in zip(listed.rows, listed.colours, late, strict=True):
        for text, colour in zip(texts, colours, strict=True):
            assert (colour == PAST_LIMIT_COLOUR) == (past and bool(text))
    if any(late):
        assert (messages.BOARD_PAST_LIMIT.format(n=sum(late)), PAST_LIMIT_COLOUR) in box.chips

    with transaction() as s:
        s.get(FollowUp, follow_up).escalation_resolved_at = dt.datetime.now(dt.UTC)
    at.run()

    assert office_box(at, "AA").tables["escalations"].column("Case") == [code_of(todays)]


@SQLITE_ONLY
def test_the_board_body_is_a_fragment_that_reruns_every_15_seconds(offices, app, monkeypatch):
    aa, _bb = offices
    make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    made: list[tuple[object, object]] = []
    real_fragment = streamlit.fragment

    def fragment(func=None, **options):
        made.append((func, options.get("run_every")))
        return real_fragment(func, **options)

    monkeypatch.setattr(streamlit, "fragment", fragment)
    messages_sent = capture_messages(monkeypatch)

    at = open_board(app)

    # The board's timer, made after the idle-timeout watch every signed-in screen has (the
    # home screen ran first, with its own watch).
    assert len(made) >= 2 and made[-2][0] is not ui.board.board_body
    assert made[-1] == (ui.board.board_body, ui.board.BOARD_REFRESH_SECONDS)
    assert ui.board.BOARD_REFRESH_SECONDS == 15
    sent = messages_sent[-1]
    (timer,) = [
        m.auto_rerun for m in sent if m.HasField("auto_rerun") and m.auto_rerun.interval == 15
    ]
    # The timer names the board's fragment: its elements carry that id, the rest of the page
    # (title, office choice, waiting-room switch, who is signed in) carries none.
    in_fragment = {
        element_name(m)
        for m in sent
        if m.HasField("delta") and m.delta.fragment_id == timer.fragment_id
    }
    outside = {element_name(m) for m in sent if m.HasField("delta") and not m.delta.fragment_id}
    assert {"markdown"} <= in_fragment  # the offices, and when they were read
    assert board_boxes(at) == ["AA", "BB"]
    assert {"title:Status board", "selectbox", "button"} <= outside
    assert not at.exception


@SQLITE_ONLY
def test_the_timer_reruns_the_board_alone_with_fresh_data(offices, app, monkeypatch):
    aa, _bb = offices
    make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    messages_sent = capture_messages(monkeypatch)
    at = open_board(app)
    (timer,) = [
        m.auto_rerun
        for m in messages_sent[-1]
        if m.HasField("auto_rerun") and m.auto_rerun.interval == ui.board.BOARD_REFRESH_SECONDS
    ]
    arrived = make_case(aa, CaseStatus.CHECKED_IN, today_at(0, 5))
    at.session_state["dayof_escort_name"] = "Half-typed name"  # a form elsewhere in the session
    router_runs: list[object] = []
    monkeypatch.setattr(ui.auth, "user_bar", lambda *a: router_runs.append(a))

    # What the browser sends when the timer fires: a rerun of that one fragment.
    monkeypatch.setattr(
        script_runner,
        "RerunData",
        functools.partial(
            script_runner.RerunData, fragment_id_queue=[timer.fragment_id], is_auto_rerun=True
        ),
    )
    at.run()

    assert not at.exception
    assert router_runs == []  # the app around the board did not run
    sent = [m for m in messages_sent[-1] if m.HasField("delta")]
    assert sent and {m.delta.fragment_id for m in sent} == {timer.fragment_id}
    assert [t.value for t in at.title] == []  # nothing outside the board was redrawn
    assert code_of(arrived) in cases_table(at, "AA").column("Case")
    assert at.session_state["dayof_escort_name"] == "Half-typed name"


def capture_messages(monkeypatch) -> list[list]:
    """Every run's forward messages, as the browser would receive them."""
    runs: list[list] = []
    real = script_runner.parse_tree_from_messages

    def keep(messages_of_run):
        runs.append(list(messages_of_run))
        return real(messages_of_run)

    monkeypatch.setattr(script_runner, "parse_tree_from_messages", keep)
    return runs


def element_name(message) -> str:
    delta = message.delta
    if delta.WhichOneof("type") != "new_element":
        return delta.WhichOneof("type") or ""
    element = delta.new_element
    kind = element.WhichOneof("type")
    if kind == "heading":
        tag = "title" if element.heading.tag == "h1" else "subheader"
        return f"{tag}:{element.heading.body}"
    return kind


def board_case(
    patient: str,
    provider: str,
    escalation: str,
    alert: BoardAlert | None = None,
    waiting_code: str = "K482",
) -> pd.DataFrame:
    """One case in recovery as the board's query gives it, with these typed texts."""
    return pd.DataFrame(
        {
            "case_id": [7],
            "office_id": [1],
            "code": ["AA-00007"],
            "status": [CaseStatus.RECOVERY],
            "stage": ["Recovery"],
            "scheduled_start": [dt.datetime(2026, 11, 24, 14, tzinfo=dt.UTC)],
            "patient": [patient],
            "provider": [provider],
            "in_stage_minutes": [12],
            "alert": [alert],
            "waiting_code": [waiting_code],
            "escalation": [escalation],
        }
    )


def test_the_waiting_room_presentation_keeps_only_waiting_code_and_stage_whatever_it_is_given():
    identified = board_case("Doe, Jane", "Dr. Who", RedFlag.FEVER.label)

    header, rows = ui.board_view.board_rows(identified, TZ, public=True)
    shown = public_board(identified)

    assert (header, rows) == (["Waiting code", "Stage"], [("K482", "Recovery")])
    recovery = STAGE_COLOURS[CaseStatus.RECOVERY].badge
    assert f":{recovery}[:material/airline_seat_recline_normal: Recovery]" in shown
    assert r"$\Huge\textsf{K482}$" in shown
    for secret in ("AA-00007", "Doe", "Dr. Who", "Fever"):
        assert secret not in shown


def test_only_a_well_formed_waiting_code_is_set_in_large_type():
    shown = public_board(board_case("Doe, Jane", "Dr. Who", "", waiting_code=r"}\input{x"))

    assert r"\input" not in shown.replace(r"\\input", "")
    assert "$" not in shown.replace(r"\$", "")


def test_an_alert_shows_in_colour_and_in_words_with_an_icon_and_the_header_counts_them():
    amber = BoardAlert(AlertKind.LONG_RECOVERY, AlertLevel.AMBER, 95)
    red = BoardAlert(AlertKind.LATE_START, AlertLevel.RED, 22)
    cases = pd.concat(
        [board_case("Doe, Jane", "Dr. Who", "", amber), board_case("Roe, Rob", "Dr. No", "", red)],
        ignore_index=True,
    )
    office = OfficeRow(1, "AA", "AA Office", TZ)
    view = OfficeBoard(
        office, cases, cases.iloc[0:0], pd.DataFrame(columns=ESCALATION_COLUMNS), public=False
    )

    markdown = ui.board_view.office_markdown(view, dt.datetime.now(dt.UTC))
    shown = read_office(markdown)

    table = shown.tables["cases"]
    assert table.column("In stage") == [
        "12 min · Amber: long recovery stay",
        "12 min · Red: 22 min late",
    ]
    orange, red_colour = ALERT_COLOURS[AlertLevel.AMBER], ALERT_COLOURS[AlertLevel.RED]
    assert table.colours_of("In stage") == table.colours_of("Case") == [orange, red_colour]
    # Never colour alone: the level is a word, and each level has an icon of its own shape.
    assert ":material/warning: Amber" in markdown and ":material/error: Red" in markdown
    assert ("Alerts: 2 (1 red)", red_colour) in shown.chips


def public_board(cases: pd.DataFrame, office_name: str = "AA Office") -> str:
    office = OfficeRow(1, "AA", office_name, TZ)
    none = pd.DataFrame(columns=ESCALATION_COLUMNS)
    view = OfficeBoard(office, cases, cases.iloc[0:0], none, public=True)
    return ui.board_view.office_markdown(view, dt.datetime.now(dt.UTC))


def office_markdowns(at: AppTest) -> list[str]:
    boxes = [c for c in at.container if (c.key or "").startswith("board_office_")]
    return [m.value for box in boxes for m in box.markdown]


def test_typed_text_on_the_board_is_shown_as_text_never_as_formatting_or_links():
    payload = "<b>x</b> **bold** | [link](http://e.example) _it_ `code` :red[red] www.e.example"
    cases = board_case(payload, payload, payload)
    office = OfficeRow(1, "AA", payload, TZ)
    view = OfficeBoard(
        office, cases, cases.iloc[0:0], pd.DataFrame(columns=ESCALATION_COLUMNS), public=False
    )

    markdown = ui.board_view.office_markdown(view, dt.datetime.now(dt.UTC))
    shown = read_office(markdown)

    for raw in ("<b>", "**bold**", "](http", "`code`", ":red[", "_it_", "www.e"):
        assert raw not in markdown
    assert shown.heading == f"{payload} (AA)"
    table = shown.tables["cases"]
    assert len(table.header) == len(table.rows[0]) == 8  # the pipe did not split a cell
    assert table.column("Patient") == table.column("Provider") == [payload]
    assert table.column("Escalation") == [payload]


@SQLITE_ONLY
def test_a_colleague_ends_the_display_from_her_board_and_the_wall_signs_out_at_its_refresh(
    offices, app, monkeypatch
):
    aa, _bb = offices
    make_user("cora", Role.COORDINATOR, [aa])
    messages_sent = capture_messages(monkeypatch)
    wall = on_display(app, aa)
    (timer,) = [
        m.auto_rerun
        for m in messages_sent[-1]
        if m.HasField("auto_rerun") and m.auto_rerun.interval == ui.board.BOARD_REFRESH_SECONDS
    ]
    desk = open_board(app, "cora")
    assert messages.DISPLAY_RUNNING.format(office="AA Office", name="Nina") in [
        unescape(m.value) for m in desk.markdown
    ]

    desk.button(key=next(b.key for b in desk.button if b.label == "End display")).click()
    desk.run()

    assert messages.DISPLAY_OFF in [s.value for s in desk.success]
    assert not [b for b in desk.button if b.label == "End display"]
    # The wall's next refresh (its fragment alone) finds its session over: sign-in form.
    monkeypatch.setattr(
        script_runner,
        "RerunData",
        functools.partial(
            script_runner.RerunData, fragment_id_queue=[timer.fragment_id], is_auto_rerun=True
        ),
    )
    wall.run()
    assert [t.value for t in wall.title] != [messages.DISPLAY_TITLE]
    assert "signin_username" in {t.key for t in wall.text_input}
    assert audited("board.display_ended") == 1
