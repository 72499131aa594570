"""The audit screen: who did what to which case when, scoped by role, filtered, capped, with
a CSV export that is itself audited; refusals shown where they apply (AppTest)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select
from streamlit.testing.v1 import AppTest

from db.models import AuditEvent, Case
from db.session import dispose_engines, read_session, transaction
from mild import messages
from mild.audit import SHOWN_ROWS
from mild.audit_words import when
from mild.days import local_today
from mild.followup import FollowUpKind
from mild.staff import Role
from services import reads
from services.common import Actor
from tests.builders import (
    add_audit_row,
    make_case,
    make_discharged_case,
    make_office,
    make_user,
)
from tests.pages.conftest import SQLITE_ONLY, TIMEOUT
from ui.audit import EXPORT_KEY

pytestmark = SQLITE_ONLY

NY, LA = "America/New_York", "America/Los_Angeles"
COLUMNS = ["time", "who", "what", "case", "office", "action", "code"]


def _audit_page() -> None:
    """The AppTest script: the audit screen as the router runs it for a signed-in user."""
    from pages import audit

    audit.render()


@pytest.fixture
def screen(db_url) -> Iterator[Callable[[Actor], AppTest]]:
    def open_for(user: Actor) -> AppTest:
        at = AppTest.from_function(_audit_page, default_timeout=TIMEOUT)
        at.session_state["signed_in_actor"] = user
        return at.run()

    yield open_for
    dispose_engines()


class Clinic:
    def __init__(self) -> None:
        self.aa, self.bb = make_office("AA", NY), make_office("BB", LA)
        self.admin = make_user("ada", Role.ADMIN, [self.aa, self.bb])
        self.manager = make_user("mona", Role.MANAGER, [self.aa])
        self.nurse = make_user("nina", Role.NURSE, [self.aa])
        self.case_aa, self.case_bb = make_case(self.aa), make_case(self.bb)


@pytest.fixture
def clinic(db_url) -> Clinic:
    return Clinic()


def ago(**kwargs) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(**kwargs)


def code_of(case_id: int) -> str:
    with read_session() as s:
        return s.scalar(select(Case.code).where(Case.id == case_id))


def table(at: AppTest):
    (frame,) = [d.value for d in at.dataframe]
    return frame


def story_table(at: AppTest):
    """A named case's table, folded below its story."""
    (expander,) = at.expander
    (frame,) = [d.value for d in expander.dataframe]
    return frame


def story(at: AppTest) -> list[str]:
    """A named case's story, one sentence per event, as the screen wrote it (escaped)."""
    (text,) = [m.value for m in at.get("markdown") if m.value.startswith("- ")]
    return [unescape(line[2:]) for line in text.split("\n")]


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text).replace("\u2060", "")


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.caption]


def recorded(action: str) -> list[tuple[str, str | None]]:
    with read_session() as s:
        return s.execute(
            select(AuditEvent.actor_name, AuditEvent.detail)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()


def busy_day(c: Clinic) -> None:
    """A morning at both offices, plus a sign-in (no office)."""
    add_audit_row(
        "checklist.ticked",
        at=ago(minutes=30),
        actor=c.nurse,
        entity_id=c.case_aa,
        office_id=c.aa,
        detail={"step": "time_out", "value": None},
    )
    add_audit_row(
        "case.viewed",
        at=ago(minutes=20),
        actor=c.nurse,
        entity_id=c.case_aa,
        office_id=c.aa,
        detail={"screen": "checklist"},
    )
    add_audit_row("checklist.ticked", at=ago(minutes=10), entity_id=c.case_bb, office_id=c.bb)
    add_audit_row("auth.sign_in", at=ago(minutes=5), actor=c.nurse, entity="staff_user")


# --- what a manager and an admin see ----------------------------------------------------------


def test_a_manager_sees_their_offices_rows_newest_first_with_who_what_which_case_and_when(
    screen, clinic
):
    busy_day(clinic)
    at = screen(clinic.manager)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Audit trail"]
    rows = table(at)
    assert list(rows.columns) == COLUMNS
    assert list(rows.code) == ["case.viewed", "checklist.ticked"]
    assert list(rows.action) == ["Case opened", "Step ticked"]
    assert set(rows.who) == {"Nina (nina)"}
    assert set(rows.case) == {code_of(clinic.case_aa)} and set(rows.office) == {"AA"}
    time_out = "Time-out done (every item above confirmed)"
    assert list(rows.what) == ["Opened the case on the checklist screen", f"Ticked “{time_out}”"]
    zone = f"{ago(minutes=20).astimezone(ZoneInfo(NY)):%Z}"
    assert all(t.endswith(f" {zone}") for t in rows.time)
    assert messages.AUDIT_MATCHED.format(rows="2 rows") in captions(at)


def test_a_manager_is_offered_only_their_offices_and_no_rows_without_an_office(screen, clinic):
    at = screen(clinic.manager)

    office = at.selectbox(key="audit_office")
    assert office.options == ["My offices", "AA · AA Office"]


def test_an_admin_sees_every_office_and_sign_ins_and_can_ask_for_rows_without_an_office(
    screen, clinic
):
    busy_day(clinic)
    at = screen(clinic.admin)

    # The admin's own opening of the trail is the newest row, with no office.
    assert list(table(at).code)[0] == "audit.viewed"
    assert sorted(table(at).office) == ["", "", "AA", "AA", "BB"]
    at.selectbox(key="audit_office").select(-1).run()
    assert list(table(at).code) == ["audit.viewed", "auth.sign_in"]


def test_each_rows_time_is_in_its_offices_zone_and_rows_without_an_office_in_the_viewers(
    screen, clinic
):
    busy_day(clinic)
    at = screen(clinic.admin)  # AA (New York) is the admin's first office
    ny = f"{dt.datetime.now(ZoneInfo(NY)):%Z}"
    la = f"{dt.datetime.now(ZoneInfo(LA)):%Z}"

    rows = table(at)
    zones = {
        (office, time.rsplit(" ", 1)[1])
        for office, time in zip(rows.office, rows.time, strict=True)
    }
    assert zones == {("AA", ny), ("BB", la), ("", ny)}  # sign-ins: the viewer's zone
    assert messages.AUDIT_TIMES_EACH.format(zone=NY, shown=SHOWN_ROWS) in captions(at)


def test_an_admin_at_no_office_reads_rows_without_an_office_in_the_practices_zone(screen, clinic):
    """The practice's zone (its first office's), as the admin's sessions list tells times."""
    add_audit_row("auth.sign_in", at=ago(minutes=5), actor=clinic.nurse, entity="staff_user")
    nobody = make_user("root", Role.ADMIN, [])
    at = screen(nobody)

    ny = f"{dt.datetime.now(ZoneInfo(NY)):%Z}"
    assert {t.rsplit(" ", 1)[1] for t in table(at).time} == {ny}
    assert messages.AUDIT_TIMES_EACH.format(zone=NY, shown=SHOWN_ROWS) in captions(at)


def test_the_detail_reads_in_words_naming_people_follow_ups_statuses_and_the_apps_workers(
    screen, clinic
):
    case_id, follow_ups = make_discharged_case(clinic.aa, ago(hours=30))
    add_audit_row(
        "follow_up.call_recorded",
        at=ago(minutes=4),
        actor=clinic.nurse,
        entity_id=case_id,
        office_id=clinic.aa,
        detail={
            "follow_up": follow_ups[FollowUpKind.NEXT_DAY_CALL],
            "nprs": 3,
            "red_flags": ["fever"],
            "escalated": True,
            "tier": "provider_today",
            "status": ["discharged", "follow_up"],
        },
    )
    add_audit_row(
        "auth.session_ended_by_admin",
        at=ago(minutes=3),
        actor=clinic.admin,
        entity="user_session",
        detail={"user_id": clinic.nurse.id, "username": "nina", "reason": "ended by admin"},
    )
    add_audit_row(
        "notification.sent",
        at=ago(minutes=2),
        actor_name="notify",
        entity_id=case_id,
        office_id=clinic.aa,
        detail={"follow_up": follow_ups[FollowUpKind.NEXT_DAY_CALL], "recipient": "provider"},
    )
    at = screen(clinic.admin)

    rows = table(at)
    what = dict(zip(rows.code, rows.what, strict=True))
    who = dict(zip(rows.code, rows.who, strict=True))
    assert who["notification.sent"] == "The notifier"
    assert what["follow_up.call_recorded"] == (
        f"Recorded the next-day call of {code_of(case_id)}: NPRS 3, red flags: "
        "Fever 38 C / 100.4 F or more; escalated: provider today; Discharged → Follow-up"
    )
    assert what["auth.session_ended_by_admin"] == "Ended Nina's session"


def test_a_nurse_is_refused_the_audit_screen_and_sees_no_row(screen, clinic):
    busy_day(clinic)
    at = screen(clinic.nurse)

    assert [e.value for e in at.error] == [messages.NOT_ALLOWED_HERE]
    assert not at.dataframe and not at.selectbox
    assert recorded("audit.viewed") == []


# --- filters ---------------------------------------------------------------------------------


def test_the_user_action_and_case_filters_narrow_the_rows(screen, clinic):
    busy_day(clinic)
    other = make_case(clinic.aa)
    add_audit_row(
        "case.viewed", at=ago(minutes=1), actor=clinic.manager, entity_id=other, office_id=clinic.aa
    )
    at = screen(clinic.manager)
    assert len(table(at)) == 3

    at.selectbox(key="audit_user").select("nina").run()
    assert list(table(at).code) == ["case.viewed", "checklist.ticked"]

    at.selectbox(key="audit_action").select("checklist").run()
    assert list(table(at).code) == ["checklist.ticked"]

    at.selectbox(key="audit_user").select(None).run()
    at.selectbox(key="audit_action").select("case_reads").run()
    assert list(table(at).case) == [code_of(other), code_of(clinic.case_aa)]

    at.text_input(key="audit_case").input(code_of(other).lower()).run()
    assert list(story_table(at).case) == [code_of(other)]


# --- a named case: its whole history, told as a story -------------------------------------------


def coded(case_id: int, code: str) -> str:
    with transaction() as s:
        s.get(Case, case_id).code = code
    return code


def test_a_case_typed_any_way_tells_its_whole_history_as_a_story_oldest_first(screen, clinic):
    coded(clinic.case_aa, "AA-00007")
    requested = ago(days=40)  # long before the seven days the screen opens on
    cancelled = ago(minutes=2)
    add_audit_row(
        "case.requested",
        at=requested,
        actor=clinic.nurse,
        entity_id=clinic.case_aa,
        office_id=clinic.aa,
        detail={"mrn": "T1", "channel": "phone"},
    )
    add_audit_row(
        "case.cancelled",
        at=cancelled,
        actor=clinic.manager,
        entity_id=clinic.case_aa,
        office_id=clinic.aa,
        detail={"from": "scheduled", "reason": "no_escort", "note": "**no** ride"},
    )
    at = screen(clinic.manager)

    at.text_input(key="audit_case").input("aa7").run()

    assert not at.error
    assert messages.AUDIT_CASE_STORY.format(code="AA-00007", events="2 events") in [
        i.value for i in at.info
    ]
    today = local_today(NY, dt.datetime.now(dt.UTC))
    assert story(at) == [
        f"{when(requested, NY, today)} — Nina requested a consult by phone (MRN T1).",
        f"{when(cancelled, NY, today)} — Mona cancelled the case (No escort): “**no** ride”.",
    ]
    assert list(story_table(at).code) == ["case.requested", "case.cancelled"]


def test_typed_text_in_a_story_is_escaped_never_read_as_markdown(screen, clinic):
    coded(clinic.case_aa, "AA-00007")
    add_audit_row(
        "checklist.unticked",
        at=ago(minutes=2),
        actor=clinic.nurse,
        entity_id=clinic.case_aa,
        office_id=clinic.aa,
        detail={"step": "checked_in", "reason": "**x** [link](http://evil.example)"},
    )
    at = screen(clinic.manager)
    at.text_input(key="audit_case").input("AA-7").run()

    (text,) = [m.value for m in at.get("markdown") if m.value.startswith("- ")]
    assert "\\*\\*x\\*\\*" in text and "\\[link\\]" in text


def test_a_named_cases_export_holds_its_history_oldest_first(screen, clinic):
    coded(clinic.case_aa, "AA-00007")
    for minutes, action in [(30, "checklist.ticked"), (10, "checklist.unticked")]:
        add_audit_row(
            action,
            at=ago(minutes=minutes),
            actor=clinic.nurse,
            entity_id=clinic.case_aa,
            office_id=clinic.aa,
            detail={"step": "checked_in", "value": None, "reason": "wrong chart"},
        )
    at = screen(clinic.manager)
    at.text_input(key="audit_case").input("aa00007").run()

    at.button(key="audit_prepare").click().run()

    (download,) = at.get("download_button")
    assert download.proto.label == messages.AUDIT_DOWNLOAD.format(rows="2 rows")
    rows = list(csv.DictReader(io.StringIO(at.session_state[EXPORT_KEY][1].decode("utf-8"))))
    assert [r["action"] for r in rows] == ["checklist.ticked", "checklist.unticked"]
    assert rows[1]["what"] == "Un-ticked “Checked in”: “wrong chart”"
    ((_who, detail),) = recorded("audit.exported")
    assert json.loads(detail)["filters"]["case"] == "AA00007"


def test_a_typed_code_that_could_be_two_cases_asks_for_the_dash(screen, clinic):
    other = make_case(clinic.aa)
    coded(clinic.case_aa, "AB1-00007")
    coded(other, "AB-100007")
    at = screen(clinic.manager)

    at.text_input(key="audit_case").input("ab100007").run()

    assert [i.value for i in at.info] == [
        messages.AUDIT_CASE_AMBIGUOUS.format(typed="AB100007", codes="AB-100007, AB1-00007")
    ]
    assert not at.dataframe


def test_a_case_code_with_no_case_at_the_users_offices_says_so(screen, clinic):
    busy_day(clinic)
    at = screen(clinic.manager)

    at.text_input(key="audit_case").input(code_of(clinic.case_bb)).run()

    assert [i.value for i in at.info] == [
        messages.AUDIT_CASE_UNKNOWN.format(code=code_of(clinic.case_bb))
    ]
    assert not at.dataframe


def test_a_malformed_case_code_is_refused_beside_the_field_and_kept(screen, clinic):
    at = screen(clinic.manager)

    at.text_input(key="audit_case").input("AA 12; --").run()

    assert [e.value for e in at.error] == [messages.AUDIT_CASE_CODE_FORMAT]
    assert at.text_input(key="audit_case").value == "AA 12; --"
    assert not at.dataframe


def test_the_screen_opens_on_the_last_seven_days_and_older_rows_need_an_older_range(screen, clinic):
    add_audit_row(
        "checklist.ticked", at=ago(days=10), entity_id=clinic.case_aa, office_id=clinic.aa
    )
    at = screen(clinic.manager)
    today = local_today(NY, dt.datetime.now(dt.UTC))

    assert at.date_input(key="audit_dates").value == (today - dt.timedelta(days=6), today)
    assert [i.value for i in at.info] == [messages.AUDIT_NOTHING_MATCHES]

    at.date_input(key="audit_dates").set_value((today - dt.timedelta(days=12), today)).run()
    assert list(table(at).code) == ["checklist.ticked"]


def test_half_a_date_range_asks_for_the_last_day(screen, clinic):
    at = screen(clinic.manager)
    today = local_today(NY, dt.datetime.now(dt.UTC))

    at.date_input(key="audit_dates").set_value((today,)).run()

    assert messages.AUDIT_PICK_RANGE_END in [i.value for i in at.info]
    assert not at.dataframe


def test_only_the_newest_rows_are_shown_and_the_count_says_how_many_matched(screen, clinic):
    start = ago(hours=2)
    with transaction() as s:
        s.execute(
            insert(AuditEvent),
            [
                {
                    "at": start + dt.timedelta(seconds=i),
                    "actor_name": "nina",
                    "action": "checklist.ticked",
                    "entity": "case",
                    "entity_id": clinic.case_aa,
                    "office_id": clinic.aa,
                    "detail": f'{{"step": "levels_treated", "value": "L{i}"}}',
                }
                for i in range(SHOWN_ROWS + 20)
            ],
        )
    at = screen(clinic.manager)

    rows = table(at)
    assert len(rows) == SHOWN_ROWS
    assert rows.what.iloc[0] == f"Ticked “Levels treated”: L{SHOWN_ROWS + 19}"
    assert messages.AUDIT_SHOWING_NEWEST.format(
        matched=SHOWN_ROWS + 20, shown=SHOWN_ROWS, cap=50_000
    ) in captions(at)


# --- text typed by people is inert --------------------------------------------------------------


def test_text_typed_into_the_trail_is_shown_as_typed_never_as_markdown(screen, clinic):
    note = "**urgent** [click](http://evil.example) <img src=x onerror=alert(1)>"
    add_audit_row(
        "case.cancelled",
        at=ago(minutes=3),
        actor=clinic.nurse,
        entity_id=clinic.case_aa,
        office_id=clinic.aa,
        detail={"note": note},
    )
    at = screen(clinic.manager)

    assert list(table(at).what) == [f"Cancelled the case: “{note}”"]
    assert not [m for m in at.markdown if "urgent" in m.value]


# --- the export -----------------------------------------------------------------------------------


def test_the_csv_holds_every_matching_row_and_preparing_it_is_audited(screen, clinic):
    busy_day(clinic)
    # A failed sign-in stores the typed username: a spreadsheet must not run it.
    add_audit_row(
        "auth.sign_in_failed",
        at=ago(minutes=2),
        actor_name='=HYPERLINK("http://evil.example")',
        entity="staff_user",
    )
    at = screen(clinic.admin)
    assert not at.get("download_button")

    at.button(key="audit_prepare").click().run()

    (download,) = at.get("download_button")
    assert download.proto.label == messages.AUDIT_DOWNLOAD.format(rows="6 rows")
    data = at.session_state[EXPORT_KEY][1].decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(data)))
    assert [r["action"] for r in rows] == [
        "audit.viewed",
        "auth.sign_in_failed",
        "auth.sign_in",
        "checklist.ticked",
        "case.viewed",
        "checklist.ticked",
    ]
    assert rows[1]["username"] == '\'=HYPERLINK("http://evil.example")'
    viewed = rows[4]
    assert viewed["case_code"] == code_of(clinic.case_aa) and viewed["office"] == "AA"
    assert viewed["detail"] == '{"screen": "checklist"}'
    assert viewed["zone"] in {"EST", "EDT"} and viewed["time_utc"].endswith("+00:00")
    ((who, _detail),) = recorded("audit.exported")
    assert who == "ada"


def test_new_filters_drop_a_prepared_csv(screen, clinic):
    busy_day(clinic)
    at = screen(clinic.manager)
    at.button(key="audit_prepare").click().run()
    assert at.get("download_button")

    at.selectbox(key="audit_action").select("checklist").run()

    assert not at.get("download_button")
    assert at.button(key="audit_prepare").label == messages.AUDIT_PREPARE.format(rows="1 row")


def test_an_export_that_cannot_be_recorded_is_not_handed_out(screen, clinic, monkeypatch):
    busy_day(clinic)
    at = screen(clinic.manager)

    def refuse(*_args, **_kwargs):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(reads, "export_audit", refuse)
    at.button(key="audit_prepare").click().run()

    assert [e.value for e in at.error] == [messages.UNEXPECTED_ERROR]
    assert not at.get("download_button")


# --- reading the trail is recorded ----------------------------------------------------------------


def test_opening_the_trail_is_recorded_once_per_browser_session(screen, clinic):
    at = screen(clinic.manager)
    at.selectbox(key="audit_action").select("checklist").run()
    at.run()
    screen(clinic.manager)  # a new tab

    assert [who for who, _ in recorded("audit.viewed")] == ["mona", "mona"]


def test_the_trail_is_not_shown_when_opening_it_cannot_be_recorded(screen, clinic, monkeypatch):
    busy_day(clinic)

    def refuse(*_args, **_kwargs):
        raise RuntimeError("audit write failed")

    monkeypatch.setattr(reads, "record_audit_view", refuse)
    at = screen(clinic.manager)

    assert [e.value for e in at.error] == [messages.AUDIT_VIEW_NOT_RECORDED]
    assert not at.dataframe
