"""Admin actions on the practice's escalation tiers (mild.escalations): the time limit of each
tier and the tier of each red flag. One transaction, the admin checked against the database,
the change with its audit row (before and after). An escalation keeps the tier it was raised
at; a change applies to the escalations raised after it (and a limit to every open one)."""

from __future__ import annotations

import datetime as dt

from db.models import EscalationTier, RedFlagTier
from db.session import transaction
from mild import escalations as rules
from mild import messages
from services.admin import PolicyEdit, change_policy_row, require_admin
from services.common import Actor


def update_tier_limit(
    key: str,
    *,
    limit_minutes: float | None,
    source: str,
    expected_updated_at: dt.datetime | None,
    actor: Actor,
) -> dt.datetime:
    """Change a tier's time limit and its source; returns the time of this change."""
    checked = rules.check_tier_limit(key, limit_minutes, source)
    edit = PolicyEdit(
        checked.tier.value,
        {"limit_minutes": checked.limit_minutes, "source": checked.source},
        expected_updated_at,
        "limit_minutes",
        messages.TIER_UNKNOWN,
        messages.TIER_CHANGED_BY_SOMEONE_ELSE,
    )
    with transaction() as session:
        require_admin(session, actor)
        _, at = change_policy_row(session, EscalationTier, edit, actor, "escalation_tier.changed")
        return at


def update_flag_tier(
    flag: str,
    *,
    tier: str | None,
    source: str,
    expected_updated_at: dt.datetime | None,
    actor: Actor,
) -> dt.datetime:
    """Change the tier a red flag escalates at, and its source; returns the time of this
    change."""
    checked = rules.check_flag_tier(flag, tier, source)
    edit = PolicyEdit(
        checked.flag.value,
        {"tier": checked.tier.value, "source": checked.source},
        expected_updated_at,
        "tier",
        messages.RED_FLAG_UNKNOWN,
        messages.TIER_CHANGED_BY_SOMEONE_ELSE,
    )
    with transaction() as session:
        require_admin(session, actor)
        _, at = change_policy_row(session, RedFlagTier, edit, actor, "red_flag_tier.changed")
        return at
