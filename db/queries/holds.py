"""The practice's medication hold table as intake and the Admin screen use it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import HoldRuleRow
from db.session import read_session
from mild.medications import HoldRule, from_hours


def rule_from_row(r: HoldRuleRow) -> HoldRule:
    """One table row as the rules in mild.medications see it (hours become durations)."""
    return HoldRule(
        drug=r.drug,
        generic=r.generic,
        med_class=r.med_class,
        stop_before=from_hours(r.stop_before_hours),
        restart_after=from_hours(r.restart_after_hours),
        needs_clearance=r.needs_clearance,
        brands=tuple(b.strip() for b in (r.brands or "").split(";") if b.strip()),
        instruction=r.instruction or "",
        source=r.source or "",
        skip_on_day=r.skip_on_day,
        confirmed_by=r.confirmed_by,
        confirmed_on=r.confirmed_on,
    )


def hold_table(session: Session, *, include_inactive: bool = False) -> dict[str, HoldRule]:
    """row name -> rule, for mild.medications.classify; a deactivated row is left out (unless
    asked), so intake treats that drug as unknown (needs review)."""
    query = select(HoldRuleRow).order_by(HoldRuleRow.drug)
    if not include_inactive:
        query = query.where(HoldRuleRow.active)
    return {r.drug: rule_from_row(r) for r in session.scalars(query)}


def current_hold_table() -> dict[str, HoldRule]:
    """The hold table in use, read on its own (a screen's picker, the CSV)."""
    with read_session() as session:
        return hold_table(session)
