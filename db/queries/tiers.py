"""The practice's escalation tiers (mild.escalations): which tier each red flag escalates at,
and each tier's time limit; for the escalating service, the screens and the Admin screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import EscalationTier, RedFlagTier
from db.queries.policy import policy_rows, policy_table
from db.session import read_session
from mild.escalations import DEFAULT_LIMIT_TABLE, FlagTier, Tier, TierLimit
from mild.followup import RedFlag

FLAG_VALUES = frozenset(f.value for f in RedFlag)
TIER_VALUES = frozenset(t.value for t in Tier)


def _flag_tier(row: RedFlagTier) -> FlagTier | None:
    """A row as the rules see it; a flag or tier this version does not know is left out."""
    if row.key not in FLAG_VALUES or row.tier not in TIER_VALUES:
        return None
    return FlagTier(RedFlag(row.key), Tier(row.tier), row.source)


def _tier_limit(row: EscalationTier) -> TierLimit | None:
    if row.key not in TIER_VALUES:
        return None
    return TierLimit(Tier(row.key), row.limit_minutes, row.source)


def flag_tier_table(session: Session) -> dict[RedFlag, Tier]:
    """Each red flag's tier (a flag missing here escalates as an emergency)."""
    found = policy_table(session, RedFlagTier, _flag_tier, lambda f: f.flag)
    return {flag: row.tier for flag, row in found.items()}


def tier_limit_table(session: Session) -> dict[Tier, int]:
    """Each tier's time limit in minutes (the default where a row is missing)."""
    found = policy_table(session, EscalationTier, _tier_limit, lambda t: t.tier)
    return {**DEFAULT_LIMIT_TABLE, **{tier: row.limit_minutes for tier, row in found.items()}}


def tier_limits() -> dict[Tier, int]:
    with read_session() as s:
        return tier_limit_table(s)


@dataclass(frozen=True)
class TierLimitView:
    limit: TierLimit
    updated_at: dt.datetime
    updated_by: str | None  # username; None for the defaults as installed


@dataclass(frozen=True)
class FlagTierView:
    flag_tier: FlagTier
    updated_at: dt.datetime
    updated_by: str | None


def tier_limit_rows() -> list[TierLimitView]:
    """Every tier's limit for the Admin screen, most urgent first."""
    found = policy_rows(EscalationTier, _tier_limit, lambda t: t.tier)
    return [TierLimitView(*found[t]) for t in Tier if t in found]


def flag_tier_rows() -> list[FlagTierView]:
    """Every red flag's tier for the Admin screen, in the order the call form lists them."""
    found = policy_rows(RedFlagTier, _flag_tier, lambda f: f.flag)
    return [FlagTierView(*found[f]) for f in RedFlag if f in found]
