"""Daily schedule rules: who is still to come, planned against actual times (the pre-op call
worklist is mild.preop)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mild import messages
from mild.booking import BOOKABLE
from mild.cases import CANCELLABLE, PATHWAY, CaseStatus
from mild.days import to_local

# Procedure days are Monday to Friday (policy); the pre-op call worklist counts them.
WORKING_WEEKDAYS: frozenset[int] = frozenset({0, 1, 2, 3, 4})

# Booked but not yet arrived: the cases a coordinator may still move, and may have to chase.
BEFORE_ARRIVAL: frozenset[CaseStatus] = frozenset(PATHWAY[: PATHWAY.index(CaseStatus.CHECKED_IN)])

PLANNED = "Planned"
ACTUAL = "Actual"


def next_working_day(day: dt.date, working: frozenset[int] = WORKING_WEEKDAYS) -> dt.date:
    """The first working day after `day` (Friday -> Monday)."""
    following = day + dt.timedelta(days=1)
    while following.weekday() not in working:
        following += dt.timedelta(days=1)
    return following


def may_reschedule(status: CaseStatus) -> bool:
    """A booking may be moved until the patient has arrived (the booking rules decide)."""
    return CaseStatus(status) in BOOKABLE


def may_cancel(status: CaseStatus) -> bool:
    return CaseStatus(status) in CANCELLABLE


def readiness_text(missing: Sequence[str]) -> str:
    """ "Ready", or the missing items in the order readiness gave them."""
    return "; ".join(missing) if missing else messages.SCHED_READY


def week_of(day: dt.date) -> list[dt.date]:
    """Monday to Sunday of the week holding `day`."""
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=i) for i in range(7)]


def present(value: Any) -> bool:
    """False for None and pandas' missing values (NaT, NaN): a time that has not happened."""
    return value is not None and not pd.isna(value)


@dataclass(frozen=True)
class TimelineBar:
    """One bar of the planned-against-actual chart, in office-local wall-clock time."""

    case: str
    kind: str  # PLANNED or ACTUAL
    start: dt.datetime  # naive, office-local: plotly draws it as the office's clock reads
    end: dt.datetime
    status: str


def _wall_clock(tz_name: str, moment: dt.datetime) -> dt.datetime:
    return to_local(tz_name, pd.Timestamp(moment).to_pydatetime()).replace(tzinfo=None)


def timeline_bars(cases: Iterable[Any], tz_name: str, now: dt.datetime) -> list[TimelineBar]:
    """Planned (start .. start + planned minutes) and actual (procedure start .. end, or now while
    in procedure) bars per case. `cases` are rows with code, status, scheduled_start,
    planned_minutes, procedure_started_at and procedure_ended_at."""
    bars: list[TimelineBar] = []
    for case in cases:
        status = CaseStatus(case.status)
        if present(case.scheduled_start):
            start = pd.Timestamp(case.scheduled_start).to_pydatetime()
            bars.append(
                TimelineBar(
                    case.code,
                    PLANNED,
                    _wall_clock(tz_name, start),
                    _wall_clock(tz_name, start + dt.timedelta(minutes=int(case.planned_minutes))),
                    status.label,
                )
            )
        if not present(case.procedure_started_at):
            continue
        if present(case.procedure_ended_at):
            end = case.procedure_ended_at
        elif status == CaseStatus.IN_PROCEDURE:
            # Never before the start: the screen passes `now` to the minute (its figure is
            # cached by the minute), which may precede a start made this minute.
            end = max(now, case.procedure_started_at)
        else:
            continue  # started but never ended, and no longer in procedure: nothing to draw
        bars.append(
            TimelineBar(
                case.code,
                ACTUAL,
                _wall_clock(tz_name, case.procedure_started_at),
                _wall_clock(tz_name, end),
                status.label,
            )
        )
    return bars
