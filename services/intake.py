"""Intake actions: a consult request becomes a case; conditions, baseline and the escort are
recorded (medications: services/medications/). One transaction per action, the case locked
first, an audit row each.

Every change to a case already confirmed for its day checks readiness again: a change that
leaves something missing withdraws the confirmation, so "confirmed" always means ready.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, CaseCondition, Office, Patient, Provider
from db.queries.intake import find_patient, same_name_and_birth
from db.queries.readiness import facts_for_cases
from db.session import transaction
from mild import intake as rules
from mild import messages
from mild.cases import CaseStatus, RequestChannel
from mild.clearances import CONDITION_VALUES, check_medicare
from mild.days import local_today, to_local
from mild.errors import RuleViolation
from mild.intake import Condition
from mild.problems import Problems, collect, refuse
from mild.readiness import missing_items
from mild.scores import odi_score
from services.common import Actor, audit, lock_case, now_utc, touch_case

CODE_LENGTH = 16  # mild_case.code
# The consult request form's fields in the order it shows them: its refusals in that order.
REQUEST_FIELDS = (
    "mrn",
    "first_name",
    "last_name",
    "date_of_birth",
    "phone",
    "office",
    "provider",
    "channel",
)


@dataclass(frozen=True)
class NewCase:
    case_id: int
    code: str
    patient_id: int
    new_patient: bool


def _case_code(office_code: str, case_id: int) -> str:
    number = f"{case_id:05d}"
    return f"{office_code[: CODE_LENGTH - len(number) - 1]}-{number}"


def create_case(
    *,
    mrn: str,
    office_id: int | None,
    channel: RequestChannel | None,
    actor: Actor,
    first_name: str = "",
    last_name: str = "",
    date_of_birth: dt.date | None = None,
    phone: str = "",
    provider_id: int | None = None,
    different_person: bool = False,
) -> NewCase:
    """A consult request becomes a case (status requested) for the patient with this MRN.

    An unknown MRN creates the patient, unless another MRN has the same name and date of birth:
    that likely duplicate is refused naming its MRN until `different_person` is set.
    """
    at = now_utc()
    with transaction() as session:
        problems: Problems = []
        office = session.get(Office, office_id) if office_id is not None else None
        if office_id is not None and (
            office is None or not office.active or not actor.may_touch(office_id)
        ):
            problems.append(("office", messages.OFFICE_NOT_YOURS))
        if provider_id is not None:
            provider = session.get(Provider, provider_id)
            if provider is None or provider.office_id != office_id or not provider.active:
                problems.append(("provider", messages.BOOKING_PROVIDER_NOT_AT_OFFICE))
        mrn_ = collect([], rules.normalize_mrn, mrn)
        found = find_patient(session, mrn_) if mrn_ is not None else None
        today = local_today(office.timezone if office is not None else "UTC", at)
        problems += rules.request_problems(
            mrn=mrn,
            office_chosen=office_id is not None,
            channel_chosen=channel is not None,
            phone=phone,
            new_patient=found is None,
            first_name=first_name,
            last_name=last_name,
            date_of_birth=date_of_birth,
            today=today,
        )
        refuse(sorted(problems, key=lambda p: REQUEST_FIELDS.index(p[0])))
        assert mrn_ is not None and office is not None and channel is not None
        mrn = mrn_
        if found is None:
            first, last = rules.check_new_patient(first_name, last_name, date_of_birth, today)
            phone_ = rules.check_text(phone, "phone", 40)
            phone_ = rules.check_phone(phone_, "phone") if phone_ is not None else None
            twins = same_name_and_birth(session, first, last, date_of_birth)
            if twins and not different_person:
                raise RuleViolation(
                    "mrn", messages.LIKELY_DUPLICATE_PATIENT.format(mrn=", ".join(twins))
                )
            patient = Patient(
                mrn=mrn,
                first_name=first,
                last_name=last,
                date_of_birth=date_of_birth,
                phone=phone_,
                created_at=at,
            )
            session.add(patient)
            session.flush()
            patient_id = patient.id
            audit(
                session,
                actor,
                "patient.created",
                "patient",
                patient_id,
                office_id=office_id,
                detail={"mrn": mrn, "likely_duplicates": twins},
                at=at,
            )
        else:
            patient_id = found.id
        # The code needs the id: a placeholder first, unique within this transaction.
        case = Case(
            code=f"new-{patient_id}"[:CODE_LENGTH],
            patient_id=patient_id,
            office_id=office_id,
            provider_id=provider_id,
            status=CaseStatus.REQUESTED,
            request_channel=channel,
            consult_requested_at=at,
            planned_minutes=60,
            version=1,
            updated_at=at,
        )
        session.add(case)
        session.flush()
        case.code = _case_code(office.code, case.id)
        audit(
            session,
            actor,
            "case.requested",
            "case",
            case.id,
            office_id=office_id,
            detail={"mrn": mrn, "channel": channel.value, "provider_id": provider_id},
            at=at,
        )
        return NewCase(case.id, case.code, patient_id, found is None)


# --- shared steps ---------------------------------------------------------------------------


def open_intake_case(
    session: Session, case_id: int, actor: Actor, expected_version: int | None = None
) -> Case:
    """The case row-locked for an intake change: in the actor's offices, between "Start
    intake" and check-in, unchanged since the screen showed it."""
    case = lock_case(session, case_id, actor, expected_version)
    rules.check_intake_editable(case.status)
    return case


def _condition(session: Session, case: Case, condition: Condition) -> CaseCondition:
    row = session.scalars(
        select(CaseCondition)
        .where(CaseCondition.case_id == case.id, CaseCondition.condition == condition)
        .with_for_update()
    ).one_or_none()
    if row is None:
        raise RuleViolation("condition", messages.CONDITION_NOT_FLAGGED)
    return row


def _procedure_day(case: Case) -> dt.date | None:
    if case.scheduled_start is None:
        return None
    return to_local(case.office.timezone, case.scheduled_start).date()


def finish(
    session: Session,
    case: Case,
    actor: Actor,
    action: str,
    detail: dict,
    at: dt.datetime,
) -> int:
    """Bump the version, withdraw a confirmation the change made untrue, audit; the version."""
    return finish_all(session, case, actor, [(action, detail)], at)


def finish_all(
    session: Session,
    case: Case,
    actor: Actor,
    parts: list[tuple[str, dict]],
    at: dt.datetime,
) -> int:
    """One form saved as several changes in one transaction: the version bumped once, a
    confirmation the change made untrue withdrawn (said on the last audit row), one audit row
    per change (action, detail), in order. Returns the version."""
    session.flush()
    *first, (action, detail) = parts
    if case.confirmed_at is not None:
        missing = missing_items(facts_for_cases(session, [case.id])[case.id])
        if missing:
            case.confirmed_at = None
            case.confirmed_by_id = None
            detail = {**detail, "confirmation_withdrawn": missing}
    touch_case(case, at)
    for name, facts in [*first, (action, detail)]:
        audit(session, actor, name, "case", case.id, office_id=case.office_id, detail=facts, at=at)
    return case.version


# --- conditions -----------------------------------------------------------------------------


def flag_condition(case_id: int, condition: Condition, details: str = "", *, actor: Actor) -> int:
    """Flag a comorbidity (with details); it brings its clearance or day-of task."""
    details_ = rules.check_text(details, "details", 2000)
    with transaction() as session:
        case = open_intake_case(session, case_id, actor)
        exists = session.scalar(
            select(CaseCondition.id).where(
                CaseCondition.case_id == case.id, CaseCondition.condition == condition
            )
        )
        if exists is not None:
            raise RuleViolation(
                "condition",
                messages.CONDITION_ALREADY_FLAGGED.format(condition=condition.label),
            )
        session.add(CaseCondition(case_id=case.id, condition=condition, details=details_))
        return finish(
            session,
            case,
            actor,
            "condition.flagged",
            {"condition": condition.value, "details": details_},
            now_utc(),
        )


def change_condition_details(
    case_id: int, condition: Condition, details: str, *, actor: Actor
) -> int:
    details_ = rules.check_text(details, "details", 2000)
    with transaction() as session:
        case = open_intake_case(session, case_id, actor)
        row = _condition(session, case, condition)
        before, row.details = row.details, details_
        return finish(
            session,
            case,
            actor,
            "condition.details_changed",
            {"condition": condition.value, "from": before, "to": details_},
            now_utc(),
        )


def unflag_condition(case_id: int, condition: Condition, *, actor: Actor) -> int:
    with transaction() as session:
        case = open_intake_case(session, case_id, actor)
        row = _condition(session, case, condition)
        detail = {
            "condition": condition.value,
            "details": row.details,
            "cleared_at": row.cleared_at,
        }
        session.delete(row)
        return finish(session, case, actor, "condition.unflagged", detail, now_utc())


def record_condition_clearance(case_id: int, condition: Condition, *, actor: Actor) -> int:
    """The clearance a flagged condition needs is on file: recorded with who and when."""
    with transaction() as session:
        case = open_intake_case(session, case_id, actor)
        row = _condition(session, case, condition)
        needs = rules.required_clearances([condition])
        if condition in CONDITION_VALUES:  # services.clearances records them
            raise RuleViolation(
                "clearance", messages.CLEARANCE_HAS_VALUES.format(condition=condition.label)
            )
        if not needs:
            raise RuleViolation(
                "clearance", messages.CONDITION_NO_CLEARANCE.format(condition=condition.label)
            )
        if row.cleared_at is not None:
            raise RuleViolation("clearance", messages.CLEARANCE_ALREADY_ON_FILE)
        at = now_utc()
        row.cleared_at = at
        row.cleared_by_id = actor.id
        return finish(
            session,
            case,
            actor,
            "condition.cleared",
            {"condition": condition.value, "clearance": [n.text for n in needs]},
            at,
        )


# --- assessment, baseline scores, escort ----------------------------------------------------


def save_assessment(
    case_id: int,
    *,
    asa_class: int | None,
    height_cm: float | None,
    weight_kg: float | None,
    baseline_nprs: int | None,
    walk_minutes: int | None,
    stand_minutes: int | None,
    works: bool | None,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """ASA class, height and weight (BMI over 35 flags itself), baseline pain and tolerances,
    and whether the patient works. Returns the case version."""
    checked = rules.check_assessment(
        asa_class=asa_class,
        height_cm=height_cm,
        weight_kg=weight_kg,
        nprs=baseline_nprs,
        walk_minutes=walk_minutes,
        stand_minutes=stand_minutes,
    )
    body_mass = checked.bmi
    with transaction() as session:
        case = open_intake_case(session, case_id, actor, expected_version)
        fields = {
            "asa_class": asa_class,
            "height_cm": height_cm,
            "weight_kg": weight_kg,
            "baseline_nprs": checked.nprs,
            "baseline_walk_minutes": checked.walk_minutes,
            "baseline_stand_minutes": checked.stand_minutes,
            "works": works,
        }
        changed = {
            k: {"from": getattr(case, k), "to": v}
            for k, v in fields.items()
            if getattr(case, k) != v
        }
        for k, v in fields.items():
            setattr(case, k, v)
        detail: dict = {"changed": changed, "bmi": body_mass}
        if body_mass is not None and body_mass > rules.HIGH_BMI_LIMIT:
            flagged = session.scalar(
                select(CaseCondition.id).where(
                    CaseCondition.case_id == case.id,
                    CaseCondition.condition == Condition.HIGH_BMI,
                )
            )
            if flagged is None:
                session.add(
                    CaseCondition(
                        case_id=case.id,
                        condition=Condition.HIGH_BMI,
                        details=f"BMI {body_mass}",
                    )
                )
                detail["flagged"] = Condition.HIGH_BMI.value
        return finish(session, case, actor, "intake.assessment_saved", detail, now_utc())


def save_baseline_odi(
    case_id: int,
    answers: Mapping[str, int | None],
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> float:
    """The Oswestry Disability Index at intake from its ten sections; returns the score."""
    score = odi_score(answers)
    with transaction() as session:
        case = open_intake_case(session, case_id, actor, expected_version)
        before = case.baseline_odi
        case.baseline_odi = score
        finish(
            session,
            case,
            actor,
            "intake.baseline_odi_saved",
            {"from": before, "to": score, "answers": dict(answers)},
            now_utc(),
        )
        return score


def save_escort(
    case_id: int,
    *,
    name: str,
    relationship: str,
    phone: str,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """The escort arranged to take the patient home (confirmed in person on the day)."""
    name_, relationship_, phone_ = rules.check_escort(name, relationship, phone)
    with transaction() as session:
        case = open_intake_case(session, case_id, actor, expected_version)
        before = [case.escort_name, case.escort_relationship, case.escort_phone]
        case.escort_name, case.escort_relationship, case.escort_phone = (
            name_,
            relationship_,
            phone_,
        )
        return finish(
            session,
            case,
            actor,
            "intake.escort_saved",
            {"from": before, "to": [name_, relationship_, phone_]},
            now_utc(),
        )


def save_medicare(
    case_id: int,
    *,
    medicare: bool | None,
    study_enrolled: bool,
    study_nct: str,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Whether the coverage is Medicare and, if so, enrolment in a CMS-approved study and its
    NCT number (NCD 150.13: Medicare covers MILD only inside such a study)."""
    medicare_, enrolled, nct = check_medicare(medicare, study_enrolled, study_nct)
    with transaction() as session:
        case = open_intake_case(session, case_id, actor, expected_version)
        before = [case.medicare, case.cms_study_enrolled, case.cms_study_nct]
        case.medicare, case.cms_study_enrolled, case.cms_study_nct = medicare_, enrolled, nct
        return finish(
            session,
            case,
            actor,
            "intake.medicare_saved",
            {"from": before, "to": [medicare_, enrolled, nct]},
            now_utc(),
        )
