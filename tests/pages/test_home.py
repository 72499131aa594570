"""The home page: today's counts per office in one table and the day's cases in another,
scoped to the signed-in user's offices and role."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from sqlalchemy import select

from db.models import Case, FollowUp, Office
from db.seed import DEFAULT_DEMO_PASSWORD, seed_demo
from db.session import get_engine, read_session
from mild import messages
from mild.cases import CaseStatus
from mild.days import at_local, local_today, to_local
from mild.staff import Role, screens_for
from services.auth import hash_password
from tests.builders import PASSWORD, make_case, make_office, make_user
from tests.pages.conftest import SQLITE_ONLY, sign_in
from ui.format import plain
from ui.home import COUNTS_TABLE

# The statuses of a procedure day's table, spelled out here rather than read from the app.
DAY_OF = {
    CaseStatus.SCHEDULED,
    CaseStatus.CHECKED_IN,
    CaseStatus.IN_PROCEDURE,
    CaseStatus.RECOVERY,
    CaseStatus.DISCHARGED,
}

TZ = "America/New_York"  # the builders' default office time zone
BOARD_LABELS = [
    "Office",
    "Scheduled",
    "Checked in",
    "In procedure",
    "Recovery",
    "Discharged",
    "Cancelled",
    "Follow-ups due",
    "Follow-ups overdue",
]


def today_at(hour: int, minute: int = 0, tz: str = TZ) -> dt.datetime:
    """A wall-clock time today at an office in `tz`, as aware UTC."""
    return at_local(tz, local_today(tz, dt.datetime.now(dt.UTC)), dt.time(hour, minute))


def code_of(case_id: int) -> str:
    with read_session() as s:
        return s.scalar(select(Case.code).where(Case.id == case_id))


def frame(at, key: str):
    """One of the page's two tables, by its key: the offices' counts or the day's cases."""
    found = [c.dataframe[0] for c in at.container if c.key == key]
    return found[0] if found else None


def table(at, key: str):
    found = frame(at, key)
    return None if found is None else found.value


def offices_shown(at) -> list[str]:
    counts = table(at, "home_offices")
    return [] if counts is None else list(counts["Office"])


def counts(at, office: str) -> dict[str, int]:
    """One office's row of counts, by column header, e.g. {"Scheduled": 2, ...}."""
    rows = table(at, "home_offices").set_index("Office")
    return {label: int(n) for label, n in rows.loc[office].items()}


def cases(at, office_code: str):
    """The rows of the day's table that belong to one office."""
    shown = table(at, "home_cases")
    return shown[shown.Office == office_code] if shown is not None else None


def case_codes(at, office_code: str) -> list[str]:
    rows = cases(at, office_code)
    return [] if rows is None else list(rows["Case"])


def all_text(at) -> str:
    """Everything a user can read on the page and in the sidebar, table cells included."""
    elements = [e for block in (at.main, at.sidebar) for e in block if not hasattr(e, "children")]
    parts = [str(getattr(e, "value", "")) for e in elements]
    parts += [df.value.to_csv() for df in at.dataframe]
    return "\n".join(parts)


def test_home_shows_a_row_of_counts_per_office_and_todays_cases_in_order(db_url, app):
    aa, bb = make_office("AA"), make_office("BB")
    make_user("nina", Role.NURSE, [aa, bb])
    # Created out of schedule order on purpose.
    late = make_case(aa, CaseStatus.SCHEDULED, today_at(14))
    early = make_case(aa, CaseStatus.CHECKED_IN, today_at(8))
    middle = make_case(aa, CaseStatus.IN_PROCEDURE, today_at(10, 30))
    second_scheduled = make_case(aa, CaseStatus.SCHEDULED, today_at(16))
    cancelled = make_case(aa, CaseStatus.CANCELLED, today_at(11))
    recovery = make_case(aa, CaseStatus.RECOVERY, today_at(9))
    yesterday = make_case(aa, CaseStatus.SCHEDULED, today_at(9) - dt.timedelta(days=1))
    tomorrow = make_case(aa, CaseStatus.SCHEDULED, today_at(9) + dt.timedelta(days=1))

    at = sign_in(app().run(), "nina", PASSWORD)

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Today"]
    # Two tables whatever the number of offices: the counts, and the day's cases.
    assert len(at.dataframe) == 2
    assert [c.key for c in at.container if (c.key or "").startswith("home_")] == [
        "home_offices",
        "home_cases",
    ]
    assert list(table(at, "home_offices").columns) == BOARD_LABELS
    assert offices_shown(at) == ["AA Office (AA)", "BB Office (BB)"]
    assert counts(at, "AA Office (AA)") == {
        "Scheduled": 2,
        "Checked in": 1,
        "In procedure": 1,
        "Recovery": 1,
        "Discharged": 0,
        "Cancelled": 1,
        "Follow-ups due": 0,
        "Follow-ups overdue": 0,
    }
    assert set(counts(at, "BB Office (BB)").values()) == {0}

    day = table(at, "home_cases")
    assert list(day.columns) == [
        "Office",
        "Start",
        "Case",
        "Patient",
        "Provider",
        "Status",
        "Planned",
    ]
    assert case_codes(at, "AA") == [
        code_of(c) for c in (early, recovery, middle, late, second_scheduled)
    ]
    assert list(day.Office) == ["AA"] * 5  # BB has none today
    assert list(day.Start) == ["08:00", "09:00", "10:30", "14:00", "16:00"]
    assert list(day.Status) == ["Checked in", "Recovery", "In procedure", "Scheduled", "Scheduled"]
    assert (
        '"label": "Start (E' in frame(at, "home_cases").proto.columns
    )  # the zone named once, in the header
    text = all_text(at)
    for absent in (cancelled, yesterday, tomorrow):
        assert code_of(absent) not in text
    # The office's name as typed, shown as text (escaped for Markdown).
    assert [c.value for c in at.caption] == [
        messages.HOME_COUNTS_OPEN,
        plain("No cases booked today at BB Office."),
    ]


@SQLITE_ONLY
def test_offices_in_several_time_zones_show_each_start_with_its_zone(db_url, app):
    east, west = make_office("AA", TZ), make_office("LA", "America/Los_Angeles")
    make_user("root", Role.ADMIN, [])
    make_case(east, CaseStatus.SCHEDULED, today_at(9))
    make_case(west, CaseStatus.SCHEDULED, today_at(9, tz="America/Los_Angeles"))

    at = sign_in(app().run(), "root", PASSWORD)

    starts = list(table(at, "home_cases").Start)
    assert [s.split()[0] for s in starts] == ["09:00", "09:00"]
    assert starts[0].endswith(("EST", "EDT")) and starts[1].endswith(("PST", "PDT"))


@SQLITE_ONLY
def test_a_nurse_sees_only_the_offices_she_works_at(db_url, app):
    mine, other = make_office("AA"), make_office("ZZ")
    make_user("nina", Role.NURSE, [mine])
    my_case = make_case(mine, CaseStatus.SCHEDULED, today_at(9))
    other_cases = [
        make_case(other, status, today_at(9 + n))
        for n, status in enumerate(
            [CaseStatus.SCHEDULED, CaseStatus.CHECKED_IN, CaseStatus.RECOVERY]
        )
    ]

    at = sign_in(app().run(), "nina", PASSWORD)

    assert offices_shown(at) == ["AA Office (AA)"]
    assert case_codes(at, "AA") == [code_of(my_case)]
    text = all_text(at)
    assert "ZZ" not in text
    for case_id in other_cases:
        assert code_of(case_id) not in text
    assert at.session_state["signed_in_actor"].office_ids == frozenset({mine})


@SQLITE_ONLY
def test_an_admin_sees_every_office_without_being_assigned_to_any(db_url, app):
    offices = {code: make_office(code) for code in ("AA", "BB", "CC")}
    make_user("root", Role.ADMIN, [])
    cases = {
        code: make_case(oid, CaseStatus.SCHEDULED, today_at(9)) for code, oid in offices.items()
    }

    at = sign_in(app().run(), "root", PASSWORD)

    assert offices_shown(at) == ["AA Office (AA)", "BB Office (BB)", "CC Office (CC)"]
    for code, case_id in cases.items():
        assert case_codes(at, code) == [code_of(case_id)]
        assert counts(at, f"{code} Office ({code})")["Scheduled"] == 1
    assert at.session_state["signed_in_actor"].office_ids == frozenset(offices.values())


@SQLITE_ONLY
@pytest.mark.parametrize("role", [r for r in Role if r != Role.PROVIDER], ids=str)
def test_each_role_gets_the_navigation_its_role_allows_and_the_home_page(
    db_url, app, navigation, role
):
    office = make_office("AA")
    make_user("someone", role, [office])
    case_id = make_case(office, CaseStatus.SCHEDULED, today_at(9))

    at = sign_in(app().run(), "someone", PASSWORD)

    assert not at.exception and not at.error
    assert navigation.last == ([s.value for s in screens_for(role)], "top")
    assert [t.value for t in at.title] == ["Today"]
    assert case_codes(at, "AA") == [code_of(case_id)]
    assert at.session_state["signed_in_actor"].role == role


@SQLITE_ONLY
def test_a_provider_lands_on_their_escalations_and_never_sees_the_offices_day(
    db_url, app, navigation
):
    office = make_office("AA")
    make_case(office, CaseStatus.SCHEDULED, today_at(9))
    make_user("dr.ames", Role.PROVIDER, [office])

    at = sign_in(app().run(), "dr.ames", PASSWORD)

    assert not at.exception and not at.error
    # "/" goes on to theirs; their own account is opened from the user bar.
    assert navigation.last == (["front", "escalations", "account"], "top")
    assert [t.value for t in at.title] == ["Escalations"]
    assert table(at, "home_offices") is None and table(at, "home_cases") is None


@SQLITE_ONLY
def test_on_a_seeded_demo_day_each_board_matches_the_database(db_url, app):
    seed_demo(get_engine(), offices=3, years=0.1, hash_password=hash_password)
    now = dt.datetime.now(dt.UTC)
    # The oracle: every case and open follow-up loaded plainly, bucketed by office-local day.
    with read_session() as s:
        offices = {
            o.code: o for o in s.execute(select(Office.id, Office.code, Office.timezone)).all()
        }
        cases = s.execute(
            select(Case.code, Case.office_id, Case.status, Case.scheduled_start).where(
                Case.scheduled_start.is_not(None)
            )
        ).all()
        open_follow_ups = s.execute(
            select(FollowUp.office_id, FollowUp.due_at, FollowUp.overdue_at).where(
                FollowUp.completed_at.is_(None)
            )
        ).all()

    at = sign_in(app().run(), "admin", DEFAULT_DEMO_PASSWORD)

    assert not at.exception and not at.error
    assert sorted(name.rsplit("(", 1)[1].rstrip(")") for name in offices_shown(at)) == sorted(
        offices
    )
    for code, office in offices.items():
        today = local_today(office.timezone, now)
        todays = sorted(
            (
                c
                for c in cases
                if c.office_id == office.id
                and to_local(office.timezone, c.scheduled_start).date() == today
            ),
            key=lambda c: c.scheduled_start,
        )
        assert todays, f"the demo books cases today at {code}"
        by_status = Counter(c.status for c in todays)
        due = [f for f in open_follow_ups if f.office_id == office.id and f.due_at <= now]
        overdue = sum(f.overdue_at <= now for f in due)
        (shown,) = [counts(at, name) for name in offices_shown(at) if name.endswith(f"({code})")]
        for status in [*DAY_OF, CaseStatus.CANCELLED]:
            assert shown[status.label] == by_status[status], (code, status)
        assert shown["Follow-ups due"] == len(due) - overdue
        assert shown["Follow-ups overdue"] == overdue
        assert case_codes(at, code) == [c.code for c in todays if c.status in DAY_OF]


@SQLITE_ONLY
def test_the_demo_nurse_sees_only_the_first_two_offices(db_url, app):
    seed_demo(get_engine(), offices=3, years=0.1, hash_password=hash_password)
    with read_session() as s:
        offices = s.execute(select(Office.id, Office.code, Office.name).order_by(Office.id)).all()
        third_office_cases = list(
            s.scalars(select(Case.code).where(Case.office_id == offices[2].id))
        )

    at = sign_in(app().run(), "nurse", DEFAULT_DEMO_PASSWORD)

    assert sorted(offices_shown(at)) == sorted(f"{o.name} ({o.code})" for o in offices[:2])
    text = all_text(at)
    assert offices[2].name not in text
    assert third_office_cases
    assert not [code for code in third_office_cases if code in text]


# --- Today as a launchpad (issue 13) ------------------------------------------------------------


def choose_count(at, row: int, column: str):
    """A count cell chosen in the offices' table, as a click on it does."""
    at.session_state[COUNTS_TABLE] = {
        "selection": {"rows": [], "columns": [], "cells": [[row, column]]}
    }
    return at.run()


@SQLITE_ONLY
def test_today_names_the_day_as_the_office_reads_it(db_url, app):
    aa = make_office("AA")
    make_user("nina", Role.NURSE, [aa])

    at = sign_in(app().run(), "nina", PASSWORD)

    today = local_today(TZ, dt.datetime.now(dt.UTC))
    assert f"**{today:%A} {today.day} {today:%B %Y}**" in [m.value for m in at.markdown]


@SQLITE_ONLY
@pytest.mark.parametrize(
    ("role", "column", "title", "state"),
    [
        (Role.NURSE, "Checked in", "Day-of checklist", "dayof_office"),
        (Role.NURSE, "Follow-ups overdue", "Follow-up", "fu_office"),
        (Role.COORDINATOR, "Scheduled", "Daily schedule", "sched_office"),
        (Role.MANAGER, "Cancelled", "Daily schedule", "sched_office"),
    ],
)
def test_a_count_opens_its_screen_at_its_office(db_url, app, role, column, title, state):
    aa, bb = make_office("AA"), make_office("BB")
    make_user("someone", role, [aa, bb])

    at = choose_count(sign_in(app().run(), "someone", PASSWORD), 1, column)

    assert not at.exception
    assert [t.value for t in at.title] == [title]
    chosen = at.session_state[state]
    assert (chosen if isinstance(chosen, int) else chosen.id) == bb


@SQLITE_ONLY
def test_a_count_whose_work_the_role_does_not_do_stays_a_number(db_url, app):
    aa = make_office("AA")
    make_user("cora", Role.COORDINATOR, [aa])

    at = choose_count(sign_in(app().run(), "cora", PASSWORD), 0, "Follow-ups due")

    assert not at.exception and not at.error
    assert [t.value for t in at.title] == ["Today"]
