"""Open escalations: follow-ups whose red flags were escalated and not yet resolved, the most
urgent tier first; and where their notifications stand.

Shared by the follow-up worklist, the schedule, the board and the provider's Escalations screen.
The query touches only escalated, unresolved follow-up rows of the given offices.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd
from sqlalchemy import and_, case, select

from db.models import Case, FollowUp, Notification
from db.session import read_session
from mild.escalations import NotificationState, Tier, tier_of_stored
from mild.followup import FollowUpKind, parse_red_flags

COLUMNS = [
    "follow_up_id",
    "case_id",
    "code",
    "office_id",
    "kind",
    "red_flags",
    "tier",
    "escalated_at",
]


def is_open_escalation(follow_up=FollowUp):
    """Escalated and not yet resolved: the one definition the worklist, schedule and board use."""
    return and_(follow_up.escalated_at.is_not(None), follow_up.escalation_resolved_at.is_(None))


def tier_rank(follow_up=FollowUp):
    """0 for the most urgent tier; an escalation with no (known) tier ranks as an emergency."""
    return case(
        {t.value: t.rank for t in Tier},
        value=follow_up.escalation_tier,
        else_=Tier.EMERGENCY.rank,
    )


def most_urgent_first(follow_up=FollowUp) -> tuple:
    """The order every list of escalations follows: tier, then the longest open."""
    return (tier_rank(follow_up), follow_up.escalated_at, follow_up.id)


def red_flag_labels(stored: str | None) -> list[str]:
    """The labels of the red flags stored comma-separated on a follow-up, in a fixed order."""
    return [f.label for f in parse_red_flags(stored)]


def open_escalations(office_ids: Collection[int]) -> pd.DataFrame:
    """follow_up_id, case_id, code, office_id, kind (label), red_flags (list of labels), tier
    (mild.escalations.Tier), escalated_at: one row per escalated follow-up not yet resolved at
    the offices, the most urgent tier first, then the longest open."""
    ids = list(office_ids)
    if not ids:
        return pd.DataFrame(columns=COLUMNS)
    with read_session() as s:
        rows = s.execute(
            select(
                FollowUp.id,
                FollowUp.case_id,
                Case.code,
                FollowUp.office_id,
                FollowUp.kind,
                FollowUp.red_flags,
                FollowUp.escalation_tier,
                FollowUp.escalated_at,
            )
            .join(Case, Case.id == FollowUp.case_id)
            .where(FollowUp.office_id.in_(ids), is_open_escalation())
            .order_by(*most_urgent_first())
        ).all()
    return pd.DataFrame(
        [
            (
                fid,
                case_id,
                code,
                office_id,
                FollowUpKind(kind).label,
                red_flag_labels(flags),
                tier_of_stored(tier),
                at,
            )
            for fid, case_id, code, office_id, kind, flags, tier, at in rows
        ],
        columns=COLUMNS,
    )


def notification_states(follow_up_ids: Collection[int]) -> dict[int, list[NotificationState]]:
    """Every notification of the follow-ups (escalations), by follow-up id, in round order.
    A handful per escalation; read for the open escalations on screen only."""
    ids = [int(i) for i in follow_up_ids]
    if not ids:
        return {}
    with read_session() as s:
        rows = s.scalars(
            select(Notification)
            .where(Notification.follow_up_id.in_(ids))
            .order_by(Notification.follow_up_id, Notification.round, Notification.id)
        ).all()
        found: dict[int, list[NotificationState]] = {}
        for n in rows:
            found.setdefault(n.follow_up_id, []).append(
                NotificationState(
                    recipient=n.recipient,
                    round=n.round,
                    status=n.status,
                    attempts=n.attempts,
                    name=n.recipient_name,
                    next_attempt_at=n.next_attempt_at,
                    last_error=n.last_error,
                    sent_at=n.sent_at,
                )
            )
    return found
