"""Pre-op call reads: the worklist of an office (cases booked 1 to N working days ahead, with
what is missing, the phone numbers and where each stands on its calls) and one case's attempts.

Bounded by the days shown (an indexed range on (office_id, scheduled_start)) and the calls of
those cases (index on (case_id, id)), never by the years of history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from db.models import Case, PreopCall, StaffUser
from db.queries.home import OfficeRow
from db.queries.schedule import escalation_text, schedule_cases, with_readiness
from db.queries.settings import current_settings
from db.session import read_session
from mild.preop import (
    ARRIVAL_KEY,
    CALLABLE,
    PREOP_DAYS_KEY,
    Attempt,
    CallOutcome,
    CallState,
    call_state,
    latest_call_back,
    worklist_days,
    worklist_order,
)

CALL_COLUMNS = [
    "id",
    "case_id",
    "called_at",
    "called_by",
    "outcome",
    "call_back_at",
    "arrival_time_told",
    "fasting_explained",
    "escort_confirmed",
    "questions",
]


def _calls(case_ids: Collection[int]) -> pd.DataFrame:
    ids = [int(i) for i in case_ids]
    if not ids:
        return pd.DataFrame(columns=CALL_COLUMNS)
    with read_session() as s:
        rows = s.execute(
            select(
                PreopCall.id,
                PreopCall.case_id,
                PreopCall.called_at,
                StaffUser.display_name,
                PreopCall.outcome,
                PreopCall.call_back_at,
                PreopCall.arrival_time_told,
                PreopCall.fasting_explained,
                PreopCall.escort_confirmed,
                PreopCall.questions,
            )
            .outerjoin(StaffUser, StaffUser.id == PreopCall.called_by_id)
            .where(PreopCall.case_id.in_(ids))
            .order_by(PreopCall.case_id, PreopCall.id)
        ).all()
    return pd.DataFrame(rows, columns=CALL_COLUMNS)


def case_calls(case_id: int, *, scope: Collection[int]) -> pd.DataFrame:
    """Every attempt on one case, oldest first, with who made it (CALL_COLUMNS); empty for a
    case outside the caller's offices."""
    with read_session() as s:
        office_id = s.scalar(select(Case.office_id).where(Case.id == case_id))
    if office_id is None or office_id not in scope:
        return pd.DataFrame(columns=CALL_COLUMNS)
    return _calls([case_id])


@dataclass(frozen=True)
class PreopWorklist:
    office: OfficeRow
    days: tuple[dt.date, dt.date]
    working_days: int
    arrival_minutes: int  # how long before the start patients are told to arrive
    # schedule columns + missing, readiness, escalation, state, attempts, last_outcome,
    # last_called_at, call_back_at; in worklist order
    cases: pd.DataFrame

    @property
    def to_call(self) -> int:
        """Cases not reached yet (the tab's count)."""
        return int((self.cases.state != CallState.REACHED).sum()) if len(self.cases) else 0


def preop_worklist(
    office: OfficeRow,
    today: dt.date,
    now: dt.datetime,
    *,
    scope: Collection[int],
    escalations: dict[int, str] | None = None,
) -> PreopWorklist:
    """The office's cases still to come from tomorrow to the N-th working day ahead (N the
    practice setting), each with where it stands on its calls, call-backs that are due first."""
    settings = current_settings()
    n = settings[PREOP_DAYS_KEY]
    first, last = worklist_days(today, n)
    booked = schedule_cases(office, first, last, scope=scope)
    booked = booked[booked.status.isin(list(CALLABLE))].reset_index(drop=True)
    if escalations is None:  # the schedule passes the ones it read for its day
        escalations = escalation_text([office.id]) if office.id in scope else {}
    cases = with_readiness(booked, escalations)
    calls = _calls(cases.case_id)
    by_case: dict[int, list[Attempt]] = {}
    for row in calls.itertuples():
        by_case.setdefault(int(row.case_id), []).append(
            Attempt(CallOutcome(row.outcome), row.called_at, _moment(row.call_back_at))
        )
    states, counts, outcomes, called, backs, order = [], [], [], [], [], []
    for row in cases.itertuples():
        attempts = by_case.get(int(row.case_id), [])
        state = call_state(attempts, now)
        back = latest_call_back(attempts)
        latest = max(attempts, key=lambda a: a.called_at) if attempts else None
        states.append(state)
        counts.append(len(attempts))
        outcomes.append(latest.outcome.label if latest else "")
        called.append(latest.called_at if latest else None)
        backs.append(back)
        order.append(worklist_order(state, _moment(row.scheduled_start), back))
    cases = cases.assign(
        state=states,
        attempts=counts,
        last_outcome=outcomes,
        last_called_at=called,
        call_back_at=backs,
        _order=order,
    )
    if len(cases):
        cases = cases.sort_values("_order", kind="stable")
    cases = cases.drop(columns="_order").reset_index(drop=True)
    return PreopWorklist(
        office=office,
        days=(first, last),
        working_days=n,
        arrival_minutes=settings[ARRIVAL_KEY],
        cases=cases,
    )


def _moment(value) -> dt.datetime | None:
    """A pandas timestamp back to a datetime (None for a missing one)."""
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).to_pydatetime()
