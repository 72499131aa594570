"""The live status board page: stages per office in colour, one office or all, the escalation
flag, the waiting-room mode, and the timer that reruns the board alone."""

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
from db.models import AuditEvent, Case, FollowUp, Patient, Provider
from db.queries.board import ESCALATION_COLUMNS, OfficeBoard
from db.queries.home import OfficeRow
from db.session import read_session, transaction
from mild import messages
from mild.board import ESCALATION_BADGE, STAGE_COLOURS
from mild.cases import CaseStatus
from mild.days import at_local, local_today
from mild.followup import RedFlag
from mild.sessions import SessionPolicy
from mild.staff import Role, Screen
from tests.builders import PASSWORD, make_case, make_follow_up, make_office, make_user
from tests.pages.conftest import SQLITE_ONLY, sign_in
from ui.board_view import PAST_LIMIT_COLOUR

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
COLOURED = re.compile(r"^:(\w+)\[\*\*(.*)\*\*\]$")
NOTE = re.compile(r"^:small\[:gray\[(.*)\]\]$")


def unescape(text: str) -> str:
    """What Markdown shows of text escaped by ui.format.plain."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text).replace("\u2060", "")


def read_cell(cell: str) -> tuple[str, str]:
    cell = cell.strip()
    if found := BADGE.fullmatch(cell):
        return unescape(found[2]), found[1]
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
    parts += [office_box(at, code).text for code in board_boxes(at)]
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
def test_the_board_shows_todays_cases_by_stage_in_colour_with_cancellations_apart(offices, app):
    aa, _bb = offices
    later = make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    started = make_case(aa, CaseStatus.IN_PROCEDURE, today_at(0, 30))
    with transaction() as s:
        s.get(Case, started).procedure_started_at = dt.datetime.now(dt.UTC) - dt.timedelta(
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
    assert shown.header[1:] == ["Case", "Patient", "Provider", "Stage", "In stage", "Escalation"]
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


@SQLITE_ONLY
def test_each_office_more_on_the_board_is_two_elements_its_box_and_one_markdown(db_url, app):
    codes = ["AA", "BB", "CC", "DD", "EE", "FF"]
    offices = [make_office(code, TZ) for code in codes]
    make_user("one", Role.NURSE, offices[:1])
    make_user("root", Role.ADMIN, [])
    for n, office in enumerate(offices):
        make_case(office, CaseStatus.SCHEDULED, today_at(23))
        make_case(office, CaseStatus.CHECKED_IN, today_at(0, 5))
        escalate(
            make_case(office, CaseStatus.DISCHARGED, today_at(0, 1)), office, RedFlag.FEVER.value
        )
        if n % 2:
            make_case(office, CaseStatus.CANCELLED, today_at(22))

    def elements(node) -> int:
        return 1 + sum(elements(child) for child in getattr(node, "children", {}).values())

    one, every = open_board(app, "one"), open_board(app, "root")

    assert not one.exception and not every.exception
    assert board_boxes(one) == ["AA"] and board_boxes(every) == codes
    assert elements(every._tree) - elements(one._tree) == 2 * (len(codes) - 1)
    for n, code in enumerate(codes):
        shown = office_box(every, code)
        assert shown.tables["cases"].column("Stage") == ["Scheduled", "Checked in", "Discharged"]
        assert len(shown.tables["escalations"].rows) == 1
        assert (
            shown.notes[-1].startswith("Cancelled (1)")
            if n % 2
            else shown.notes[-1] == (messages.BOARD_NO_CANCELLED)
        )


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


def leave_display(at: AppTest, password: str) -> AppTest:
    at.text_input(key="board_display_password").input(password)
    (leave,) = [b for b in at.button if b.label == "Leave the display"]
    leave.click()
    return at.run()


def audited(action: str) -> int:
    with read_session() as s:
        return s.scalar(select(func.count()).where(AuditEvent.action == action))


@SQLITE_ONLY
def test_the_waiting_room_display_shows_case_codes_and_stages_only_and_no_way_out(offices, app):
    aa, _bb = offices
    ids = [
        make_case(aa, CaseStatus.SCHEDULED, today_at(23)),
        make_case(aa, CaseStatus.IN_PROCEDURE, today_at(0, 30)),
        make_case(aa, CaseStatus.CANCELLED, today_at(22)),
    ]
    escalate(ids[1], aa, RedFlag.FEVER.value)
    at = open_board(app)
    assert names_of(ids[0])[0] in everything_shown(at)  # names show in staff mode
    at.selectbox(key="board_office").set_value(aa).run()

    at = start_display(at)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == [messages.DISPLAY_TITLE]
    assert board_boxes(at) == ["AA"]
    box = office_box(at, "AA")
    shown = box.tables["cases"]
    assert shown.header == ["Case", "Stage"]
    assert shown.rows == [
        [code_of(ids[0]), "Scheduled"],
        [code_of(ids[1]), "In procedure"],
    ]
    assert shown.colours_of("Stage") == [
        STAGE_COLOURS[CaseStatus.SCHEDULED].badge,
        STAGE_COLOURS[CaseStatus.IN_PROCEDURE].badge,
    ]
    assert f"Cancelled (1): {code_of(ids[2])}" in box.notes
    assert messages.BOARD_PUBLIC_NOTE in [c.value for c in at.caption]
    assert "escalations" not in box.tables
    assert not [text for text, _ in box.chips if "Escalated" in text]
    text = everything_shown(at)
    for case_id in ids:
        for secret in names_of(case_id):
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


@SQLITE_ONLY
def test_leaving_the_display_needs_the_password_of_the_user_who_started_it(offices, app):
    aa, _bb = offices
    make_case(aa, CaseStatus.SCHEDULED, today_at(23))
    at = start_display(open_board(app))

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

    # The board's timer, beside the idle-timeout watch every signed-in screen has (the last
    # run's two: the home screen ran first, with its own watch).
    assert made[-2:] == [
        (ui.auth._idle_check, SessionPolicy().idle_check_seconds),
        (ui.board.board_body, ui.board.BOARD_REFRESH_SECONDS),
    ]
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


def board_case(patient: str, provider: str, escalation: str) -> pd.DataFrame:
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
            "escalation": [escalation],
        }
    )


def test_the_waiting_room_presentation_keeps_only_code_and_stage_whatever_it_is_given():
    identified = board_case("Doe, Jane", "Dr. Who", RedFlag.FEVER.label)

    header, rows = ui.board_view.board_rows(identified, TZ, public=True)
    shown = read_office(public_board(identified))

    assert (header, rows) == (["Case", "Stage"], [("AA-00007", "Recovery")])
    assert shown.tables["cases"].rows == [["AA-00007", "Recovery"]]
    assert "Doe" not in shown.text and "Dr. Who" not in shown.text and "Fever" not in shown.text
    recovery = STAGE_COLOURS[CaseStatus.RECOVERY].badge
    assert shown.tables["cases"].colours_of("Stage") == [recovery]


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
    assert len(table.header) == len(table.rows[0]) == 7  # the pipe did not split a cell
    assert table.column("Patient") == table.column("Provider") == [payload]
    assert table.column("Escalation") == [payload]
