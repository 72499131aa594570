"""Comorbidity values on cases and the practice's clinical limits (mild.clearances)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import CaseClearance, ClinicalLimit, StaffUser
from db.queries.policy import policy_rows, policy_table
from mild.clearances import (
    STOP_BANG_ITEMS,
    CardiologyClearance,
    ClearanceKind,
    ClearanceValue,
    ClearanceValues,
    DeviceValues,
    Egfr,
    Hba1c,
    Limit,
    LimitKey,
    StopBangAnswers,
)

CHUNK = 1000


def limit_from_row(row: ClinicalLimit) -> Limit | None:
    """A limit row as the rules see it; a key this version does not know is left out."""
    if row.key not in tuple(LimitKey):
        return None
    return Limit(LimitKey(row.key), row.value, row.unit, row.action, row.source)


def limit_table(session: Session) -> dict[LimitKey, Limit]:
    """The practice's limits by key (a key missing here falls back to the default)."""
    return policy_table(session, ClinicalLimit, limit_from_row, lambda limit: limit.key)


@dataclass(frozen=True)
class LimitView:
    limit: Limit
    updated_at: dt.datetime
    updated_by: str | None  # username; None for the defaults as installed


def limit_rows() -> list[LimitView]:
    """Every limit for the Admin screen, in the order mild.clearances lists them."""
    found = policy_rows(ClinicalLimit, limit_from_row, lambda limit: limit.key)
    return [LimitView(*found[key]) for key in LimitKey if key in found]


def value_of(row: CaseClearance) -> ClearanceValue | None:
    """The values a row holds, or None when one of them is missing (not "on file")."""
    if row.kind in (ClearanceKind.HBA1C, ClearanceKind.EGFR):
        if row.value is None or row.measured_on is None:
            return None
        cls = Hba1c if row.kind == ClearanceKind.HBA1C else Egfr
        return cls(row.value, row.measured_on)
    if row.kind == ClearanceKind.STOP_BANG:
        if row.stop_bang_yes is None or row.neck_cm is None or row.sex is None:
            return None
        yes = set(filter(None, row.stop_bang_yes.split(",")))
        return StopBangAnswers(
            **{item: item in yes for item in STOP_BANG_ITEMS}, neck_cm=row.neck_cm, sex=row.sex
        )
    if row.kind == ClearanceKind.DEVICE:
        fields = (
            row.device_type,
            row.manufacturer,
            row.indication,
            row.pacing_dependent,
            row.measured_on,
            row.plan,
        )
        return None if any(f is None for f in fields) else DeviceValues(*fields)
    if row.cleared_by is None or row.measured_on is None:
        return None
    return CardiologyClearance(row.cleared_by, row.measured_on)


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(set(ids))
    for i in range(0, len(ordered), CHUNK):
        yield ordered[i : i + CHUNK]


def case_values(session: Session, case_ids: Collection[int]) -> dict[int, ClearanceValues]:
    """The complete values on file per case (a case with none is left out)."""
    found: dict[int, dict[str, ClearanceValue]] = defaultdict(dict)
    for chunk in _chunks(case_ids):
        for row in session.scalars(select(CaseClearance).where(CaseClearance.case_id.in_(chunk))):
            value = value_of(row)
            if value is not None:
                found[row.case_id][row.kind.value] = value
    return {case_id: ClearanceValues(**values) for case_id, values in found.items()}


@dataclass(frozen=True)
class ClearanceRecord:
    """Values on a case as intake shows them: what, who recorded them, when."""

    kind: ClearanceKind
    values: ClearanceValue | None
    recorded_by: str | None
    recorded_at: dt.datetime


def clearance_records(session: Session, case_id: int) -> dict[ClearanceKind, ClearanceRecord]:
    rows = session.execute(
        select(CaseClearance, StaffUser.display_name)
        .outerjoin(StaffUser, StaffUser.id == CaseClearance.recorded_by_id)
        .where(CaseClearance.case_id == case_id)
    ).all()
    return {
        row.kind: ClearanceRecord(row.kind, value_of(row), who, row.recorded_at)
        for row, who in rows
    }


def case_egfr(session: Session, case_id: int) -> float | None:
    """The eGFR on file for the case, if any."""
    return session.scalar(
        select(CaseClearance.value).where(
            CaseClearance.case_id == case_id,
            CaseClearance.kind == ClearanceKind.EGFR,
            CaseClearance.measured_on.is_not(None),
        )
    )
