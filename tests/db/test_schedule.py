"""Schedule reads on both backends: an office's local day, scope, readiness,
the week's grouped counts, escalation flags; and a reschedule seen from the schedule."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from db.models import Case, FollowUp, Patient
from db.queries.home import offices
from db.queries.schedule import day_schedule, providers, schedule_cases, week_counts, week_totals
from db.session import get_engine, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.days import at_local
from mild.followup import RedFlag
from mild.staff import Role
from services.booking import book_case
from tests.builders import make_case, make_follow_up, make_office, make_user

NEW_YORK = "America/New_York"
TUESDAY = dt.date(2026, 11, 24)
FRIDAY = dt.date(2026, 11, 27)
NEXT_MONDAY = dt.date(2026, 11, 30)


def local(day: dt.date, hour: int, minute: int = 0, tz: str = NEW_YORK) -> dt.datetime:
    return at_local(tz, day, dt.time(hour, minute))


def make_ready(case_id: int, phone: str = "555-0199") -> None:
    """Everything readiness asks of a plain builder case: ASA class and a escort."""
    with transaction() as s:
        case = s.get(Case, case_id)
        case.asa_class = 2
        case.escort_name, case.escort_phone = "Sam Escort", "555-0142"
        s.get(Patient, case.patient_id).phone = phone


def office_row(office_id: int):
    (row,) = offices([office_id])
    return row


def code_of(case_id: int) -> str:
    with transaction() as s:
        return s.get(Case, case_id).code


def test_the_day_holds_the_offices_cases_of_its_local_day_in_start_order(db_url):
    ny = make_office("NY", NEW_YORK)
    other = make_office("OT", NEW_YORK)
    late = make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, 14))
    early = make_case(ny, CaseStatus.CHECKED_IN, local(TUESDAY, 0, 30))
    cancelled = make_case(ny, CaseStatus.CANCELLED, local(TUESDAY, 11))
    make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, 23, 59) + dt.timedelta(minutes=2))
    make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, 0) - dt.timedelta(minutes=1))
    make_case(other, CaseStatus.SCHEDULED, local(TUESDAY, 9))

    day = day_schedule(office_row(ny), TUESDAY, scope={ny})

    assert list(day.cases.case_id) == [early, cancelled, late]
    assert list(day.cases.status) == [
        CaseStatus.CHECKED_IN,
        CaseStatus.CANCELLED,
        CaseStatus.SCHEDULED,
    ]
    # Readiness is chased until the patient arrives; a cancelled case has nothing to chase.
    assert list(day.cases.readiness) == [
        "",
        "",
        f"{messages.READY_ASA_CLASS}; {messages.READY_ESCORT}",
    ]


def test_an_office_outside_the_callers_scope_shows_nothing(db_url):
    mine, theirs = make_office("MY"), make_office("TH")
    make_case(theirs, CaseStatus.SCHEDULED, local(TUESDAY, 9))

    day = day_schedule(office_row(theirs), TUESDAY, scope={mine})

    assert day.cases.empty and day.week.empty
    assert providers(theirs, scope={mine}) == []
    assert schedule_cases(office_row(theirs), TUESDAY, TUESDAY, scope={mine}).empty


def test_a_day_is_the_offices_own_local_day(db_url):
    la = make_office("LA", "America/Los_Angeles")
    # 22:00 in Los Angeles on Tuesday is already Wednesday in UTC (and in New York).
    evening = make_case(la, CaseStatus.SCHEDULED, local(TUESDAY, 22, tz="America/Los_Angeles"))

    assert list(day_schedule(office_row(la), TUESDAY, scope={la}).cases.case_id) == [evening]
    wednesday = TUESDAY + dt.timedelta(days=1)
    assert day_schedule(office_row(la), wednesday, scope={la}).cases.empty


def test_a_ready_case_reads_ready_and_a_missing_item_is_named(db_url):
    ny = make_office("NY")
    ready = make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, 9))
    make_ready(ready)
    no_escort = make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, 11))
    with transaction() as s:
        s.get(Case, no_escort).asa_class = 2

    day = day_schedule(office_row(ny), TUESDAY, scope={ny})

    assert list(day.cases.readiness) == [messages.SCHED_READY, messages.READY_ESCORT]
    assert list(day.cases.missing) == [[], [messages.READY_ESCORT]]


def test_the_week_counts_booked_ready_not_ready_and_cancelled_per_day_and_provider(db_url):
    ny = make_office("NY")
    monday = TUESDAY - dt.timedelta(days=1)
    ready = make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, 9))
    make_ready(ready)
    not_ready = make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, 11))
    make_case(ny, CaseStatus.DISCHARGED, local(monday, 9))
    make_case(ny, CaseStatus.CANCELLED, local(monday, 11))
    make_case(ny, CaseStatus.SCHEDULED, local(monday, 0) - dt.timedelta(minutes=1))  # last week
    make_case(ny, CaseStatus.SCHEDULED, local(monday + dt.timedelta(days=7), 0))  # next week

    week = week_counts(office_row(ny), FRIDAY, scope={ny})

    rows = {
        (r.day, r.provider): (r.booked, r.ready, r.not_ready, r.cancelled)
        for r in week.itertuples()
    }
    assert len(rows) == 4  # each builder case has its own provider
    assert sorted(rows.values()) == sorted([(1, 1, 0, 0), (1, 0, 1, 0), (1, 1, 0, 0), (0, 0, 0, 1)])
    assert {d for d, _ in rows} == {monday, TUESDAY}
    assert rows[(TUESDAY, provider_of(not_ready))] == (1, 0, 1, 0)

    totals = week_totals(week, FRIDAY)
    assert list(totals.day) == [monday + dt.timedelta(days=i) for i in range(7)]
    assert totals.iloc[0].to_dict() == {
        "day": monday,
        "booked": 1,
        "ready": 1,
        "not_ready": 0,
        "cancelled": 1,
    }
    assert totals.iloc[1][["booked", "ready", "not_ready", "cancelled"]].tolist() == [2, 1, 1, 0]
    assert totals.iloc[2:][["booked", "cancelled"]].to_numpy().sum() == 0


def provider_of(case_id: int) -> str:
    with transaction() as s:
        return s.get(Case, case_id).provider.name


def test_the_week_is_one_grouped_query_plus_readiness_however_many_cases(db_url):
    ny = make_office("NY")
    for hour in range(8, 16):
        make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, hour))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(get_engine(), "before_cursor_execute", count)
    try:
        week_counts(office_row(ny), TUESDAY, scope={ny})
    finally:
        event.remove(get_engine(), "before_cursor_execute", count)

    grouped = [s for s in statements if "GROUP BY" in s.upper()]
    assert len(grouped) == 1
    assert "mild_case" in grouped[0]
    assert not [s for s in statements if "follow_up" in s]


def test_an_open_escalation_flags_its_case_on_the_day(db_url):
    ny = make_office("NY")
    flagged = make_case(ny, CaseStatus.DISCHARGED, local(TUESDAY, 9))
    calm = make_case(ny, CaseStatus.DISCHARGED, local(TUESDAY, 11))
    follow_up = make_follow_up(flagged, ny)
    with transaction() as s:
        fu = s.get(FollowUp, follow_up)
        fu.escalated_at = dt.datetime.now(dt.UTC)
        fu.red_flags = f"{RedFlag.FEVER},{RedFlag.WOUND}"

    cases = day_schedule(office_row(ny), TUESDAY, scope={ny}).cases.set_index("case_id")

    assert cases.escalation[flagged] == (f"{RedFlag.FEVER.label}, {RedFlag.WOUND.label}")
    assert cases.escalation[calm] == ""


def test_providers_are_the_offices_active_ones(db_url):
    ny, other = make_office("NY"), make_office("OT")
    case_id = make_case(ny, CaseStatus.SCHEDULED, local(TUESDAY, 9))
    make_case(other, CaseStatus.SCHEDULED, local(TUESDAY, 9))

    assert [p.name for p in providers(ny, scope={ny})] == [provider_of(case_id)]


def test_a_rescheduled_case_leaves_its_old_day_and_appears_on_the_new_one(db_url):
    ny = make_office("NY")
    coordinator = make_user("cora", Role.COORDINATOR, [ny])
    soon = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=7)
    later = soon + dt.timedelta(days=1)
    case_id = make_case(ny, CaseStatus.SCHEDULED, local(soon, 9))
    with transaction() as s:
        provider_id = s.get(Case, case_id).provider_id

    book_case(
        case_id,
        day=later,
        start=dt.time(10, 30),
        planned_minutes=45,
        provider_id=provider_id,
        actor=coordinator,
        expected_version=1,
    )

    office = office_row(ny)
    assert day_schedule(office, soon, scope={ny}).cases.empty
    moved = day_schedule(office, later, scope={ny}).cases
    assert list(moved.case_id) == [case_id]
    assert (moved.planned_minutes[0], moved.version[0]) == (45, 2)
    assert moved.scheduled_start[0] == local(later, 10, 30)
    assert code_of(case_id) == moved.code[0]
