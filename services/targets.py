"""Admin action on the practice's KPI targets (mild.targets): one transaction, the admin checked
against the database, the change with its audit row (before and after)."""

from __future__ import annotations

import datetime as dt

from db.models import KpiTarget
from db.session import transaction
from mild import messages
from mild import targets as rules
from services.admin import PolicyEdit, change_policy_row, require_admin
from services.common import Actor


def update_kpi_target(
    key: str,
    *,
    target: float | None,
    amber: float | None,
    source: str,
    expected_updated_at: dt.datetime | None,
    actor: Actor,
) -> dt.datetime:
    """Change one KPI's target, amber edge and source. `expected_updated_at` is the change the
    admin's screen showed: someone else's change since is not overwritten. Returns the time of
    this change."""
    checked = rules.check_target(key, target, amber, source)
    edit = PolicyEdit(
        checked.key,
        {"target": checked.target, "amber": checked.amber, "source": checked.source},
        expected_updated_at,
        "target",
        messages.TARGET_UNKNOWN,
        messages.TARGET_CHANGED_BY_SOMEONE_ELSE,
    )
    with transaction() as session:
        require_admin(session, actor)
        _, at = change_policy_row(session, KpiTarget, edit, actor, "kpi_target.changed")
        return at
