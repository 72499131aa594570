"""Office metrics: every KPI computed by the database, grouped by office and week or month.

Each query filters on an indexed pair — (office_id, scheduled_start), (office_id, discharged_at)
or (office_id, consult_requested_at) — over a coarse UTC window, refines to the office-local
days chosen, and returns one row per office and period: tens of rows, never the history.
pandas only shapes those rows. Definitions are in mild/kpis.py; tests/db/test_metrics.py checks
each number against answers worked out by hand, on SQLite and PostgreSQL.

Office-local days are exact on both backends (see `LocalTime`): PostgreSQL converts with the
office's time zone, SQLite with zoneinfo through functions registered on each connection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sqlalchemy import (
    Date,
    Float,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from db.models import AuditEvent, Case, FollowUp, Office, PreopCall, SafetyEvent, StaffUser
from db.queries.home import OfficeRow, offices
from db.queries.targets import target_table
from db.session import get_engine, read_session
from mild.audit import READ_ACTIONS
from mild.cases import CaseStatus
from mild.days import local_day_bounds, local_today
from mild.followup import FollowUpKind
from mild.kpis import (
    DEFAULT_POLICY,
    FUNNEL_STAGES,
    DateRange,
    Grain,
    KpiPolicy,
    mean,
    per_cases,
    per_thousand,
    percent,
)
from mild.preop import CallOutcome
from mild.safety import DAY_OF_KINDS, SafetyKind
from mild.targets import Target


class LocalTime:
    """Office-local dates of UTC timestamps, as SQL, for the session's backend; exact on both,
    summer time and the days clocks change included.

    PostgreSQL: `timezone(office.timezone, ts)` (ts AT TIME ZONE the office's zone), then
    date_trunc. SQLite has no time zones: `local_date(ts, office.timezone)` and
    `local_period(...)`, functions registered on each connection that convert with zoneinfo
    (mild.days). Queries using it must join Office on the office_id they pass.
    """

    def __init__(self, session: Session) -> None:
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    def day(self, ts: ColumnElement) -> ColumnElement[dt.date]:
        """The office-local calendar day of `ts`."""
        if self.sqlite:
            return func.local_date(ts, Office.timezone, type_=Date)
        return cast(func.timezone(Office.timezone, ts), Date)

    def period(self, ts: ColumnElement, grain: Grain) -> ColumnElement[dt.date]:
        """The first day (Monday, or the 1st) of the office-local week or month holding `ts`."""
        if self.sqlite:
            return func.local_period(ts, Office.timezone, grain.value, type_=Date)
        unit = literal_column("'week'" if grain == Grain.WEEK else "'month'")
        return cast(func.date_trunc(unit, func.timezone(Office.timezone, ts)), Date)

    def day_plus(self, ts: ColumnElement, days: int) -> ColumnElement[dt.date]:
        """The office-local day of `ts` plus whole days."""
        if self.sqlite:
            return func.date(func.local_date(ts, Office.timezone), f"+{days} days", type_=Date)
        return cast(func.timezone(Office.timezone, ts), Date) + days

    def seconds(self, start: ColumnElement, end: ColumnElement) -> ColumnElement[float]:
        """end - start in seconds. SQLite's julianday is rounded to the millisecond so that an
        exact 300 s or 3600 s compares equal to the threshold."""
        if self.sqlite:
            return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3)
        return cast(extract("epoch", end - start), Float)


@dataclass(frozen=True)
class MetricsFilter:
    """What the screen asks for: offices (already within the user's scope), whole periods."""

    office_rows: tuple[OfficeRow, ...]
    range: DateRange
    now: dt.datetime
    policy: KpiPolicy = DEFAULT_POLICY

    @property
    def office_ids(self) -> list[int]:
        return [o.id for o in self.office_rows]


def _in_range(f: MetricsFilter, ts: ColumnElement, office_id: ColumnElement) -> ColumnElement[bool]:
    """At the chosen offices, on the chosen office-local days: one index range per time zone,
    its bounds computed here with the zone's real offsets (summer time included)."""
    by_zone: dict[str, list[int]] = {}
    for o in f.office_rows:
        by_zone.setdefault(o.timezone, []).append(o.id)
    if not by_zone:
        return office_id.is_(None)
    ranges = []
    for zone, ids in by_zone.items():
        first, _ = local_day_bounds(zone, f.range.start)
        _, last = local_day_bounds(zone, f.range.end)
        ranges.append(and_(office_id.in_(ids), ts >= first, ts < last))
    return or_(*ranges)


def _before_today(
    f: MetricsFilter, ts: ColumnElement, office_id: ColumnElement
) -> ColumnElement[bool]:
    """On an office-local day before today's (exact: today's start in each office's zone)."""
    by_zone: dict[str, list[int]] = {}
    for o in f.office_rows:
        by_zone.setdefault(o.timezone, []).append(o.id)
    if not by_zone:
        return office_id.is_(None)
    return or_(
        *[
            and_(office_id.in_(ids), ts < local_day_bounds(zone, local_today(zone, f.now))[0])
            for zone, ids in by_zone.items()
        ]
    )


def _reached_before(case_: type[Case]) -> ColumnElement[bool]:
    """The patient was reached by a pre-op call before the booked start (mild.preop): one
    indexed look-up per case on preop_call (case_id, id)."""
    return exists().where(
        PreopCall.case_id == case_.id,
        PreopCall.outcome == CallOutcome.REACHED,
        PreopCall.called_at < case_.scheduled_start,
    )


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


def _frame(session: Session, query, columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(session.execute(query).all(), columns=columns)


# Medians are computed by the database on both backends, in the same pass as the sums: each value
# is ranked within its office (window functions, NULLs last and not counted), and the groups
# return the sum and count of the middle one or two values; the office's median is their
# quotient, the same as PostgreSQL's percentile_cont(0.5). SQLite has no median function.


def _ranks(value: ColumnElement, office_id: ColumnElement, name: str) -> list[ColumnElement]:
    return [
        func.row_number()
        .over(partition_by=office_id, order_by=(value.is_(None), value))
        .label(f"{name}_rn"),
        func.count(value).over(partition_by=office_id).label(f"{name}_n"),
    ]


def _middle_sums(value: ColumnElement, rn: ColumnElement, n: ColumnElement) -> list:
    middle = and_(value.is_not(None), or_(rn * 2 == n, rn * 2 == n + 1, rn * 2 == n + 2))
    return [func.sum(case((middle, value))), func.sum(_flag(middle))]


def _median_columns(name: str) -> list[str]:
    return [f"{name}_mid_total", f"{name}_mid_count"]


# --- Procedure days: throughput, first case, duration, recovery, cancellations, turnover -----

DAY_COUNTS = (
    "admitted",
    "completed",
    "timed_cases",
    "duration_total",
    "over_long",
    "recovery_cases",
    "recovery_total",
    "booked",
    "cancelled_same_day",
    "booked_reached",
    "same_day_reached",
    "first_cases",
    "on_time",
    "cancelled_first_slots",
    "turnover_pairs",
    "turnover_total",
    "interval_pairs",
    "interval_total",
)
DAY_MEDIANS = ("duration", "recovery", "turnover", "interval")


def procedure_days(session: Session, local: LocalTime, f: MetricsFilter) -> pd.DataFrame:
    """Every procedure-day KPI in one pass over the cases booked in the range, per office,
    period and same-day cancellation reason (None for all other cases), as mild/kpis.py
    defines them:

    completed cases; procedure minutes (and over the long mark); recovery minutes; cases booked
    for a past day and cancelled on it; first cases of the office-day that went ahead whose
    result is known, and those on time; first slots cancelled; turnover (out of room to the
    next patient in room) and the procedure-to-procedure interval between consecutive cases of
    an office-day; and the middle values of duration, recovery, turnover and interval for the
    office medians.
    """
    p = f.policy
    office = Case.office_id
    # The cases of the range, each office-local day worked out once (a materialized CTE: the
    # windows below partition and compare on it without converting again).
    base = (
        select(
            office.label("office_id"),
            Case.id.label("case_id"),
            local.day(Case.scheduled_start).label("day"),
            local.period(Case.scheduled_start, f.range.grain).label("period"),
            local.day(Case.cancelled_at).label("cancel_day"),
            _flag(_before_today(f, Case.scheduled_start, office)).label("past"),
            _flag(Case.status == CaseStatus.CANCELLED).label("cancelled"),
            Case.cancellation_reason.label("reason"),
            _flag(Case.checked_in_at.is_not(None)).label("admitted"),
            Case.scheduled_start,
            Case.procedure_started_at.label("started"),
            Case.procedure_ended_at.label("ended"),
            Case.recovery_in_at.label("rec_in"),
            Case.recovery_out_at.label("rec_out"),
            # In the room: the patient-in-room time charted on the checklist (its event time,
            # corrected or not); cases charted before that step existed fall back on the
            # anesthesia start. Out of the room: the patient-out-of-room time, else the
            # recovery-room arrival.
            func.coalesce(Case.patient_in_room_at, Case.anesthesia_started_at).label("in_room"),
            func.coalesce(Case.patient_out_of_room_at, Case.recovery_in_at).label("out_room"),
            _flag(_reached_before(Case)).label("reached"),
        )
        .join(Office, Office.id == office)
        .where(_in_range(f, Case.scheduled_start, office))
        .cte("day_cases")
        .prefix_with("MATERIALIZED")
    )
    b = base.c
    past = b.past == 1
    cancelled = b.cancelled == 1
    same_day = and_(cancelled, b.cancel_day == b.day)
    timed = and_(b.started.is_not(None), b.ended.is_not(None))
    recovered = and_(b.rec_in.is_not(None), b.rec_out.is_not(None))
    office_day = (b.office_id, b.day)
    # Booked for its (past) day: not cancelled on an earlier day.
    stood = and_(past, or_(b.cancel_day.is_(None), b.cancel_day >= b.day))
    cases = select(
        b.office_id,
        b.period,
        case((and_(same_day, past), b.reason)).label("reason"),
        b.admitted,
        _flag(b.ended.is_not(None)).label("completed"),
        _flag(timed).label("timed"),
        case((timed, local.seconds(b.started, b.ended) / 60.0)).label("duration"),
        _flag(recovered).label("recovered"),
        case((recovered, local.seconds(b.rec_in, b.rec_out) / 60.0)).label("stay"),
        _flag(stood).label("booked"),
        _flag(and_(same_day, past)).label("same_day"),
        _flag(and_(stood, b.reached == 1)).label("booked_reached"),
        _flag(and_(same_day, past, b.reached == 1)).label("same_day_reached"),
        b.cancelled,
        b.scheduled_start,
        b.in_room.label("in_room_at"),
        b.started.label("procedure_started_at"),
        # The first case that went ahead: cancelled cases sort last, so they are never it;
        # two cases booked for the same minute: the lower case number (the earlier request).
        func.row_number()
        .over(partition_by=office_day, order_by=(b.cancelled, b.scheduled_start, b.case_id))
        .label("day_rank"),
        # The day's first slot as booked, cancelled or not.
        func.row_number()
        .over(partition_by=office_day, order_by=(b.scheduled_start, b.case_id))
        .label("slot_rank"),
        # Turnover: the case before in order of patient in room; never in the room: last.
        func.lag(b.out_room)
        .over(partition_by=office_day, order_by=(b.in_room.is_(None), b.in_room, b.case_id))
        .label("previous_out"),
        # The interval: the case before in order of procedure start; never started: last.
        func.lag(b.ended)
        .over(partition_by=office_day, order_by=(b.started.is_(None), b.started, b.case_id))
        .label("previous_end"),
    ).subquery("cases")
    c = cases.c
    grace = p.on_time_grace_minutes
    first = and_(c.day_rank == 1, c.cancelled == 0)
    entered = c.in_room_at.is_not(None)
    known = and_(first, or_(entered, c.scheduled_start <= f.now - dt.timedelta(minutes=grace)))
    on_time = and_(first, entered, local.seconds(c.scheduled_start, c.in_room_at) <= grace * 60)
    turned = and_(c.previous_out.is_not(None), entered)
    turnover = case((turned, local.seconds(c.previous_out, c.in_room_at) / 60.0))
    paired = and_(c.previous_end.is_not(None), c.procedure_started_at.is_not(None))
    interval = case((paired, local.seconds(c.previous_end, c.procedure_started_at) / 60.0))
    flagged = select(
        c.office_id,
        c.period,
        c.reason,
        c.admitted,
        c.completed,
        c.timed,
        c.duration,
        _flag(and_(c.timed == 1, c.duration > p.long_procedure_minutes)).label("over_long"),
        c.recovered,
        c.stay,
        c.booked,
        c.same_day,
        c.booked_reached,
        c.same_day_reached,
        _flag(known).label("first_case"),
        _flag(on_time).label("on_time"),
        _flag(and_(c.slot_rank == 1, c.cancelled == 1, c.scheduled_start <= f.now)).label(
            "cancelled_first"
        ),
        turnover.label("turnover"),
        interval.label("interval"),
    ).subquery("flagged")
    g = flagged.c
    values = {
        "duration": g.duration,
        "recovery": g.stay,
        "turnover": g.turnover,
        "interval": g.interval,
    }
    ranked = select(
        flagged,
        *[r for name, v in values.items() for r in _ranks(v, g.office_id, name)],
    ).subquery("ranked")
    r = ranked.c
    middles = {"duration": r.duration, "recovery": r.stay, "turnover": r.turnover}
    middles["interval"] = r.interval
    query = select(
        r.office_id,
        r.period,
        r.reason,
        func.sum(r.admitted),
        func.sum(r.completed),
        func.sum(r.timed),
        func.sum(r.duration),
        func.sum(r.over_long),
        func.sum(r.recovered),
        func.sum(r.stay),
        func.sum(r.booked),
        func.sum(r.same_day),
        func.sum(r.booked_reached),
        func.sum(r.same_day_reached),
        func.sum(r.first_case),
        func.sum(r.on_time),
        func.sum(r.cancelled_first),
        func.count(r.turnover),
        func.sum(r.turnover),
        func.count(r.interval),
        func.sum(r.interval),
        *[
            m
            for name, v in middles.items()
            for m in _middle_sums(v, r[f"{name}_rn"], r[f"{name}_n"])
        ],
    ).group_by(r.office_id, r.period, r.reason)
    medians = [c for name in DAY_MEDIANS for c in _median_columns(name)]
    return _frame(session, query, ["office_id", "period", "reason", *DAY_COUNTS, *medians])


# --- After discharge: next-day call, return to work, red flags, escalations, outcomes ----------

DISCHARGE_COUNTS = ("discharged", "call_known", "called_in_time", "rtw_answered", "rtw_returned")


def _discharged_in_range(f: MetricsFilter) -> ColumnElement[bool]:
    return _in_range(f, Case.discharged_at, Case.office_id)


def discharges(session: Session, local: LocalTime, f: MetricsFilter) -> pd.DataFrame:
    """Per office and period of discharge: discharged cases; next-day calls whose result is
    known and those reaching the patient in time; working patients reached, and back at work
    within the return-to-work days."""
    p = f.policy
    office = Case.office_id
    call = FollowUp
    reached = and_(call.reached.is_(True), call.completed_at.is_not(None))
    in_time = and_(
        reached,
        local.seconds(Case.discharged_at, call.completed_at) <= p.next_day_call_hours * 3600,
    )
    decided = or_(in_time, Case.discharged_at <= f.now - dt.timedelta(hours=p.next_day_call_hours))
    answered = and_(Case.works.is_(True), reached)
    deadline = local.day_plus(Case.discharged_at, p.return_to_work_days)
    back = and_(
        answered, call.returned_to_work_on.is_not(None), call.returned_to_work_on <= deadline
    )
    rows = (
        select(
            office.label("office_id"),
            local.period(Case.discharged_at, f.range.grain).label("period"),
            _flag(decided).label("call_known"),
            _flag(in_time).label("called_in_time"),
            _flag(answered).label("rtw_answered"),
            _flag(back).label("rtw_returned"),
        )
        .join(Office, Office.id == office)
        .outerjoin(call, and_(call.case_id == Case.id, call.kind == FollowUpKind.NEXT_DAY_CALL))
        .where(_discharged_in_range(f))
        .subquery()
    )
    query = select(
        rows.c.office_id,
        rows.c.period,
        func.count(),
        func.sum(rows.c.call_known),
        func.sum(rows.c.called_in_time),
        func.sum(rows.c.rtw_answered),
        func.sum(rows.c.rtw_returned),
    ).group_by(rows.c.office_id, rows.c.period)
    return _frame(session, query, ["office_id", "period", *DISCHARGE_COUNTS])


def _flag_count(red_flags: ColumnElement[str]) -> ColumnElement[int]:
    """How many red flags a stored comma-separated list holds (0 for none)."""
    commas = func.length(red_flags) - func.length(func.replace(red_flags, ",", ""))
    return case((and_(red_flags.is_not(None), red_flags != ""), commas + 1), else_=0)


FOLLOW_UP_COUNTS = (
    "red_flags",
    "escalations",
    "resolved",
    "due",
    "reached",
    "nprs_n",
    "nprs_total",
    "nprs_improved",
    "odi_due",
    "odi_n",
    "odi_total",
    "odi_improved",
)


def follow_ups(session: Session, local: LocalTime, f: MetricsFilter) -> pd.DataFrame:
    """Every follow-up of the cases discharged in the range, per office, period of discharge and
    follow-up kind: red flags reported (each flag counted), escalations and how many are
    resolved; follow-ups due by now (or done early) and those that reached the patient; and,
    for completed follow-ups, NPRS and ODI improvement from the intake baseline (intake minus
    visit: count, sum) and
    how many reached the clinically important improvement. The outcome shares are taken over
    every follow-up due, reached or not (mild/kpis.py)."""
    p = f.policy
    office = Case.office_id
    escalated = FollowUp.escalated_at.is_not(None)
    resolved = and_(escalated, FollowUp.escalation_resolved_at.is_not(None))
    done = FollowUp.completed_at.is_not(None)
    due = or_(FollowUp.due_at <= f.now, done)
    reached = and_(done, FollowUp.reached.is_(True))
    nprs_known = and_(reached, FollowUp.nprs.is_not(None), Case.baseline_nprs.is_not(None))
    nprs_drop = Case.baseline_nprs - FollowUp.nprs
    nprs_better = or_(
        nprs_drop >= p.nprs_points,
        and_(Case.baseline_nprs > 0, nprs_drop * 100 >= p.nprs_percent * Case.baseline_nprs),
    )
    odi_known = and_(reached, FollowUp.odi.is_not(None), Case.baseline_odi.is_not(None))
    # Float noise (16.4 - 6.4 = 9.999999999999998) must not hide a 10-point drop.
    odi_better = Case.baseline_odi - FollowUp.odi >= p.odi_points - 1e-6
    rows = (
        select(
            office.label("office_id"),
            local.period(Case.discharged_at, f.range.grain).label("period"),
            FollowUp.kind.label("kind"),
            _flag_count(FollowUp.red_flags).label("flags"),
            _flag(escalated).label("escalated"),
            _flag(resolved).label("resolved"),
            _flag(due).label("due"),
            _flag(reached).label("reached"),
            _flag(nprs_known).label("nprs_n"),
            # Improvement, in points: intake minus visit (a drop in pain reads upward).
            case((nprs_known, nprs_drop)).label("nprs_change"),
            _flag(and_(nprs_known, nprs_better)).label("nprs_improved"),
            # The next-day call asks no ODI: only the visits are due one.
            _flag(and_(due, FollowUp.kind != FollowUpKind.NEXT_DAY_CALL)).label("odi_due"),
            _flag(odi_known).label("odi_n"),
            case((odi_known, Case.baseline_odi - FollowUp.odi)).label("odi_change"),
            _flag(and_(odi_known, odi_better)).label("odi_improved"),
        )
        .join(Office, Office.id == office)
        .join(FollowUp, FollowUp.case_id == Case.id)
        .where(_discharged_in_range(f))
        .subquery("follow_ups")
    )
    r = rows.c
    query = select(
        r.office_id,
        r.period,
        r.kind,
        func.sum(r.flags),
        func.sum(r.escalated),
        func.sum(r.resolved),
        func.sum(r.due),
        func.sum(r.reached),
        func.sum(r.nprs_n),
        func.sum(r.nprs_change),
        func.sum(r.nprs_improved),
        func.sum(r.odi_due),
        func.sum(r.odi_n),
        func.sum(r.odi_change),
        func.sum(r.odi_improved),
    ).group_by(r.office_id, r.period, r.kind)
    return _frame(
        session,
        query,
        ["office_id", "period", "kind", *FOLLOW_UP_COUNTS],
    )


def open_escalations(session: Session, f: MetricsFilter) -> pd.DataFrame:
    """Per office: escalations not resolved now, whatever the discharge day: the few open rows,
    read through the open-escalation index (its very condition, so the planner uses it)."""
    query = (
        select(FollowUp.office_id, func.count())
        .where(
            FollowUp.office_id.in_(f.office_ids),
            FollowUp.escalated_at.is_not(None),
            FollowUp.escalation_resolved_at.is_(None),
        )
        .group_by(FollowUp.office_id)
    )
    return _frame(session, query, ["office_id", "open_now"])


def resolution_medians(session: Session, local: LocalTime, f: MetricsFilter) -> pd.DataFrame:
    """Per office: the middle resolution times (hours) of resolved escalations of the cases
    discharged in the range; ranked apart from follow_ups(), over these few rows only."""
    office = Case.office_id
    resolved = (
        select(
            office.label("office_id"),
            (local.seconds(FollowUp.escalated_at, FollowUp.escalation_resolved_at) / 3600.0).label(
                "hours"
            ),
        )
        .join(Office, Office.id == office)
        .join(FollowUp, FollowUp.case_id == Case.id)
        .where(
            _discharged_in_range(f),
            FollowUp.escalated_at.is_not(None),
            FollowUp.escalation_resolved_at.is_not(None),
        )
        .subquery("resolved")
    )
    ranked = select(resolved, *_ranks(resolved.c.hours, resolved.c.office_id, "hours")).subquery()
    r = ranked.c
    query = select(r.office_id, *_middle_sums(r.hours, r.hours_rn, r.hours_n)).group_by(r.office_id)
    return _frame(session, query, ["office_id", *_median_columns("resolution")])


# --- Safety events (mild.safety) ----------------------------------------------------------------

SAFETY_COLUMNS = [
    "office_id",
    "period",
    "kind",
    "case_code",
    "occurred_at",
    "description",
    "recorded_by",
]


def safety_events(session: Session, local: LocalTime, f: MetricsFilter) -> pd.DataFrame:
    """Every safety event of the cases in the range, with its case: the day-of events (CMS
    ASC-1 to ASC-4) of cases booked in the range, placed by the procedure day; hospital visits
    within 7 days of cases discharged in the range, placed by the discharge day."""
    day_of = SafetyEvent.kind.in_(list(DAY_OF_KINDS))
    dated = case((day_of, Case.scheduled_start), else_=Case.discharged_at)
    query = (
        select(
            Case.office_id,
            local.period(dated, f.range.grain),
            SafetyEvent.kind,
            Case.code,
            SafetyEvent.occurred_at,
            SafetyEvent.description,
            StaffUser.display_name,
        )
        .join(Case, Case.id == SafetyEvent.case_id)
        .join(Office, Office.id == Case.office_id)
        .outerjoin(StaffUser, StaffUser.id == SafetyEvent.recorded_by_id)
        .where(
            or_(
                and_(day_of, _in_range(f, Case.scheduled_start, Case.office_id)),
                and_(~day_of, _discharged_in_range(f)),
            )
        )
        .order_by(SafetyEvent.occurred_at, SafetyEvent.id)
    )
    return _frame(session, query, SAFETY_COLUMNS)


# --- Requests: the funnel ------------------------------------------------------------------------


def funnel(session: Session, local: LocalTime, f: MetricsFilter) -> pd.DataFrame:
    """Per office: consult requests in the range, and how many reached each later stage.

    A case counts at every stage up to the furthest it reached, so the funnel never widens
    (a case booked without an intake date still passed intake). Follow-up is complete when the
    case is closed, or when at least one follow-up is done and none that has fallen due by now
    is still open (checked with the follow-ups' case_id index, case by case)."""
    done_one = (
        select(FollowUp.id)
        .where(FollowUp.case_id == Case.id, FollowUp.completed_at.is_not(None))
        .exists()
    )
    owed = (
        select(FollowUp.id)
        .where(
            FollowUp.case_id == Case.id,
            FollowUp.completed_at.is_(None),
            FollowUp.due_at <= f.now,
        )
        .exists()
    )
    procedure_done = Case.procedure_ended_at.is_not(None)
    stage = case(
        (or_(Case.status == CaseStatus.CLOSED, and_(procedure_done, done_one, ~owed)), 5),
        (procedure_done, 4),
        (or_(Case.booked_at.is_not(None), Case.scheduled_start.is_not(None)), 3),
        (Case.intake_started_at.is_not(None), 2),
        else_=1,
    )
    rows = (
        select(Case.office_id.label("office_id"), stage.label("stage"))
        .join(Office, Office.id == Case.office_id)
        .where(_in_range(f, Case.consult_requested_at, Case.office_id))
        .subquery()
    )
    query = select(
        rows.c.office_id,
        *[func.sum(_flag(rows.c.stage >= n)) for n in range(1, len(FUNNEL_STAGES) + 1)],
    ).group_by(rows.c.office_id)
    return _frame(session, query, ["office_id", *[c for c, _ in FUNNEL_STAGES]])


# --- Everything the screen shows -------------------------------------------------------------

SAFETY_COUNTS = ("asc_events", "hospital_visits")
PERIOD_COUNTS = (
    *DAY_COUNTS,
    *DISCHARGE_COUNTS,
    "red_flags",
    "escalations",
    "resolved",
    *SAFETY_COUNTS,
)
OUTCOME_COUNTS = FOLLOW_UP_COUNTS[3:]  # due, reached, NPRS and ODI


@dataclass(frozen=True)
class OfficeMetrics:
    """The screen's data, all small: per office and period, per office, per reason, per visit."""

    offices: tuple[OfficeRow, ...]
    range: DateRange
    by_period: pd.DataFrame  # office_id, period, the PERIOD_COUNTS, and the rates from them
    comparison: pd.DataFrame  # one row per office, the KPIs as columns
    funnel: pd.DataFrame  # office_id and one column per funnel stage
    reasons: pd.DataFrame  # office_id, reason (CancelReason or None), cancelled
    outcomes: pd.DataFrame  # office_id, kind, counts, mean improvement, share improved
    safety: pd.DataFrame  # every safety event in the range with its case (SAFETY_COLUMNS)
    targets: dict[str, Target] = field(default_factory=dict)  # the practice's, by KPI column
    policy: KpiPolicy = field(default=DEFAULT_POLICY)
    computed_at: dt.datetime | None = None  # the `now` the figures were computed at


def _numbers(frame: pd.DataFrame, columns: Collection[str]) -> pd.DataFrame:
    """Sums come back as int, Decimal (PostgreSQL numeric) or None: make them plain floats."""
    for column in columns:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def _each(fn, numerators: pd.Series, denominators: pd.Series) -> np.ndarray:
    """fn(numerator, denominator) row by row; None (nothing to divide by) becomes NaN: a blank
    cell, a gap in a line."""
    pairs = zip(numerators.to_numpy(), denominators.to_numpy(), strict=True)
    return np.array([fn(a, b) for a, b in pairs], dtype=float)


def _rates(frame: pd.DataFrame, policy: KpiPolicy) -> pd.DataFrame:
    """The rates and means of each row, from the numerators and denominators beside them."""

    def hundred(a: float, b: float) -> float | None:
        return per_cases(a, b, policy)

    return frame.assign(
        on_time_pct=_each(percent, frame.on_time, frame.first_cases),
        duration_mean=_each(mean, frame.duration_total, frame.timed_cases),
        over_long_pct=_each(percent, frame.over_long, frame.timed_cases),
        recovery_mean=_each(mean, frame.recovery_total, frame.recovery_cases),
        same_day_pct=_each(percent, frame.cancelled_same_day, frame.booked),
        preop_reach_pct=_each(percent, frame.booked_reached, frame.booked),
        same_day_reached_pct=_each(percent, frame.same_day_reached, frame.booked_reached),
        same_day_unreached_pct=_each(
            percent,
            frame.cancelled_same_day - frame.same_day_reached,
            frame.booked - frame.booked_reached,
        ),
        turnover_mean=_each(mean, frame.turnover_total, frame.turnover_pairs),
        interval_mean=_each(mean, frame.interval_total, frame.interval_pairs),
        call_pct=_each(percent, frame.called_in_time, frame.call_known),
        rtw_pct=_each(percent, frame.rtw_returned, frame.rtw_answered),
        red_flags_per_100=_each(hundred, frame.red_flags, frame.discharged),
        escalations_per_100=_each(hundred, frame.escalations, frame.discharged),
        asc_per_1000=_each(per_thousand, frame.asc_events, frame.admitted),
        hospital_visits_per_1000=_each(per_thousand, frame.hospital_visits, frame.discharged),
    )


def _safety_counts(events: pd.DataFrame) -> pd.DataFrame:
    """Per office and period: day-of events (ASC-1 to ASC-4) and hospital visits in 7 days."""
    day_of = events.kind.isin([k.value for k in DAY_OF_KINDS])
    return (
        events.assign(asc_events=day_of.astype(float), hospital_visits=(~day_of).astype(float))
        .groupby(["office_id", "period"], as_index=False)[list(SAFETY_COUNTS)]
        .sum()
    )


def _by_period(
    days: pd.DataFrame,
    discharged: pd.DataFrame,
    follow: pd.DataFrame,
    events: pd.DataFrame,
    f: MetricsFilter,
) -> pd.DataFrame:
    """Every office x every period of the range (a quiet week shows 0 cases, not a gap)."""
    keys = ["office_id", "period"]
    grid = pd.DataFrame([(o, p) for o in f.office_ids for p in f.range.periods], columns=keys)
    parts = (
        days.groupby(keys, as_index=False)[list(DAY_COUNTS)].sum(),
        discharged,
        follow.groupby(keys, as_index=False)[["red_flags", "escalations", "resolved"]].sum(),
        _safety_counts(events),
    )
    for part in parts:
        grid = grid.merge(part, on=keys, how="left")
    grid = grid.fillna({c: 0.0 for c in PERIOD_COUNTS})
    return _rates(grid, f.policy)


def _reasons(days: pd.DataFrame) -> pd.DataFrame:
    same_day = days[days.cancelled_same_day > 0]
    reasons = same_day.groupby(["office_id", "reason"], as_index=False, dropna=False)[
        "cancelled_same_day"
    ].sum()
    reasons = reasons.rename(columns={"cancelled_same_day": "cancelled"})
    reasons["reason"] = [None if pd.isna(r) else r for r in reasons.reason]
    reasons["cancelled"] = reasons.cancelled.astype(int)
    return reasons.reset_index(drop=True)


def _outcomes(follow: pd.DataFrame) -> pd.DataFrame:
    """Per office and visit: how many were due, not reached; NPRS and ODI mean change among
    those scored, and the share improved among all due (not reached counts as not improved);
    visits in order."""
    sums = follow.groupby(["office_id", "kind"], as_index=False)[list(OUTCOME_COUNTS)].sum()
    sums = sums[sums.due > 0]
    order = {k: i for i, k in enumerate(FollowUpKind)}
    sums = sums.assign(
        not_reached=sums.due - sums.reached,
        nprs_mean_improvement=_each(mean, sums.nprs_total, sums.nprs_n),
        nprs_improved_pct=_each(percent, sums.nprs_improved, sums.due),
        odi_mean_improvement=_each(mean, sums.odi_total, sums.odi_n),
        odi_improved_pct=_each(percent, sums.odi_improved, sums.odi_due),
        order=[order[FollowUpKind(k)] for k in sums.kind],
    )
    return sums.sort_values(["office_id", "order"]).drop(columns="order").reset_index(drop=True)


def _medians(frame: pd.DataFrame, names: Collection[str]) -> pd.DataFrame:
    """Office medians from the middle values the database returned: their sum / their count."""
    columns = [c for name in names for c in _median_columns(name)]
    sums = frame.groupby("office_id")[columns].sum()
    return pd.DataFrame(
        {
            f"{name}_median": _each(mean, sums[f"{name}_mid_total"], sums[f"{name}_mid_count"])
            for name in names
        },
        index=sums.index,
    )


def _comparison(
    by_period: pd.DataFrame,
    medians: pd.DataFrame,
    outcome: pd.DataFrame,
    open_now: pd.DataFrame,
    f: MetricsFilter,
) -> pd.DataFrame:
    """One row per office over the whole range: sums of the period numerators and
    denominators (never an average of period rates), medians over the whole range."""
    totals = by_period.groupby("office_id", as_index=False)[list(PERIOD_COUNTS)].sum()
    totals = _rates(totals, f.policy).set_index("office_id")
    at_visit = outcome[outcome.kind == f.policy.comparison_visit].set_index("office_id")
    still_open = dict(zip(open_now.office_id, open_now.open_now, strict=True))
    rows = []
    for o in f.office_rows:
        t = totals.loc[o.id]
        m = medians.loc[o.id] if o.id in medians.index else {}
        visit = at_visit.loc[o.id] if o.id in at_visit.index else {}
        rows.append(
            {
                "office_id": o.id,
                "office": o.code,
                "completed": int(t.completed),
                "on_time_pct": t.on_time_pct,
                "cancelled_first_slots": int(t.cancelled_first_slots),
                "duration_mean": t.duration_mean,
                "duration_median": m.get("duration_median"),
                "over_long_pct": t.over_long_pct,
                "recovery_mean": t.recovery_mean,
                "recovery_median": m.get("recovery_median"),
                "same_day_pct": t.same_day_pct,
                "preop_reach_pct": t.preop_reach_pct,
                "same_day_reached_pct": t.same_day_reached_pct,
                "same_day_unreached_pct": t.same_day_unreached_pct,
                "turnover_mean": t.turnover_mean,
                "turnover_median": m.get("turnover_median"),
                "interval_median": m.get("interval_median"),
                "call_pct": t.call_pct,
                "rtw_pct": t.rtw_pct,
                "red_flags_per_100": t.red_flags_per_100,
                "escalations_per_100": t.escalations_per_100,
                "resolution_median": m.get("resolution_median"),
                "open_escalations": int(still_open.get(o.id, 0)),
                "asc_events": int(t.asc_events),
                "asc_per_1000": t.asc_per_1000,
                "hospital_visits": int(t.hospital_visits),
                "hospital_visits_per_1000": t.hospital_visits_per_1000,
                "nprs_improved_pct": visit.get("nprs_improved_pct"),
                "odi_improved_pct": visit.get("odi_improved_pct"),
            }
        )
    return pd.DataFrame(rows).astype({"nprs_improved_pct": float, "odi_improved_pct": float})


# How far back a late commit is still seen by last_change(): ids are handed out at insert and
# become visible at commit, so an id may appear after higher ones (PostgreSQL, two writers).
LATE_COMMIT_WINDOW = 1000


def last_change() -> tuple[int, int]:
    """A version of the saved data that moves with every saved change, in commit order: the
    newest audit row's id and how many rows the last LATE_COMMIT_WINDOW ids hold ((0, 0)
    before any).

    Every write that touches a case or a follow-up adds its audit row in the same transaction
    (services.common.audit); rows that only record a read (mild.audit.READ_ACTIONS: a case
    opened, the audit trail opened or exported, a FHIR export) change no figure and are passed
    over, so a manager opening the audit trail keeps the cached figures. The newest id alone
    can miss a write: on PostgreSQL a transaction that took id 100 may commit after one that
    took 101, and a reader between the two commits sees 101 and no 100; the count then moves
    when 100 lands, so figures cached under the old version are not served after it (issue 12:
    every replica keyed by the same data). Read from the newest row backwards: the same cost at
    any size of history.
    """
    changes = AuditEvent.action.not_in(sorted(READ_ACTIONS))
    with read_session() as s:
        newest = s.scalar(
            select(AuditEvent.id).where(changes).order_by(AuditEvent.id.desc()).limit(1)
        )
        newest = newest or 0
        recent = s.scalar(
            select(func.count()).where(AuditEvent.id > newest - LATE_COMMIT_WINDOW, changes)
        )
        return newest, recent or 0


def data_source() -> str:
    """Which database the numbers come from (no password): part of a cache key."""
    return get_engine().url.render_as_string(hide_password=True)


def office_metrics(
    scope: Collection[int],
    office_ids: Collection[int],
    date_range: DateRange,
    now: dt.datetime,
    policy: KpiPolicy = DEFAULT_POLICY,
) -> OfficeMetrics:
    """Every KPI of the metrics screen for the chosen offices that lie within `scope` (the
    user's offices: an office outside it is never read, whatever the widgets asked).

    Five grouped queries, each over one indexed range: cases by scheduled start, cases by
    discharge (with the next-day call), follow-ups of those cases (and, apart, their resolved
    escalations), and requests."""
    allowed = set(scope) & set(office_ids)
    rows = tuple(offices(allowed))
    f = MetricsFilter(rows, date_range, now, policy)
    with read_session() as s:
        local = LocalTime(s)
        days = procedure_days(s, local, f)
        discharged = discharges(s, local, f)
        follow = follow_ups(s, local, f)
        resolution = resolution_medians(s, local, f)
        requests = funnel(s, local, f)
        open_now = open_escalations(s, f)
        events = safety_events(s, local, f)
        targets = target_table(s)
    medians_of_days = [c for n in DAY_MEDIANS for c in _median_columns(n)]
    days = _numbers(days, [*DAY_COUNTS, *medians_of_days])
    discharged = _numbers(discharged, DISCHARGE_COUNTS)
    follow = _numbers(follow, FOLLOW_UP_COUNTS)
    resolution = _numbers(resolution, _median_columns("resolution"))
    events["kind"] = [SafetyKind(k).value for k in events.kind]
    by_period = _by_period(days, discharged, follow, events, f)
    medians = _medians(days, DAY_MEDIANS).join(_medians(resolution, ["resolution"]), how="outer")
    outcome = _outcomes(follow)
    stages = [c for c, _ in FUNNEL_STAGES]
    requests = pd.DataFrame({"office_id": f.office_ids}).merge(
        _numbers(requests, stages), on="office_id", how="left"
    )
    return OfficeMetrics(
        offices=rows,
        range=date_range,
        by_period=by_period,
        comparison=_comparison(by_period, medians, outcome, _numbers(open_now, ["open_now"]), f),
        funnel=requests.fillna({c: 0.0 for c in stages}),
        reasons=_reasons(days),
        outcomes=outcome,
        safety=events,
        targets=targets,
        policy=policy,
        computed_at=now,
    )
