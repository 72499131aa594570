"""Safety events of one case, as the checklist and follow-up screens list them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from db.models import SafetyEvent, StaffUser
from db.session import read_session
from mild.safety import SafetyKind


@dataclass(frozen=True)
class SafetyEventRow:
    id: int
    kind: SafetyKind
    occurred_at: dt.datetime
    description: str
    recorded_at: dt.datetime
    recorded_by: str | None


def case_events(case_id: int, office_ids: Collection[int]) -> list[SafetyEventRow]:
    """The case's safety events, oldest first; none for a case outside `office_ids`."""
    with read_session() as s:
        rows = s.execute(
            select(
                SafetyEvent.id,
                SafetyEvent.kind,
                SafetyEvent.occurred_at,
                SafetyEvent.description,
                SafetyEvent.recorded_at,
                StaffUser.display_name,
            )
            .outerjoin(StaffUser, StaffUser.id == SafetyEvent.recorded_by_id)
            .where(SafetyEvent.case_id == case_id, SafetyEvent.office_id.in_(list(office_ids)))
            .order_by(SafetyEvent.occurred_at, SafetyEvent.id)
        ).all()
    return [SafetyEventRow(r[0], SafetyKind(r[1]), *r[2:]) for r in rows]
