"""Live status board reads: today's cases per office by stage with their alerts, and open
escalations.

One query for the cases (each office in its own local day), one for the alert thresholds (the
practice's settings) and one for the escalation flags (and, while any is open, one each for the
tiers' limits and their notifications): a handful per refresh, however long the history is.

Waiting-room mode is enforced here, not only on screen: its query never joins the patient or
the provider, never reads the case code, and its rows carry the office, the waiting-room code
and the stage of the patients on site, nothing else.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import select

from db.models import Case, Patient, Provider, StaffUser, UserSession
from db.queries.escalations import notification_states, open_escalations
from db.queries.home import OfficeRow
from db.queries.schedule import office_days_clause
from db.queries.settings import setting_table
from db.queries.tiers import tier_limits
from db.session import read_session
from mild.board import BOARD_STAGES, STAGE_SINCE, board_stage, minutes_in_stage, public_view
from mild.board_alerts import ALERT_TIMES, alert_thresholds, board_alert
from mild.cases import CaseStatus
from mild.days import local_today
from mild.escalations import notification_summary, past_limit

BOARD_COLUMNS = [
    "case_id",
    "office_id",
    "code",
    "status",
    "stage",
    "scheduled_start",
    "patient",
    "provider",
    "in_stage_minutes",
    "alert",
    "waiting_code",
    "escalation",
]
ESCALATION_COLUMNS = [
    "case_id",
    "office_id",
    "code",
    "kind",
    "red_flags",
    "escalated_at",
    "tier",
    "past_limit",
    "notified",
]
_STAGE_ORDER = {s: n for n, s in enumerate((*BOARD_STAGES, CaseStatus.CANCELLED))}
# The stamps time in stage and the alerts are counted from, read only for today's cases.
_TIMES = [t for t in dict.fromkeys([*STAGE_SINCE.values(), *ALERT_TIMES]) if t != "scheduled_start"]


def _today(offices: Sequence[OfficeRow], now: dt.datetime, scope: Collection[int]):
    return office_days_clause(
        (o.id, o.timezone, local_today(o.timezone, now), local_today(o.timezone, now))
        for o in offices
        if o.id in scope
    )


def _by_stage(table: pd.DataFrame) -> pd.DataFrame:
    """Rows (in start order) regrouped by office, then board stage; start order kept within."""
    stages = [_STAGE_ORDER[board_stage(s)] for s in table.status]
    keys = list(zip(table.office_id, stages, strict=True))
    positions = sorted(range(len(keys)), key=keys.__getitem__)  # sorted() is stable
    return table.iloc[positions].reset_index(drop=True)


def public_board_cases(
    offices: Sequence[OfficeRow], now: dt.datetime, *, scope: Collection[int]
) -> pd.DataFrame:
    """Waiting-room rows for today: office_id, waiting_code, stage (label) of the patients who
    carry a code (on site), by stage then start."""
    with read_session() as s:
        rows = s.execute(
            select(Case.office_id, Case.waiting_code, Case.status)
            .where(_today(offices, now, scope), Case.waiting_code.is_not(None))
            .order_by(Case.office_id, Case.scheduled_start, Case.id)
        ).all()
    table = pd.DataFrame(rows, columns=["office_id", "waiting_code", "status"])
    return public_view(_by_stage(table))


def board_cases(
    offices: Sequence[OfficeRow],
    now: dt.datetime,
    *,
    scope: Collection[int],
    flags: dict[int, str] | None = None,
) -> pd.DataFrame:
    """Today's cases at the offices with stage, patient, provider, minutes in stage, the alert
    at `now` (mild.board_alerts, at the practice's thresholds), the waiting-room code and the
    escalation flag (`flags`: text per case id), ordered by office, stage, then start;
    cancelled ones come last."""
    with read_session() as s:
        thresholds = alert_thresholds({k: v.value for k, v in setting_table(s).items()})
        rows = s.execute(
            select(
                Case.id,
                Case.office_id,
                Case.code,
                Case.status,
                Case.scheduled_start,
                (Patient.last_name + ", " + Patient.first_name),
                Provider.name,
                Case.planned_minutes,
                Case.waiting_code,
                *[getattr(Case, t) for t in _TIMES],
            )
            .join(Patient, Patient.id == Case.patient_id)
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .where(_today(offices, now, scope))
            .order_by(Case.office_id, Case.scheduled_start, Case.id)
        ).all()
    flags = flags or {}
    records = []
    for r in rows:
        stage = board_stage(r.status)
        times = dict(zip(_TIMES, r[9:], strict=True), scheduled_start=r.scheduled_start)
        records.append(
            (
                r.id,
                r.office_id,
                r.code,
                CaseStatus(r.status),
                stage.label,
                r.scheduled_start,
                r[5],
                r[6] or "",
                minutes_in_stage(r.status, times, now),
                board_alert(r.status, times, r.planned_minutes, now, thresholds),
                r.waiting_code or "",
                flags.get(r.id, ""),
            )
        )
    return _by_stage(pd.DataFrame(records, columns=BOARD_COLUMNS))


def escalations(
    offices: Sequence[OfficeRow], *, scope: Collection[int], now: dt.datetime
) -> pd.DataFrame:
    """Open escalations at the offices, whatever day the case was, the most urgent tier first:
    case_id, office_id, code, kind, red_flags (text), escalated_at, tier, past_limit (open
    longer than its tier's limit at `now`), notified (where its notifications stand)."""
    found = open_escalations([o.id for o in offices if o.id in scope])
    if found.empty:
        return pd.DataFrame(columns=ESCALATION_COLUMNS)
    limits = tier_limits()
    states = notification_states(found.follow_up_id)
    return pd.DataFrame(
        {
            "case_id": found.case_id,
            "office_id": found.office_id,
            "code": found.code,
            "kind": found.kind,
            "red_flags": [", ".join(f) for f in found.red_flags],
            "escalated_at": found.escalated_at,
            "tier": found.tier,
            "past_limit": [
                past_limit(at, limits[tier], now)
                for at, tier in zip(found.escalated_at, found.tier, strict=True)
            ],
            "notified": [notification_summary(states.get(int(i), [])) for i in found.follow_up_id],
        },
        columns=ESCALATION_COLUMNS,
    )


def flags_by_case(flagged: pd.DataFrame) -> dict[int, str]:
    """The red flags of each escalated case, joined, for the flag column."""
    texts: dict[int, list[str]] = {}
    for case_id, flags in zip(flagged.case_id, flagged.red_flags, strict=True):
        texts.setdefault(int(case_id), []).append(flags or "Escalated")
    return {case_id: "; ".join(dict.fromkeys(t)) for case_id, t in texts.items()}


@dataclass(frozen=True)
class OfficeBoard:
    """One office's board: today's cases (not cancelled) by stage, cancellations apart, and
    the open escalations (always empty in waiting-room mode)."""

    office: OfficeRow
    cases: pd.DataFrame
    cancelled: pd.DataFrame
    escalations: pd.DataFrame
    public: bool


def board(
    offices: Sequence[OfficeRow], now: dt.datetime, *, scope: Collection[int], public: bool
) -> list[OfficeBoard]:
    """Every office's board for `now`; waiting-room mode reads nothing but codes and stages."""
    offices = [o for o in offices if o.id in scope]
    if public:
        rows = public_board_cases(offices, now, scope=scope)
        flagged = pd.DataFrame(columns=ESCALATION_COLUMNS)
        is_cancelled = rows.stage == CaseStatus.CANCELLED.label
    else:
        flagged = escalations(offices, scope=scope, now=now)
        rows = board_cases(offices, now, scope=scope, flags=flags_by_case(flagged))
        is_cancelled = rows.status == CaseStatus.CANCELLED
    # The rows come by office, then stage with the cancelled last (_by_stage): each office's
    # cases and cancellations are two runs of rows, cut as slices (a boolean mask per office
    # copied every column once per office, most of a refresh's time at 25 offices).
    office_of, cancelled_flags = rows.office_id.to_list(), is_cancelled.to_list()
    result = []
    for o in offices:
        first = bisect.bisect_left(office_of, o.id)
        end = bisect.bisect_right(office_of, o.id)
        split = first + cancelled_flags[first:end].count(False)
        result.append(
            OfficeBoard(
                office=o,
                cases=rows.iloc[first:split].reset_index(drop=True),
                cancelled=rows.iloc[split:end].reset_index(drop=True),
                escalations=flagged[flagged.office_id == o.id].reset_index(drop=True),
                public=public,
            )
        )
    return result


@dataclass(frozen=True)
class RunningDisplay:
    """A waiting-room display showing one of the user's offices, for the Board's list of
    displays a staff member of that office may end from their own screen."""

    session_id: int
    office_id: int
    started_by: str  # the display name of the user whose session it is


def running_displays(office_ids: Collection[int]) -> list[RunningDisplay]:
    """The open display sessions showing one of `office_ids` (a handful at most)."""
    with read_session() as s:
        rows = s.execute(
            select(UserSession.id, UserSession.display_offices, StaffUser.display_name)
            .join(StaffUser, StaffUser.id == UserSession.user_id)
            .where(UserSession.ended_at.is_(None), UserSession.display_offices.is_not(None))
            .order_by(UserSession.id)
        ).all()
    wanted = set(office_ids)
    return [
        RunningDisplay(r.id, office, r.display_name)
        for r in rows
        for office in (int(i) for i in r.display_offices.split(",") if i)
        if office in wanted
    ]
