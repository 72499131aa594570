"""The practice's medication hold table as intake uses it: the active rows of hold_rule."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import HoldRuleRow
from db.session import read_session
from mild.medications import HoldRule


def hold_table(session: Session) -> dict[str, HoldRule]:
    """drug (lower case) -> rule, for mild.medications.classify; a deactivated row is left out,
    so intake treats that drug as unknown (needs review)."""
    rows = session.scalars(select(HoldRuleRow).where(HoldRuleRow.active))
    return {
        r.drug: HoldRule(r.drug, r.med_class, r.hold_days, r.needs_clearance, r.instruction or "")
        for r in rows
    }


def current_hold_table() -> dict[str, HoldRule]:
    """The hold table read on its own, for a screen that shows instructions."""
    with read_session() as session:
        return hold_table(session)
