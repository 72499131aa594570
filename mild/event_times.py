"""Event times of the timed steps: each tick keeps when it was charted and when the event
happened; the nurse may correct the event time, with a reason, within the order of the day
(not in the future, not before the timed step it follows, not after the one that follows it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from mild import messages
from mild.cases import CaseStatus
from mild.checklist import (
    LOCKED_AFTER_DISCHARGE,
    PLANNED_PROCEDURE_MINUTES,
    STEP_BY_KEY,
    TIMED_STEPS,
    Entry,
    check_reason,
    checklist_lock,
    get_step,
)
from mild.days import to_local
from mild.errors import RuleViolation

# How far back a corrected time may go: the procedure day, not last week (a typo in the date).
EVENT_TIME_LOOKBACK = dt.timedelta(hours=24)


def moment_text(tz_name: str, moment: dt.datetime) -> str:
    """A moment as a refusal or a list names it, in the office's time: 'Mon 02 Mar 07:05 EST'."""
    return f"{to_local(tz_name, moment):%a %d %b %H:%M %Z}"


def time_text(tz_name: str, moment: dt.datetime) -> str:
    """A moment of the procedure day in the office's time: '07:05 EST'."""
    return f"{to_local(tz_name, moment):%H:%M %Z}"


def correction_lock(
    status: CaseStatus, discharged: Entry | None, now: dt.datetime, timezone: str
) -> str | None:
    """Why event times cannot be corrected now, or None. Once the patient is discharged the
    checklist is locked, but the times may still be set right for EVENT_TIME_LOOKBACK after
    the discharge was charted (a discharge charted late, a recovery time mistyped); nothing
    else changes. A closed case, or a discharge charted longer ago, stays locked."""
    lock = checklist_lock(status, discharged, timezone)
    if lock is None:
        return None
    if (
        status in LOCKED_AFTER_DISCHARGE
        and status != CaseStatus.CLOSED
        and discharged is not None
        and now <= corrections_until(discharged)
    ):
        return None
    return lock


def corrections_until(discharged: Entry) -> dt.datetime:
    """Until when event times may still be corrected after the discharge was charted."""
    return discharged.at + EVENT_TIME_LOOKBACK


def neighbours(step_key: str, times: Mapping[str, dt.datetime]) -> tuple[str | None, str | None]:
    """The nearest timed steps done before and after `step_key` in the order of the day."""
    position = TIMED_STEPS.index(step_key)
    before = next((k for k in reversed(TIMED_STEPS[:position]) if k in times), None)
    after = next((k for k in TIMED_STEPS[position + 1 :] if k in times), None)
    return before, after


def check_event_time(
    step_key: str,
    event_at: dt.datetime | None,
    reason: str | None,
    *,
    times: Mapping[str, dt.datetime],
    now: dt.datetime,
    fmt_time,
) -> tuple[dt.datetime, str]:
    """A corrected event time and its reason as stored, or RuleViolation naming the problem.

    `times` are the event times in force of the timed steps done (mild.checklist.event_times);
    `fmt_time` shows a UTC moment in the office's time, for the refusal.
    """
    step = get_step(step_key)
    if not step.timed:
        raise RuleViolation("event_at", messages.EVENT_TIME_NOT_TIMED.format(step=step.label))
    if step_key not in times:
        raise RuleViolation("event_at", messages.STEP_NOT_DONE.format(step=step.label))
    if event_at is None or event_at.tzinfo is None:
        raise RuleViolation("event_at", messages.EVENT_TIME_REQUIRED)
    event_at = event_at.astimezone(dt.UTC)
    if event_at > now:
        raise RuleViolation("event_at", messages.EVENT_TIME_IN_FUTURE)
    if event_at < now - EVENT_TIME_LOOKBACK:
        raise RuleViolation("event_at", messages.EVENT_TIME_TOO_OLD)
    before, after = neighbours(step_key, times)
    if before is not None and event_at < times[before]:
        raise RuleViolation(
            "event_at",
            messages.EVENT_TIME_BEFORE.format(
                step=step.label, other=STEP_BY_KEY[before].label, at=fmt_time(times[before])
            ),
        )
    if after is not None and event_at > times[after]:
        raise RuleViolation(
            "event_at",
            messages.EVENT_TIME_AFTER.format(
                step=step.label, other=STEP_BY_KEY[after].label, at=fmt_time(times[after])
            ),
        )
    return event_at, check_reason(reason, messages.EVENT_TIME_REASON_REQUIRED)


@dataclass(frozen=True)
class ProcedureDuration:
    minutes: int
    running: bool  # still in procedure: the minutes so far
    over: bool  # past the planned PLANNED_PROCEDURE_MINUTES


def procedure_duration(
    started_at: dt.datetime | None, ended_at: dt.datetime | None, now: dt.datetime
) -> ProcedureDuration | None:
    """Minutes from procedure start to end (or to `now` while running); None before the start."""
    if started_at is None:
        return None
    end = ended_at or now
    minutes = max(0, int((end - started_at).total_seconds() // 60))
    return ProcedureDuration(minutes, ended_at is None, minutes > PLANNED_PROCEDURE_MINUTES)
