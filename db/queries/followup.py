"""Follow-up screen reads: the worklist of open work, one follow-up to record, open escalations,
cases ready to close. Scoped to the caller's offices.

Every query starts from open work, each through its own index: follow-ups not completed and due
by now (ix_follow_up_office_due), escalations not resolved (ix_follow_up_open_escalation, which
holds nothing else), cases still in follow-up (ix_mild_case_office_status). Its cost grows with
the work still to do, not with years of completed follow-ups.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from db.models import Case, FollowUp, Office, Patient, Provider
from db.queries.escalations import (
    is_open_escalation,
    most_urgent_first,
    notification_states,
    red_flag_labels,
)
from db.queries.tiers import tier_limits
from db.session import read_session
from mild.cases import CaseStatus
from mild.escalations import tier_of_stored
from mild.followup import AttemptOutcome, FollowUpKind, Urgency, follow_up_state

WORKLIST_COLUMNS = [
    "follow_up_id",
    "case_id",
    "case_version",
    "kind",
    "state",
    "due_at",
    "overdue_at",
    "patient",
    "phone",
    "code",
    "office_id",
    "office",
    "timezone",
    "attempts",
    "last_attempt_outcome",
    "escalated",
    "urgency",
]


def _open_escalation(case_id_column):
    """True when the case has a red-flag escalation nobody has resolved yet."""
    other = aliased(FollowUp)
    return exists().where(other.case_id == case_id_column, is_open_escalation(other))


def _follow_up_select(*columns):
    """A follow-up with its case, patient and office: the rows every screen read starts from."""
    return (
        select(*columns)
        .join(Case, Case.id == FollowUp.case_id)
        .join(Patient, Patient.id == Case.patient_id)
        .join(Office, Office.id == FollowUp.office_id)
    )


def _patient_name():
    return (Patient.last_name + ", " + Patient.first_name).label("patient")


def _worklist_conditions(
    office_ids: Collection[int],
    now: dt.datetime,
    office_id: int | None,
    kinds: Collection[FollowUpKind],
) -> list | None:
    """Open follow-ups due by now at the offices (narrowed to `office_id` and `kinds` within
    them), of cases not closed; None when no office is left."""
    ids = [i for i in office_ids if office_id is None or i == office_id]
    if not ids:
        return None
    conditions = [
        FollowUp.office_id.in_(ids),
        FollowUp.completed_at.is_(None),
        FollowUp.due_at <= now,
        Case.status != CaseStatus.CLOSED,
    ]
    if kinds:
        conditions.append(FollowUp.kind.in_(list(kinds)))
    return conditions


def _urgency(now: dt.datetime, escalated):
    """mild.followup.urgency in SQL, so the database orders and cuts the list."""
    return case(
        (escalated, int(Urgency.ESCALATED)),
        (FollowUp.kind == FollowUpKind.NEXT_DAY_CALL, int(Urgency.CALL)),
        (FollowUp.overdue_at <= now, int(Urgency.VISIT_OVERDUE)),
        else_=int(Urgency.VISIT_DUE),
    )


def worklist(
    office_ids: Collection[int],
    now: dt.datetime,
    *,
    office_id: int | None = None,
    kinds: Collection[FollowUpKind] = (),
    limit: int | None = None,
) -> pd.DataFrame:
    """Follow-ups due or overdue at the offices, most urgent first (mild.followup.Urgency:
    escalated, next-day calls, overdue visits, visits due), then the longest-waiting first;
    the first `limit` of them (None: all; `worklist_counts` tells how many there are).

    `office_id` and `kinds` narrow it down (only within `office_ids`). Follow-ups of closed
    cases are left out: a closed case is done with.
    """
    conditions = _worklist_conditions(office_ids, now, office_id, kinds)
    if conditions is None:
        return pd.DataFrame(columns=WORKLIST_COLUMNS)
    escalated = _open_escalation(FollowUp.case_id)
    urgency_order = _urgency(now, escalated)
    with read_session() as s:
        rows = s.execute(
            _follow_up_select(
                FollowUp.id,
                FollowUp.case_id,
                Case.version,
                FollowUp.kind,
                FollowUp.due_at,
                FollowUp.overdue_at,
                _patient_name(),
                Patient.phone,
                Case.code,
                FollowUp.office_id,
                Office.code,
                Office.timezone,
                FollowUp.attempts,
                FollowUp.last_attempt_outcome,
                escalated.label("escalated"),
                urgency_order.label("urgency"),
            )
            .where(*conditions)
            .order_by(urgency_order, FollowUp.due_at, FollowUp.id)
            .limit(limit)
        ).all()
    # Column by column from the rows as read: the cost per row stays a few microseconds, so the
    # screen's time follows the size of the worklist only faintly.
    if not rows:
        return pd.DataFrame(columns=WORKLIST_COLUMNS)
    read = [c for c in WORKLIST_COLUMNS if c != "state"]
    columns = dict(zip(read, zip(*rows, strict=True), strict=True))
    columns["kind"] = [FollowUpKind(k) for k in columns["kind"]]
    columns["escalated"] = [bool(e) for e in columns["escalated"]]
    columns["urgency"] = [Urgency(u) for u in columns["urgency"]]
    columns["last_attempt_outcome"] = [
        None if o is None else AttemptOutcome(o) for o in columns["last_attempt_outcome"]
    ]
    columns["state"] = [
        follow_up_state(d, o, None, now)
        for d, o in zip(columns["due_at"], columns["overdue_at"], strict=True)
    ]
    # The moments stay Python datetimes (aware UTC), as every other read returns them: pandas
    # would make them Timestamps, which cost six times as much to put in an office's zone for
    # each row shown. The enums stay enums (pandas would make the urgency a plain integer).
    for kept in ("due_at", "overdue_at", "urgency", "last_attempt_outcome"):
        columns[kept] = pd.Series(columns[kept], dtype=object)
    return pd.DataFrame({c: columns[c] for c in WORKLIST_COLUMNS})


def worklist_counts(
    office_ids: Collection[int],
    now: dt.datetime,
    *,
    office_id: int | None = None,
    kinds: Collection[FollowUpKind] = (),
) -> dict[Urgency, int]:
    """How many follow-ups of each urgency the same worklist holds (every urgency, 0 if none)."""
    counts = dict.fromkeys(Urgency, 0)
    conditions = _worklist_conditions(office_ids, now, office_id, kinds)
    if conditions is None:
        return counts
    urgency_order = _urgency(now, _open_escalation(FollowUp.case_id))
    with read_session() as s:
        rows = s.execute(
            select(urgency_order, func.count())
            .select_from(FollowUp)
            .join(Case, Case.id == FollowUp.case_id)
            .where(*conditions)
            .group_by(urgency_order)
        ).all()
    counts.update({Urgency(u): n for u, n in rows})
    return counts


@dataclass(frozen=True)
class FollowUpDetail:
    """One follow-up as the recording form needs it, with the case's intake baseline."""

    follow_up_id: int
    case_id: int
    case_version: int
    case_status: CaseStatus
    kind: FollowUpKind
    due_at: dt.datetime
    attempts: int
    last_attempt_outcome: AttemptOutcome | None
    completed: bool
    code: str
    patient: str
    phone: str | None
    office: str
    timezone: str
    provider: str | None
    discharged_at: dt.datetime | None
    works: bool | None
    baseline: dict[str, float | None]
    escalated: bool


def follow_up_detail(follow_up_id: int, office_ids: Collection[int]) -> FollowUpDetail | None:
    """The follow-up if it exists at one of the offices, else None."""
    with read_session() as s:
        row = s.execute(
            _follow_up_select(
                FollowUp.id.label("follow_up_id"),
                FollowUp.case_id,
                Case.version.label("case_version"),
                Case.status.label("case_status"),
                FollowUp.kind,
                FollowUp.due_at,
                FollowUp.attempts,
                FollowUp.last_attempt_outcome,
                FollowUp.completed_at,
                Case.code,
                _patient_name(),
                Patient.phone,
                Office.code.label("office"),
                Office.timezone,
                Provider.name.label("provider"),
                Case.discharged_at,
                Case.works,
                Case.baseline_nprs,
                Case.baseline_odi,
                Case.baseline_walk_minutes,
                Case.baseline_stand_minutes,
                _open_escalation(FollowUp.case_id).label("escalated"),
            )
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .where(FollowUp.id == follow_up_id, FollowUp.office_id.in_(list(office_ids)))
        ).one_or_none()
    if row is None:
        return None
    return FollowUpDetail(
        follow_up_id=row.follow_up_id,
        case_id=row.case_id,
        case_version=row.case_version,
        case_status=CaseStatus(row.case_status),
        kind=FollowUpKind(row.kind),
        due_at=row.due_at,
        attempts=row.attempts,
        last_attempt_outcome=None
        if row.last_attempt_outcome is None
        else AttemptOutcome(row.last_attempt_outcome),
        completed=row.completed_at is not None,
        code=row.code,
        patient=row.patient,
        phone=row.phone,
        office=row.office,
        timezone=row.timezone,
        provider=row.provider,
        discharged_at=row.discharged_at,
        works=row.works,
        baseline={
            "nprs": row.baseline_nprs,
            "odi": row.baseline_odi,
            "walk_minutes": row.baseline_walk_minutes,
            "stand_minutes": row.baseline_stand_minutes,
        },
        escalated=bool(row.escalated),
    )


ESCALATION_COLUMNS = [
    "follow_up_id",
    "case_id",
    "case_version",
    "code",
    "patient",
    "phone",
    "provider",
    "office",
    "timezone",
    "kind",
    "red_flags",
    "escalation_note",
    "notes",
    "escalated_at",
    "tier",
    "limit_minutes",
    "notifications",
]


def escalations_to_resolve(
    office_ids: Collection[int], *, provider_id: int | None = None
) -> pd.DataFrame:
    """Open escalations with what the clinician resolving them needs: patient, phone, provider,
    the flags and notes, the tier and its time limit, and where each notification stands; the
    most urgent tier first, then the longest open. `provider_id`: only that provider's cases
    (a provider's own sign-in), still within the offices."""
    ids = list(office_ids)
    if not ids:
        return pd.DataFrame(columns=ESCALATION_COLUMNS)
    conditions = [FollowUp.office_id.in_(ids), is_open_escalation()]
    if provider_id is not None:
        conditions.append(Case.provider_id == provider_id)
    with read_session() as s:
        rows = s.execute(
            _follow_up_select(
                FollowUp.id,
                FollowUp.case_id,
                Case.version,
                Case.code,
                _patient_name(),
                Patient.phone,
                Provider.name,
                Office.code,
                Office.timezone,
                FollowUp.kind,
                FollowUp.red_flags,
                FollowUp.escalation_note,
                FollowUp.notes,
                FollowUp.escalated_at,
                FollowUp.escalation_tier,
            )
            .outerjoin(Provider, Provider.id == Case.provider_id)
            .where(*conditions)
            .order_by(*most_urgent_first())
        ).all()
    frame = pd.DataFrame([r[:-1] for r in rows], columns=ESCALATION_COLUMNS[:-3])
    frame["kind"] = [FollowUpKind(k) for k in frame["kind"]]
    frame["red_flags"] = [red_flag_labels(f) for f in frame["red_flags"]]
    tiers = [tier_of_stored(r[-1]) for r in rows]
    limits = tier_limits() if rows else {}
    states = notification_states(frame["follow_up_id"])
    frame["tier"] = pd.Series(tiers, dtype=object)
    frame["limit_minutes"] = [limits[t] for t in tiers]
    frame["notifications"] = pd.Series(
        [states.get(int(i), []) for i in frame["follow_up_id"]], dtype=object
    )
    return frame


CLOSE_COLUMNS = ["case_id", "case_version", "code", "patient", "office", "timezone", "visit_at"]


def ready_to_close(office_ids: Collection[int]) -> pd.DataFrame:
    """Cases still in follow-up whose 12-month visit is recorded: closing them is offered."""
    ids = list(office_ids)
    if not ids:
        return pd.DataFrame(columns=CLOSE_COLUMNS)
    with read_session() as s:
        rows = s.execute(
            select(
                Case.id,
                Case.version,
                Case.code,
                _patient_name(),
                Office.code,
                Office.timezone,
                FollowUp.completed_at,
            )
            .join(
                FollowUp,
                and_(
                    FollowUp.case_id == Case.id,
                    FollowUp.kind == FollowUpKind.MONTHS_12,
                    FollowUp.completed_at.is_not(None),
                ),
            )
            .join(Patient, Patient.id == Case.patient_id)
            .join(Office, Office.id == Case.office_id)
            .where(Case.office_id.in_(ids), Case.status == CaseStatus.FOLLOW_UP)
            .order_by(FollowUp.completed_at, Case.id)
        ).all()
    return pd.DataFrame(rows, columns=CLOSE_COLUMNS)
