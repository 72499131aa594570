"""The office metrics of the demo equal an independent recomputation from the raw rows, on
SQLite and PostgreSQL: every definition of mild/kpis.py worked out again here in plain Python
(office-local days with zoneinfo), from the cases, follow-ups and safety events as stored."""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from db import seed
from db.models import Case, FollowUp, Office, PreopCall, SafetyEvent
from db.queries.metrics import office_metrics
from db.session import get_engine, read_session
from mild.cases import CaseStatus
from mild.followup import FollowUpKind
from mild.kpis import Grain, whole_periods
from mild.preop import CallOutcome
from mild.safety import DAY_OF_KINDS

NOW = dt.datetime(2026, 7, 15, 15, 55, tzinfo=dt.UTC)  # summer time in every demo office
RANGE = whole_periods(dt.date(2026, 2, 1), dt.date(2026, 7, 15), Grain.MONTH)
GRACE = dt.timedelta(minutes=5)


@pytest.fixture
def demo(db_url):
    seed.seed_demo(get_engine(), offices=2, years=0.6, now=NOW, hash_password=lambda p: "x" * 20)
    with read_session() as s:
        zones = dict(s.execute(select(Office.id, Office.timezone)).all())
        cases = s.scalars(select(Case)).all()
        follow = s.scalars(select(FollowUp)).all()
        events = s.scalars(select(SafetyEvent)).all()
        calls = s.scalars(select(PreopCall)).all()
        for row in (*cases, *follow, *events, *calls):
            s.expunge(row)
    figures = office_metrics(list(zones), list(zones), RANGE, NOW)
    return zones, cases, follow, events, figures, calls


def local_day(zones, office: int, moment: dt.datetime | None) -> dt.date | None:
    return None if moment is None else moment.astimezone(ZoneInfo(zones[office])).date()


def in_range(day: dt.date | None) -> bool:
    return day is not None and RANGE.start <= day <= RANGE.end


def pct(a: int, b: int) -> float | None:
    return None if not b else round(100 * a / b, 1)


def same(shown, expected) -> bool:
    if expected is None:
        return shown is None or (isinstance(shown, float) and math.isnan(shown))
    return shown == pytest.approx(expected, abs=0.051)


def test_the_demos_procedure_day_figures_equal_a_recomputation_from_the_rows(demo):
    zones, cases, _follow, _events, figures, calls = demo
    reached_before = {
        c.case_id: c.called_at
        for c in sorted(calls, key=lambda c: c.called_at, reverse=True)
        if c.outcome == CallOutcome.REACHED
    }  # the earliest reach of each case
    booked_day = {c.id: local_day(zones, c.office_id, c.scheduled_start) for c in cases}
    mine = [c for c in cases if in_range(booked_day[c.id])]
    by_day: dict[tuple[int, dt.date], list[Case]] = defaultdict(list)
    for c in mine:
        by_day[(c.office_id, booked_day[c.id])].append(c)
    for office in zones:
        today = NOW.astimezone(ZoneInfo(zones[office])).date()
        row = figures.comparison.set_index("office_id").loc[office]
        ours = [c for c in mine if c.office_id == office]
        assert row.completed == sum(c.procedure_ended_at is not None for c in ours)

        first_cases = on_time = idle = 0
        turnovers: list[float] = []
        for (o, _day), day_cases in by_day.items():
            if o != office:
                continue
            went_ahead = sorted(
                (c for c in day_cases if c.status != CaseStatus.CANCELLED),
                key=lambda c: (c.scheduled_start, c.id),
            )
            slot = min(day_cases, key=lambda c: (c.scheduled_start, c.id))
            idle += slot.status == CaseStatus.CANCELLED and slot.scheduled_start <= NOW
            if went_ahead:
                first = went_ahead[0]
                entered = first.patient_in_room_at or first.anesthesia_started_at
                if entered is not None or first.scheduled_start <= NOW - GRACE:
                    first_cases += 1
                    on_time += entered is not None and entered - first.scheduled_start <= GRACE
            in_room = sorted(
                day_cases,
                key=lambda c: (
                    (c.patient_in_room_at or c.anesthesia_started_at) is None,
                    c.patient_in_room_at or c.anesthesia_started_at or NOW,
                    c.id,
                ),
            )
            for before, after in zip(in_room, in_room[1:], strict=False):
                out = before.patient_out_of_room_at or before.recovery_in_at
                entered = after.patient_in_room_at or after.anesthesia_started_at
                if out is not None and entered is not None:
                    turnovers.append((entered - out).total_seconds() / 60)
        assert same(row.on_time_pct, pct(on_time, first_cases))
        assert row.cancelled_first_slots == idle
        assert same(row.turnover_median, statistics.median(turnovers) if turnovers else None)

        past = [c for c in ours if booked_day[c.id] < today]
        cancelled_day = {
            c.id: local_day(zones, office, c.cancelled_at) for c in past if c.cancelled_at
        }
        booked = [
            c for c in past if c.id not in cancelled_day or cancelled_day[c.id] >= booked_day[c.id]
        ]
        same_day = [
            c
            for c in past
            if c.status == CaseStatus.CANCELLED and cancelled_day.get(c.id) == booked_day[c.id]
        ]
        assert same(row.same_day_pct, pct(len(same_day), len(booked)))

        def reached(c: Case) -> bool:
            return c.id in reached_before and reached_before[c.id] < c.scheduled_start

        on_call = [c for c in booked if reached(c)]
        assert on_call, "the demo reaches most patients before their day"
        assert same(row.preop_reach_pct, pct(len(on_call), len(booked)))
        assert same(row.same_day_reached_pct, pct(sum(reached(c) for c in same_day), len(on_call)))
        assert same(
            row.same_day_unreached_pct,
            pct(sum(not reached(c) for c in same_day), len(booked) - len(on_call)),
        )


def test_the_demos_follow_up_outcome_and_safety_figures_equal_a_recomputation(demo):
    zones, cases, follow, events, figures, _calls = demo
    discharged = {
        c.id: c for c in cases if in_range(local_day(zones, c.office_id, c.discharged_at))
    }
    booked = {c.id: c for c in cases if in_range(local_day(zones, c.office_id, c.scheduled_start))}
    for office in zones:
        row = figures.comparison.set_index("office_id").loc[office]
        visits = [
            f
            for f in follow
            if f.case_id in discharged
            and f.office_id == office
            and f.kind == FollowUpKind.MONTHS_3
            and (f.due_at <= NOW or f.completed_at is not None)
        ]
        improved = 0
        for f in visits:
            base = discharged[f.case_id].baseline_nprs
            if f.completed_at and f.reached and f.nprs is not None and base is not None:
                drop = base - f.nprs
                improved += drop >= 2 or (base > 0 and drop * 100 >= 30 * base)
        assert same(row.nprs_improved_pct, pct(improved, len(visits)))

        admitted = [c for c in booked.values() if c.office_id == office and c.checked_in_at]
        day_of = [
            e
            for e in events
            if e.case_id in booked and e.office_id == office and e.kind in DAY_OF_KINDS
        ]
        expected = None if not admitted else round(1000 * len(day_of) / len(admitted), 1)
        assert same(row.asc_per_1000, expected)

        still_open = [
            f
            for f in follow
            if f.office_id == office
            and f.escalated_at is not None
            and f.escalation_resolved_at is None
        ]
        assert row.open_escalations == len(still_open)
