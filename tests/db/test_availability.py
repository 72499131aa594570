"""A provider's booked cases read for booking beside their day, on both backends: the office's
local days (summer-time changes included), cancelled cases with their status, scope; one query
through the (office_id, scheduled_start) index; and a free slot found over that read is one
booking takes."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from db.models import Case
from db.queries.availability import provider_bookings
from db.queries.home import offices
from db.session import get_engine, transaction
from mild.availability import SEARCH_DAYS, Diary
from mild.cases import CancelReason, CaseStatus
from mild.days import at_local, local_today
from mild.staff import Role
from services.booking import book_case
from services.cases import cancel_case
from tests.builders import (
    make_booked_case,
    make_case,
    make_office,
    make_provider,
    make_unbooked_case,
    make_user,
)

TZ = "America/New_York"
# The week of the change back to standard time (Sunday 1 November 2026).
FRIDAY, MONDAY = dt.date(2026, 10, 30), dt.date(2026, 11, 2)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return at_local(TZ, day, dt.time(hour, minute))


@pytest.fixture
def clinic(db_url):
    office_id = make_office("AA", TZ)
    (office,) = offices([office_id])
    return office, make_provider(office_id), make_user("cora", Role.COORDINATOR, [office_id])


def codes(rows) -> list[str]:
    return [r.code for r in rows]


def code_of(case_id: int) -> str:
    with transaction() as s:
        return s.get(Case, case_id).code


def test_the_providers_cases_of_the_office_days_come_in_start_order_with_their_status(clinic):
    office, provider, cora = clinic
    mine = lambda at, status=CaseStatus.SCHEDULED: make_booked_case(  # noqa: E731
        office.id, provider, at, status=status
    )
    monday_late = mine(local(MONDAY, 23, 30))
    friday = mine(local(FRIDAY, 9))
    cancelled = mine(local(FRIDAY, 11), CaseStatus.CANCELLED)
    evening_before = mine(local(FRIDAY, 0) - dt.timedelta(hours=2))  # within a long case's reach
    mine(local(MONDAY + dt.timedelta(days=1), 0, 5))  # after the range
    mine(local(FRIDAY, 0) - dt.timedelta(hours=6))  # too early to reach the first day
    make_case(office.id, CaseStatus.SCHEDULED, local(FRIDAY, 10))  # another provider
    elsewhere = make_office("BB", TZ)
    make_booked_case(elsewhere, provider, local(FRIDAY, 10))

    rows = provider_bookings(office, provider, FRIDAY, MONDAY, scope=cora.office_ids)

    assert codes(rows) == [code_of(i) for i in (evening_before, friday, cancelled, monday_late)]
    by_code = {r.code: r for r in rows}
    assert by_code[code_of(cancelled)].status == CaseStatus.CANCELLED
    assert by_code[code_of(friday)].start == local(FRIDAY, 9)
    assert by_code[code_of(friday)].planned_minutes == 60


def test_an_office_outside_the_callers_offices_reads_nothing(clinic):
    office, provider, _ = clinic
    make_booked_case(office.id, provider, local(FRIDAY, 9))
    other = make_user("olga", Role.COORDINATOR, [make_office("BB", TZ)])
    assert provider_bookings(office, provider, FRIDAY, FRIDAY, scope=other.office_ids) == []


def test_the_read_is_bounded_to_the_search_days(clinic):
    office, provider, cora = clinic
    last = FRIDAY + dt.timedelta(days=SEARCH_DAYS - 1)
    assert provider_bookings(office, provider, FRIDAY, last, scope=cora.office_ids) == []
    with pytest.raises(ValueError):
        provider_bookings(
            office, provider, FRIDAY, last + dt.timedelta(days=1), scope=cora.office_ids
        )


def test_thirty_days_are_one_query_through_the_office_start_index(clinic):
    office, provider, cora = clinic
    make_booked_case(office.id, provider, local(FRIDAY, 9))
    engine = get_engine()
    statements: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, parameters, _context, _many) -> None:
        statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", note)
    try:
        last = FRIDAY + dt.timedelta(days=SEARCH_DAYS - 1)
        provider_bookings(office, provider, FRIDAY, last, scope=cora.office_ids)
    finally:
        event.remove(engine, "before_cursor_execute", note)

    ((statement, parameters),) = [s for s in statements if "mild_case" in s[0]]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        else:  # seq scans off: the planner would rather scan a table this small
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
        plan = " | ".join(str(r) for r in cursor.fetchall())
    finally:
        raw.close()
    assert "ix_mild_case_office_start" in plan, plan


def test_the_next_free_slot_found_over_the_read_is_booked_without_a_clash(clinic):
    office, provider, cora = clinic
    now = dt.datetime.now(dt.UTC)
    day = local_today(TZ, now) + dt.timedelta(days=7)
    day += dt.timedelta(days=-day.weekday() % 7)  # a Monday a week or more ahead

    def book(start: dt.time, minutes: int = 60) -> int:
        case_id = make_unbooked_case(office.id)
        book_case(
            case_id,
            day=day,
            start=start,
            planned_minutes=minutes,
            provider_id=provider,
            actor=cora,
        )
        return case_id

    def next_free(case_id: int) -> dt.datetime:
        booked = provider_bookings(office, provider, day, day, scope=cora.office_ids)
        return Diary(tuple(booked), TZ, now, case_id).next_free_start(day, 60)

    book(dt.time(7), 120)
    cancel_case(book(dt.time(9, 30)), CancelReason.NO_ESCORT, actor=cora)  # holds nothing
    new = make_unbooked_case(office.id)

    found = next_free(new)
    assert found == local(day, 9, 30)  # 09:00 end + 20 min turnover, on the quarter hour
    book_case(new, day=day, start=dt.time(9, 30), provider_id=provider, actor=cora)
    assert next_free(make_unbooked_case(office.id)) == local(day, 11)  # 10:50 -> 11:00
