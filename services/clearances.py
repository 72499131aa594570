"""Comorbidity clearances with their values: HbA1c, eGFR (dabigatran's stop follows it),
STOP-Bang, the implanted device, the cardiology clearance. One service per action: the case
locked and open for intake, the values checked (mild.clearances), the row replaced, who and
when stamped, an audit row with before and after, all in one transaction. A refusal writes
nothing. A change that leaves a confirmed case not ready withdraws the confirmation
(services.intake.finish).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, CaseClearance, CaseCondition, CaseMedication
from db.queries.clearances import value_of
from db.session import transaction
from mild import clearances as rules
from mild import messages
from mild.clearances import CONDITION_VALUES, ClearanceKind, ClearanceValue
from mild.days import local_today
from mild.errors import RuleViolation
from mild.intake import CONDITION_SHORT_NAMES, Condition
from services.common import Actor, now_utc
from services.intake import finish, open_intake_case
from services.medications import apply_kidney_function

KIND_CONDITION: dict[ClearanceKind, Condition] = {k: c for c, k in CONDITION_VALUES.items()}
VALUE_COLUMNS = (
    "value",
    "measured_on",
    "stop_bang_yes",
    "neck_cm",
    "sex",
    "device_type",
    "manufacturer",
    "indication",
    "pacing_dependent",
    "plan",
    "cleared_by",
)


def _columns(values: ClearanceValue) -> dict[str, object]:
    """The row's columns for a set of values (the others stay empty)."""
    match values:
        case rules.Hba1c(percent, measured_on):
            return {"value": percent, "measured_on": measured_on}
        case rules.Egfr(value, measured_on):
            return {"value": value, "measured_on": measured_on}
        case rules.StopBangAnswers():
            return {
                "stop_bang_yes": ",".join(values.yes),
                "neck_cm": values.neck_cm,
                "sex": values.sex,
            }
        case rules.DeviceValues():
            return {
                "device_type": values.device_type,
                "manufacturer": values.manufacturer,
                "indication": values.indication,
                "pacing_dependent": values.pacing_dependent,
                "measured_on": values.last_interrogated_on,
                "plan": values.plan,
            }
        case rules.CardiologyClearance(cleared_by, cleared_on):
            return {"cleared_by": cleared_by, "measured_on": cleared_on}
    raise TypeError(values)


def _flagged(session: Session, case: Case) -> set[Condition]:
    return set(
        session.scalars(select(CaseCondition.condition).where(CaseCondition.case_id == case.id))
    )


def _on_dabigatran(session: Session, case: Case) -> bool:
    drugs = session.scalars(select(CaseMedication.drug).where(CaseMedication.case_id == case.id))
    return any(rules.is_dabigatran(d) for d in drugs)


def _check_asked(session: Session, case: Case, kind: ClearanceKind) -> None:
    """Values belong to a flagged condition; an eGFR also to a patient on dabigatran."""
    condition = KIND_CONDITION[kind]
    if condition in _flagged(session, case):
        return
    if kind == ClearanceKind.EGFR:
        if _on_dabigatran(session, case):
            return
        raise RuleViolation("egfr_value", messages.EGFR_NOT_ASKED)
    raise RuleViolation(
        "condition",
        messages.CLEARANCE_NEEDS_CONDITION.format(condition=CONDITION_SHORT_NAMES[condition]),
    )


def _audited(values: ClearanceValue | None) -> dict | None:
    return None if values is None else dataclasses.asdict(values)


def _record(
    case_id: int,
    kind: ClearanceKind,
    check: Callable[[dt.date], ClearanceValue],
    *,
    actor: Actor,
    expected_version: int | None,
) -> int:
    """Check the values (against the office's today), replace the case's row of `kind`, audit
    before and after; returns the case version."""
    with transaction() as session:
        case = open_intake_case(session, case_id, actor, expected_version)
        at = now_utc()
        values = check(local_today(case.office.timezone, at))
        _check_asked(session, case, kind)
        row = session.scalars(
            select(CaseClearance)
            .where(CaseClearance.case_id == case.id, CaseClearance.kind == kind)
            .with_for_update()
        ).one_or_none()
        before = None if row is None else _audited(value_of(row))
        if row is None:
            row = CaseClearance(case_id=case.id, kind=kind)
            session.add(row)
        columns = _columns(values)
        for column in VALUE_COLUMNS:
            setattr(row, column, columns.get(column))
        row.recorded_at, row.recorded_by_id = at, actor.id
        detail: dict = {"kind": kind.value, "before": before, "after": _audited(values)}
        if isinstance(values, rules.Egfr):
            session.flush()
            changed = apply_kidney_function(session, case, values.value, actor, at)
            if changed:
                detail["dabigatran_stop_changed"] = changed
        return finish(session, case, actor, f"clearance.{kind.value}_recorded", detail, at)


def record_hba1c(
    case_id: int,
    *,
    percent: float | None,
    measured_on: dt.date | None,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """The last HbA1c (%, date measured) of a diabetic patient."""
    return _record(
        case_id,
        ClearanceKind.HBA1C,
        lambda today: rules.check_hba1c(percent, measured_on, today),
        actor=actor,
        expected_version=expected_version,
    )


def record_egfr(
    case_id: int,
    *,
    value: float | None,
    measured_on: dt.date | None,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Kidney function (eGFR, mL/min/1.73 m2, date measured) for kidney disease or dabigatran;
    a dabigatran on the case gets the stop its eGFR asks for (services.medications)."""
    return _record(
        case_id,
        ClearanceKind.EGFR,
        lambda today: rules.check_egfr(value, measured_on, today),
        actor=actor,
        expected_version=expected_version,
    )


def record_stop_bang(
    case_id: int,
    *,
    answers: Mapping[str, bool],
    neck_cm: float | None,
    sex: str | None,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """The STOP-Bang questionnaire of a patient with sleep apnea: six yes/no answers (missing
    is no), the neck in cm and the sex; score and band are computed, never typed."""
    return _record(
        case_id,
        ClearanceKind.STOP_BANG,
        lambda _today: rules.check_stop_bang(answers, neck_cm, sex),
        actor=actor,
        expected_version=expected_version,
    )


def record_device(
    case_id: int,
    *,
    device_type: str | None,
    manufacturer: str,
    indication: str,
    pacing_dependent: bool | None,
    last_interrogated_on: dt.date | None,
    plan: str,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """A pacemaker or defibrillator as the ASA advisory (2020) asks: type, manufacturer,
    indication, pacing-dependent or not, last interrogation, plan for the day."""
    return _record(
        case_id,
        ClearanceKind.DEVICE,
        lambda today: rules.check_device(
            device_type=device_type,
            manufacturer=manufacturer,
            indication=indication,
            pacing_dependent=pacing_dependent,
            last_interrogated_on=last_interrogated_on,
            plan=plan,
            today=today,
        ),
        actor=actor,
        expected_version=expected_version,
    )


def record_cardiology_clearance(
    case_id: int,
    *,
    cleared_by: str,
    cleared_on: dt.date | None,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Heart disease: the cardiologist who cleared the patient for the procedure, and when."""
    return _record(
        case_id,
        ClearanceKind.CARDIOLOGY,
        lambda today: rules.check_cardiology(cleared_by, cleared_on, today),
        actor=actor,
        expected_version=expected_version,
    )
