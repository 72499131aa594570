"""Correcting when a timed step's event happened (mild.event_times): a new checklist row with
who and why, the case's column for the step following; the discharge time corrected moves the
follow-ups not yet made. One transaction with its audit row, as every checklist write."""

from __future__ import annotations

import datetime as dt
import functools

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import (
    Case,
    FollowUp,
)
from db.session import transaction
from mild import checklist, messages
from mild.errors import RuleViolation
from mild.event_times import check_event_time, time_text
from mild.followup import follow_up_schedule
from services.checklist import EVENT_COLUMN, _entries, _entry, _open_case, _problems, _timezone
from services.common import Actor, audit, now_utc, touch_case


def correct_event_time(
    case_id: int,
    step_key: str,
    event_at: dt.datetime | None,
    reason: str | None,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Set the time a timed step's event happened (not in the future, within the order of the
    day), with the reason: a new row that keeps who and why; the case's column for the step
    (board, schedule, metrics) follows. Allowed for a day after discharge; the discharge time
    corrected moves the follow-ups not yet made. Returns the new version."""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version, time_fix=True)
        timezone = _timezone(session, case)
        entries = _entries(session, case.id)
        times = checklist.event_times(entries)
        at = now_utc()
        new_at, why = check_event_time(
            step_key,
            event_at,
            reason,
            times=times,
            now=at,
            fmt_time=functools.partial(time_text, timezone),
        )
        step = checklist.get_step(step_key)
        # The holds, the fast and the antibiotic are judged at the moment the step happened,
        # not when it was charted.
        found = _problems(session, case, entries, step, new_at)
        problems = [p for check in step.checks for p in found.get(check, ())]
        if problems:
            raise RuleViolation(
                "event_at",
                messages.TIME_CORRECTION_BREAKS_CHECK.format(
                    step=step.label, problems="; ".join(problems)
                ),
            )
        session.add(
            _entry(case, step_key, at, actor, event_at=new_at, corrects_time=True, reason=why)
        )
        if column := EVENT_COLUMN.get(step_key):
            setattr(case, column, new_at)
        moved = _reschedule_follow_ups(session, case, new_at) if step_key == "discharged" else 0
        touch_case(case, at)
        audit(
            session,
            actor,
            "checklist.time_corrected",
            "case",
            case.id,
            office_id=case.office_id,
            detail={"step": step_key, "from": times[step_key], "to": new_at, "reason": why}
            | ({"follow_ups_rescheduled": moved} if moved else {}),
            at=at,
        )
        return case.version


def _reschedule_follow_ups(session: Session, case: Case, discharged_at: dt.datetime) -> int:
    """The follow-ups not yet made, due again from the corrected discharge time; how many."""
    due = {d.kind: d for d in follow_up_schedule(discharged_at)}
    moved = 0
    for row in session.scalars(
        select(FollowUp).where(FollowUp.case_id == case.id, FollowUp.completed_at.is_(None))
    ):
        if row.kind in due:
            row.due_at, row.overdue_at = due[row.kind].due_at, due[row.kind].overdue_at
            moved += 1
    return moved
