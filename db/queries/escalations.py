"""Open escalations: follow-ups whose red flags were escalated and not yet resolved.

Shared by the follow-up worklist, the schedule and the board to show the escalation flag.
The query touches only escalated, unresolved follow-up rows of the given offices.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import and_, select

from db.models import Case, FollowUp
from db.session import read_session
from mild.followup import FollowUpKind, parse_red_flags

COLUMNS = ["case_id", "code", "office_id", "kind", "red_flags", "escalated_at"]


def is_open_escalation(follow_up=FollowUp):
    """Escalated and not yet resolved: the one definition the worklist, schedule and board use."""
    return and_(follow_up.escalated_at.is_not(None), follow_up.escalation_resolved_at.is_(None))


def red_flag_labels(stored: str | None) -> list[str]:
    """The labels of the red flags stored comma-separated on a follow-up, in a fixed order."""
    return [f.label for f in parse_red_flags(stored)]


def open_escalations(office_ids: Collection[int]) -> pd.DataFrame:
    """case_id, code, office_id, kind (label), red_flags (list of labels), escalated_at.

    One row per escalated follow-up not yet resolved at the offices, oldest escalation first.
    """
    ids = list(office_ids)
    if not ids:
        return pd.DataFrame(columns=COLUMNS)
    with read_session() as s:
        rows = s.execute(
            select(
                FollowUp.case_id,
                Case.code,
                FollowUp.office_id,
                FollowUp.kind,
                FollowUp.red_flags,
                FollowUp.escalated_at,
            )
            .join(Case, Case.id == FollowUp.case_id)
            .where(FollowUp.office_id.in_(ids), is_open_escalation())
            .order_by(FollowUp.escalated_at, FollowUp.id)
        ).all()
    return pd.DataFrame(
        [
            (case_id, code, office_id, FollowUpKind(kind).label, red_flag_labels(flags), at)
            for case_id, code, office_id, kind, flags, at in rows
        ],
        columns=COLUMNS,
    )
