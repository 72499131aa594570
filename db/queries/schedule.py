"""Daily schedule reads: an office's day, the week's counts, its providers.

Everything is scoped twice: to the office asked for and to the caller's offices. The cost
follows the days shown (an office-day, a week), never the years of history: each read is
bounded by an indexed range on (office_id, scheduled_start).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import String, and_, case, cast, false, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from db.models import Case, Patient, Provider
from db.queries.escalations import open_escalations
from db.queries.home import OfficeRow
from db.queries.readiness import readiness_for_cases
from db.session import read_session
from mild.cases import CaseStatus
from mild.days import local_day_bounds
from mild.schedule import BEFORE_ARRIVAL, readiness_text, week_of

CASE_COLUMNS = [
    "case_id",
    "office_id",
    "code",
    "version",
    "status",
    "scheduled_start",
    "planned_minutes",
    "provider_id",
    "provider",
    "patient",
    "phone",
    "escort_name",
    "escort_phone",
    "procedure_started_at",
    "procedure_ended_at",
]
WEEK_COLUMNS = ["day", "provider", "booked", "ready", "not_ready", "cancelled"]


def office_days_clause(spans: Iterable[tuple[int, str, dt.date, dt.date]]) -> ColumnElement:
    """Cases starting within [first_day, last_day] (office-local, inclusive) at each office."""
    parts = []
    for office_id, tz_name, first_day, last_day in spans:
        start, _ = local_day_bounds(tz_name, first_day)
        _, end = local_day_bounds(tz_name, last_day)
        parts.append(
            and_(
                Case.office_id == office_id,
                Case.scheduled_start >= start,
                Case.scheduled_start < end,
            )
        )
    return or_(*parts) if parts else false()


@dataclass(frozen=True)
class ProviderRow:
    id: int
    name: str


def providers(office_id: int, *, scope: Collection[int]) -> list[ProviderRow]:
    """The active providers of an office the caller works at, by name."""
    if office_id not in scope:
        return []
    with read_session() as s:
        rows = s.execute(
            select(Provider.id, Provider.name)
            .where(Provider.office_id == office_id, Provider.active)
            .order_by(Provider.name, Provider.id)
        )
        return [ProviderRow(*r) for r in rows]


def schedule_cases(
    office: OfficeRow, first_day: dt.date, last_day: dt.date, *, scope: Collection[int]
) -> pd.DataFrame:
    """Every case booked at the office from first_day to last_day (its local days, inclusive),
    cancelled ones included, in start order, with patient, phone and provider."""
    if office.id not in scope:
        return pd.DataFrame(columns=CASE_COLUMNS)
    with read_session() as s:
        rows = s.execute(
            select(
                Case.id,
                Case.office_id,
                Case.code,
                Case.version,
                Case.status,
                Case.scheduled_start,
                Case.planned_minutes,
                Case.provider_id,
                Provider.name,
                (Patient.last_name + ", " + Patient.first_name),
                Patient.phone,
                Case.escort_name,
                Case.escort_phone,
                Case.procedure_started_at,
                Case.procedure_ended_at,
            )
            .join(Patient, Patient.id == Case.patient_id)
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .where(office_days_clause([(office.id, office.timezone, first_day, last_day)]))
            .order_by(Case.scheduled_start, Case.id)
        ).all()
    return pd.DataFrame(rows, columns=CASE_COLUMNS)


def escalation_text(office_ids: Collection[int]) -> dict[int, str]:
    """Open escalations per case id: the red flags, for a flag beside the case."""
    flags: dict[int, list[str]] = {}
    for row in open_escalations(office_ids).itertuples():
        mine = flags.setdefault(int(row.case_id), [])
        mine += [f for f in row.red_flags if f not in mine]
    return {case_id: ", ".join(f) or "Escalated" for case_id, f in flags.items()}


def with_readiness(cases: pd.DataFrame, escalations: dict[int, str]) -> pd.DataFrame:
    """Add missing (list), readiness (text) and escalation (text) to schedule rows. Readiness is
    read for cases still to come; once a patient has arrived the day-of checklist takes over,
    and a cancelled case has nothing left to chase."""
    to_come = [s in BEFORE_ARRIVAL for s in cases.status]
    missing = readiness_for_cases(
        [int(i) for i, c in zip(cases.case_id, to_come, strict=True) if c]
    )
    lists = [missing.get(int(i), []) for i in cases.case_id]
    return cases.assign(
        missing=lists,
        readiness=[readiness_text(m) if c else "" for c, m in zip(to_come, lists, strict=True)],
        escalation=[escalations.get(int(i), "") for i in cases.case_id],
    )


def week_counts(office: OfficeRow, day: dt.date, *, scope: Collection[int]) -> pd.DataFrame:
    """Monday to Sunday of `day`'s week at the office, per day and provider: booked (not
    cancelled), ready, not ready, cancelled. One grouped query; readiness only for the week's
    cases still to come."""
    days = week_of(day)
    if office.id not in scope:
        return pd.DataFrame(columns=WEEK_COLUMNS)
    bounds = [local_day_bounds(office.timezone, d) for d in days]
    day_index = case(
        *[(Case.scheduled_start < end, i) for i, (_, end) in enumerate(bounds)], else_=None
    )
    still_to_come = Case.status.in_(BEFORE_ARRIVAL)
    # The day index is computed in a subquery so the outer GROUP BY names a plain column
    # (PostgreSQL will not match two renderings of one parameterised CASE).
    inner = (
        select(
            day_index.label("day_index"),
            Provider.name.label("provider"),
            Case.status.label("status"),
            case((still_to_come, cast(Case.id, String)), else_=None).label("open_id"),
        )
        .outerjoin(Provider, Provider.id == Case.provider_id)
        .where(
            Case.office_id == office.id,
            Case.scheduled_start >= bounds[0][0],
            Case.scheduled_start < bounds[-1][1],
        )
        .subquery()
    )
    cancelled = inner.c.status == CaseStatus.CANCELLED
    with read_session() as s:
        rows = s.execute(
            select(
                inner.c.day_index,
                inner.c.provider,
                func.sum(case((cancelled, 0), else_=1)),
                func.sum(case((cancelled, 1), else_=0)),
                func.aggregate_strings(inner.c.open_id, ","),
            )
            .group_by(inner.c.day_index, inner.c.provider)
            .order_by(inner.c.day_index, inner.c.provider)
        ).all()
    open_ids = [[int(i) for i in (row[4] or "").split(",") if i] for row in rows]
    missing = readiness_for_cases([i for ids in open_ids for i in ids])
    records = []
    for (index, provider, booked, n_cancelled, _), ids in zip(rows, open_ids, strict=True):
        not_ready = sum(1 for i in ids if missing.get(i))
        booked = int(booked)
        records.append(
            (
                days[int(index)],
                provider or "",
                booked,
                booked - not_ready,
                not_ready,
                int(n_cancelled),
            )
        )
    return pd.DataFrame(records, columns=WEEK_COLUMNS)


def week_totals(week: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The week's counts summed per day, Monday to Sunday, days without cases as zeros."""
    counts = ["booked", "ready", "not_ready", "cancelled"]
    days = week_of(day)
    summed = week.groupby("day")[counts].sum().reindex(days, fill_value=0)
    return summed.astype(int).rename_axis("day").reset_index()


@dataclass(frozen=True)
class DaySchedule:
    """What the schedule screen shows for one office and day."""

    office: OfficeRow
    day: dt.date
    cases: pd.DataFrame  # CASE_COLUMNS + missing, readiness, escalation
    escalations: dict[int, str]  # open escalations by case id (the pre-op worklist reuses it)
    week: pd.DataFrame  # WEEK_COLUMNS


def day_schedule(office: OfficeRow, day: dt.date, *, scope: Collection[int]) -> DaySchedule:
    """The office's day and its week."""
    escalations = escalation_text([office.id]) if office.id in scope else {}
    cases = with_readiness(schedule_cases(office, day, day, scope=scope), escalations)
    return DaySchedule(
        office=office,
        day=day,
        cases=cases,
        escalations=escalations,
        week=week_counts(office, day, scope=scope),
    )
