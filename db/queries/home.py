"""Home page reads: offices, and today at a glance per office.

Aggregates are computed by the database; nothing here loads history into pandas.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, case, func, or_, select

from db.models import Case, FollowUp, Office, Patient, Provider
from db.session import read_session
from mild.cases import DAY_OF_STATUSES, CaseStatus
from mild.days import local_day_bounds, local_today


@dataclass(frozen=True)
class OfficeRow:
    id: int
    code: str
    name: str
    timezone: str


def offices(office_ids: Collection[int]) -> list[OfficeRow]:
    with read_session() as s:
        rows = s.execute(
            select(Office.id, Office.code, Office.name, Office.timezone)
            .where(Office.id.in_(list(office_ids)), Office.active)
            .order_by(Office.code)
        )
        return [OfficeRow(*r) for r in rows]


def _today_clause(office_rows: list[OfficeRow], now: dt.datetime):
    """Cases booked for 'today' at each office, each office in its own time zone."""
    parts = []
    for o in office_rows:
        start, end = local_day_bounds(o.timezone, local_today(o.timezone, now))
        parts.append(
            and_(Case.office_id == o.id, Case.scheduled_start >= start, Case.scheduled_start < end)
        )
    return or_(*parts) if parts else Case.id.is_(None)


def today_status_counts(office_rows: list[OfficeRow], now: dt.datetime) -> pd.DataFrame:
    """office_id, status, cases: today's booked cases per office by status (cancelled included)."""
    with read_session() as s:
        rows = s.execute(
            select(Case.office_id, Case.status, func.count().label("cases"))
            .where(_today_clause(office_rows, now))
            .group_by(Case.office_id, Case.status)
        ).all()
    return pd.DataFrame(rows, columns=["office_id", "status", "cases"])


def today_cases(office_rows: list[OfficeRow], now: dt.datetime) -> pd.DataFrame:
    """Today's cases at the offices in schedule order, with patient, provider and status."""
    with read_session() as s:
        rows = s.execute(
            select(
                Case.id.label("case_id"),
                Case.office_id,
                Case.code,
                Case.scheduled_start,
                Case.planned_minutes,
                (Patient.last_name + ", " + Patient.first_name).label("patient"),
                Provider.name.label("provider"),
                Case.status,
            )
            .join(Patient, Patient.id == Case.patient_id)
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .where(_today_clause(office_rows, now), Case.status.in_(DAY_OF_STATUSES))
            .order_by(Case.office_id, Case.scheduled_start)
        ).all()
    return pd.DataFrame(
        rows,
        columns=[
            "case_id",
            "office_id",
            "code",
            "scheduled_start",
            "planned_minutes",
            "patient",
            "provider",
            "status",
        ],
    )


def follow_up_counts(office_ids: Collection[int], now: dt.datetime) -> pd.DataFrame:
    """office_id, due, overdue: open follow-ups per office."""
    overdue = FollowUp.overdue_at <= now
    with read_session() as s:
        rows = s.execute(
            select(
                FollowUp.office_id,
                func.sum(case((overdue, 0), else_=1)).label("due"),
                func.sum(case((overdue, 1), else_=0)).label("overdue"),
            )
            .where(
                FollowUp.office_id.in_(list(office_ids)),
                FollowUp.completed_at.is_(None),
                FollowUp.due_at <= now,
            )
            .group_by(FollowUp.office_id)
        ).all()
    return pd.DataFrame(rows, columns=["office_id", "due", "overdue"])


@dataclass(frozen=True)
class OfficeToday:
    """One office's day at a glance: counts by status, its cases in order, follow-ups owed."""

    office: OfficeRow
    counts: dict[CaseStatus, int]
    cases: pd.DataFrame
    follow_ups_due: int
    follow_ups_overdue: int


def today_overview(office_ids: Collection[int], now: dt.datetime) -> list[OfficeToday]:
    """Three grouped queries for all the user's offices, however long the history is."""
    rows = offices(office_ids)
    counts = today_status_counts(rows, now)
    cases = today_cases(rows, now)
    follow = follow_up_counts([o.id for o in rows], now).set_index("office_id")
    # Split once by office (a boolean filter per office cost more than the queries at 25).
    by_status: dict[int, dict[CaseStatus, int]] = {}
    for office_id, status, n in zip(counts.office_id, counts.status, counts.cases, strict=True):
        by_status.setdefault(int(office_id), {})[CaseStatus(status)] = int(n)
    by_office = {int(k): g.reset_index(drop=True) for k, g in cases.groupby("office_id")}
    empty = cases.iloc[0:0].reset_index(drop=True)
    return [
        OfficeToday(
            office=o,
            counts=by_status.get(o.id, {}),
            cases=by_office.get(o.id, empty),
            follow_ups_due=int(follow.due.get(o.id, 0)),
            follow_ups_overdue=int(follow.overdue.get(o.id, 0)),
        )
        for o in rows
    ]
