"""Holds that follow a change elsewhere: a (re-)booked start re-dates each last dose, an admin's
change of the hold table re-classes the drugs of open cases, and kidney function sets
dabigatran's stop. Each runs in the caller's transaction, the case locked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, CaseMedication
from db.queries.clearances import case_egfr, limit_table
from db.queries.holds import hold_table
from mild import glp1
from mild import medications as meds
from mild.cases import CaseStatus
from mild.clearances import LimitKey, dabigatran_stop_hours, is_dabigatran
from mild.glp1 import Glp1Decision
from mild.medications import HoldRule, MedClass, whole_hours
from services.common import Actor, audit
from services.intake import finish
from services.medications.common import _apply, _summary, rule_of

# The statuses whose drugs a hold-table change re-classes: nothing was given under the old rule.
RECLASS_STATUSES: frozenset[CaseStatus] = frozenset(
    {CaseStatus.INTAKE, CaseStatus.SCHEDULED, CaseStatus.CHECKED_IN}
)


def _reapply_glp1_decision(med: CaseMedication, case: Case) -> None:
    """A GLP-1 decision already recorded keeps its hold when the table row is applied again."""
    if med.med_class != MedClass.GLP1_AGONIST or med.glp1_decision is None:
        return
    screen = glp1.read_screen(med.glp1_screen)
    hold, _ = glp1.check_decision(
        screen,
        Glp1Decision(med.glp1_decision),
        med.glp1_decided_by or "recorded",
        weekly=glp1.weekly_drug(med.hold_rule, screen),
    )
    med.stop_before_hours = whole_hours(hold.stop_before)
    med.skip_on_day = hold.skip_on_day
    med.last_dose_by = meds.last_dose_by(hold.stop_before, case.scheduled_start)


def redate_holds(session: Session, case: Case, *, moved: bool) -> None:
    """After (re-)booking: each drug's latest allowed last dose follows the new start; a moved
    case's hold confirmations are withdrawn (the patient must be told the new times)."""
    for med in session.scalars(
        select(CaseMedication)
        .where(CaseMedication.case_id == case.id)
        .order_by(CaseMedication.id)
        .with_for_update()
    ):
        med.last_dose_by = meds.last_dose_by(rule_of(med).stop_before, case.scheduled_start)
        if moved:
            med.hold_confirmed_at = None
            med.hold_confirmed_by_id = None


def reclass_open_cases(
    session: Session, rule: HoldRule | None, names: Iterable[str], actor: Actor, at: dt.datetime
) -> list[str]:
    """After an admin changed the hold table: every drug of an open case that the row `names`
    (its old and new names) concern is matched again and, where that changes its hold, updated,
    audited and its patient confirmation withdrawn. Returns the affected case codes."""
    wanted = {meds.normalize_drug(n) for n in names}
    table = hold_table(session)
    rows = session.execute(
        select(CaseMedication, Case)
        .join(Case, Case.id == CaseMedication.case_id)
        .where(Case.status.in_(RECLASS_STATUSES))
        .order_by(Case.id, CaseMedication.id)
        .with_for_update()
    ).all()
    touched: dict[int, Case] = {}
    for med, case in rows:
        given = meds.normalize_drug(med.name_given or med.drug)
        concerned = med.hold_rule in wanted or any(
            given == n or given.startswith(n + " ") for n in wanted
        )
        placed = med.reviewed_at is not None  # a nurse chose its row: it follows that row
        if not concerned or (placed and med.hold_rule not in wanted):
            continue  # placed elsewhere, or as having no relevance: stays as placed
        before = _summary(med)
        if placed:
            row = table.get(med.hold_rule)
            _apply(med, row or meds.unknown_rule(med.drug), case.scheduled_start)
        else:
            advice = meds.medication_hold(med.name_given or med.drug, case.scheduled_start, table)
            _apply(med, advice.rule, case.scheduled_start)
        _reapply_glp1_decision(med, case)
        after = _summary(med)
        if after == before:
            continue
        med.hold_confirmed_at = None
        med.hold_confirmed_by_id = None
        touched[case.id] = case
        finish(
            session,
            case,
            actor,
            "medication.reclassed",
            {"medication": med.id, "from": before, "to": after, "hold_rule": rule and rule.drug},
            at,
        )
    session.flush()
    for case in touched.values():  # the table's row, then dabigatran's stop by kidney function
        if (egfr := case_egfr(session, case.id)) is not None:
            apply_kidney_function(session, case, egfr, actor, at)
    return [c.code for c in touched.values()]


def apply_kidney_function(
    session: Session, case: Case, egfr: float | None, actor: Actor, at: dt.datetime | None = None
) -> list[dict]:
    """Dabigatran's stop follows kidney function (mild.clearances.dabigatran_stop_hours): 144 h
    when the case's eGFR is below the practice's limit, else the hold table's. A changed stop
    moves the latest allowed last dose (scheduled start - stop), withdraws the hold confirmed
    with the patient, and is audited. The caller has locked the case; returns the changes."""
    limit = limit_table(session).get(LimitKey.EGFR_DABIGATRAN)
    table = hold_table(session, include_inactive=True)
    changes = []
    for med in session.scalars(
        select(CaseMedication)
        .where(CaseMedication.case_id == case.id)
        .order_by(CaseMedication.id)
        .with_for_update()
    ):
        if med.needs_review or not is_dabigatran(med.drug):
            continue
        rule = table.get(med.hold_rule or "")
        table_hours = whole_hours(rule.stop_before) if rule is not None else med.stop_before_hours
        hours = dabigatran_stop_hours(egfr, limit, table_hours)
        if hours == med.stop_before_hours:
            continue
        before = _summary(med)
        med.stop_before_hours = hours
        med.last_dose_by = meds.last_dose_by(rule_of(med).stop_before, case.scheduled_start)
        med.hold_confirmed_at, med.hold_confirmed_by_id = None, None
        change = {"medication": med.id, "egfr": egfr, "from": before, "to": _summary(med)}
        audit(
            session,
            actor,
            "medication.kidney_function_applied",
            "case",
            case.id,
            office_id=case.office_id,
            detail=change,
            at=at,
        )
        changes.append(change)
    return changes
