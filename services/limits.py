"""Admin action on the practice's clinical limits (mild.clearances): one transaction, the admin
checked against the database, the change with its audit row (before and after). A change of the
eGFR limit for dabigatran re-applies it to the open cases it concerns."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db.models import Case, CaseClearance, CaseMedication, ClinicalLimit
from db.session import transaction
from mild import clearances as rules
from mild import messages
from mild.clearances import ClearanceKind, LimitKey
from services.admin import PolicyEdit, change_policy_row, require_admin
from services.common import Actor
from services.intake import finish
from services.medications import RECLASS_STATUSES, apply_kidney_function


def update_clinical_limit(
    key: str,
    *,
    value: float | None,
    action: str | None,
    source: str,
    expected_updated_at: dt.datetime | None,
    actor: Actor,
) -> dt.datetime:
    """Change one limit's value, action (block or warn) and source. `expected_updated_at` is
    the change the admin's screen showed: someone else's change since is not overwritten.
    Returns the time of this change."""
    limit = rules.check_limit(key, value, action, source)
    edit = PolicyEdit(
        limit.key.value,
        {"value": limit.value, "unit": limit.unit, "action": limit.action, "source": limit.source},
        expected_updated_at,
        "value",
        messages.LIMIT_UNKNOWN,
        messages.LIMIT_CHANGED_BY_SOMEONE_ELSE,
    )
    with transaction() as session:
        require_admin(session, actor)
        _, at = change_policy_row(session, ClinicalLimit, edit, actor, "clinical_limit.changed")
        if limit.key == LimitKey.EGFR_DABIGATRAN:
            session.flush()
            _reapply_dabigatran(session, actor, at)
        return at


def _reapply_dabigatran(session, actor: Actor, at: dt.datetime) -> None:
    """Open cases with an eGFR on file and dabigatran listed: the stop follows the new limit."""
    cases = session.execute(
        select(Case, CaseClearance.value)
        .join(CaseClearance, CaseClearance.case_id == Case.id)
        .where(
            Case.status.in_(RECLASS_STATUSES),
            CaseClearance.kind == ClearanceKind.EGFR,
            Case.id.in_(
                select(CaseMedication.case_id).where(CaseMedication.hold_rule.is_not(None))
            ),
        )
        .order_by(Case.id)
        .with_for_update(of=Case)
    ).all()
    for case, egfr in cases:
        if apply_kidney_function(session, case, egfr, actor, at):
            finish(session, case, actor, "case.kidney_function_reapplied", {"egfr": egfr}, at)
