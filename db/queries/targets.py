"""The practice's KPI targets (mild.targets), for the metrics screen and the Admin screen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from db.models import KpiTarget
from db.queries.policy import policy_rows, policy_table
from mild.targets import DEFAULT_TARGETS, SPECS, Target


def _target(row: KpiTarget) -> Target | None:
    """A row as the rules see it; a key this version does not know is left out."""
    if row.key not in SPECS:
        return None
    return Target(row.key, row.target, row.amber, row.source)


def target_table(session: Session) -> dict[str, Target]:
    """The practice's targets by KPI column (a key missing here has no target shown)."""
    return policy_table(session, KpiTarget, _target, lambda t: t.key)


@dataclass(frozen=True)
class TargetView:
    target: Target
    updated_at: dt.datetime
    updated_by: str | None  # username; None for the defaults as installed


def target_rows() -> list[TargetView]:
    """Every target for the Admin screen, in the order mild.targets lists them."""
    found = policy_rows(KpiTarget, _target, lambda t: t.key)
    return [TargetView(*found[t.key]) for t in DEFAULT_TARGETS if t.key in found]
