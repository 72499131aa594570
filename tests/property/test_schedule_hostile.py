"""Booking, rescheduling and cancelling under hostile input: days from year 1 to 9999, any time,
planned minutes of every type, stale versions, reason codes and notes. Each call is refused
with a message from mild/messages.py, or the booking or cancellation is stored as given."""

from __future__ import annotations

import datetime as dt
import math
from zoneinfo import ZoneInfo

from hypothesis import example, given
from hypothesis import strategies as st

from db.models import Case
from db.session import read_session
from mild.cases import CancelReason, CaseStatus
from mild.staff import Role
from services import booking, cases
from tests.builders import make_case, make_office, make_provider, make_user
from tests.property.hostile import (
    attempt,
    hostile_date,
    hostile_number,
    hostile_text,
    mostly_valid,
    trimmed,
)

TZ = "America/New_York"
TODAY = dt.datetime.now(ZoneInfo(TZ)).date()


def _coordinator():
    office = make_office("AA", timezone=TZ)
    return office, make_user("cora", Role.COORDINATOR, [office])


def _case(case_id: int) -> Case:
    with read_session() as s:
        row = s.get(Case, case_id)
        s.expunge(row)
        return row


def booking_form(
    day=TODAY + dt.timedelta(days=7),
    start=dt.time(9),
    *,
    minutes=60,
    status=CaseStatus.INTAKE,
    stale=None,
):
    return {"day": day, "start": start, "minutes": minutes, "status": status, "stale": stale}


def test_booking_and_rescheduling_refuse_or_store_hostile_days_times_and_minutes(db_url, examples):
    office, cora = _coordinator()

    @examples.settings(sqlite=120, postgresql=25)
    @given(
        form=mostly_valid(
            {
                "day": st.dates(TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=730)),
                "start": st.times(),
                "minutes": st.integers(15, 240),
                "status": st.sampled_from((CaseStatus.INTAKE, CaseStatus.SCHEDULED)),
                "stale": st.none(),
            },
            {
                "day": hostile_date(near=TODAY),
                "start": st.one_of(st.none(), st.sampled_from((dt.time(0), dt.time.max))),
                "minutes": hostile_number(none=False),
                "status": st.just(CaseStatus.CHECKED_IN),
                "stale": hostile_number(none=False),
            },
        )
    )
    @example(booking_form(dt.date.max, dt.time(23, 59)))
    @example(booking_form(dt.date(9999, 12, 30), dt.time.max, minutes=240))
    @example(booking_form(dt.date.min, dt.time(0)))
    @example(booking_form(TODAY + dt.timedelta(days=731)))
    @example(booking_form(minutes=math.nan))
    @example(booking_form(minutes="60"))
    @example(booking_form(minutes=True))
    @example(booking_form(status=CaseStatus.SCHEDULED, stale="1 OR 1=1"))
    @example(booking_form(None))
    def check(form) -> None:
        examples.tick()
        day, start, minutes, status, stale = form.values()
        case_id = make_case(office, status, start=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
        provider = make_provider(office)  # a free diary: a clash is not what is tested here
        before = _case(case_id)
        accepted, version = attempt(
            lambda: booking.book_case(
                case_id,
                day=day,
                start=start,
                planned_minutes=minutes,
                provider_id=provider,
                actor=cora,
                expected_version=stale,
            )
        )
        after = _case(case_id)
        if not accepted:
            assert (after.scheduled_start, after.planned_minutes, after.version) == (
                before.scheduled_start,
                before.planned_minutes,
                before.version,
            )
            return
        assert type(minutes) is int and 15 <= minutes <= 240
        local = dt.datetime.combine(day, start, tzinfo=ZoneInfo(TZ))
        assert after.scheduled_start == local.astimezone(dt.UTC)
        assert after.scheduled_start > dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
        assert (after.planned_minutes, after.provider_id, after.version) == (
            minutes,
            provider,
            version,
        )

    check()


def test_cancelling_refuses_or_stores_hostile_reasons_and_notes(db_url, examples):
    office, cora = _coordinator()

    @examples.settings(sqlite=90, postgresql=25)
    @given(
        reason=st.sampled_from((*CancelReason, None)),
        note=hostile_text(st.text(max_size=60)),
        status=st.sampled_from((CaseStatus.SCHEDULED, CaseStatus.INTAKE, CaseStatus.RECOVERY)),
    )
    @example(CancelReason.OTHER, "'; DROP TABLE mild_case; --", CaseStatus.SCHEDULED)
    @example(CancelReason.OTHER, "<script>alert(1)</script>", CaseStatus.SCHEDULED)
    @example(CancelReason.OTHER, "no escort\x00", CaseStatus.SCHEDULED)
    @example(CancelReason.OTHER, "\ud800", CaseStatus.SCHEDULED)
    @example(CancelReason.OTHER, "x" * 100_000, CaseStatus.SCHEDULED)
    @example(CancelReason.OTHER, "   ", CaseStatus.SCHEDULED)
    @example(CancelReason.NO_SHOW, ":red[x] **x**", CaseStatus.SCHEDULED)
    def check(reason, note, status) -> None:
        examples.tick()
        case_id = make_case(office, status)
        accepted, _ = attempt(lambda: cases.cancel_case(case_id, reason, note, actor=cora))
        after = _case(case_id)
        if not accepted:
            assert after.status == status and after.cancellation_note is None
            return
        assert (after.status, after.cancellation_reason) == (CaseStatus.CANCELLED, reason)
        assert after.cancellation_note == trimmed(note)

    check()
