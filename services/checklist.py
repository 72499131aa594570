"""Day-of checklist actions: tick a step (hard stops enforced), record the discharge score and
the driver met in person, discharge (steps still open confirmed by name), un-tick a step with a
reason. Once the patient is discharged the checklist is locked: every action is refused, naming
who discharged the patient and when."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Case, CaseCondition, ChecklistEntry, FollowUp, Office, StaffUser
from db.session import transaction
from mild import checklist, messages
from mild.cases import CaseStatus
from mild.checklist import Entry, Tick
from mild.errors import RuleViolation
from mild.followup import follow_up_schedule
from mild.intake import Condition
from services.common import STATUS_TIMESTAMP, Actor, audit, lock_case, now_utc, touch_case

# Steps whose time is also kept on the case itself, for the schedule and the metrics.
STEP_TIMESTAMP: dict[str, str] = {
    "anesthesia_start": "anesthesia_started_at",
    "procedure_end": "procedure_ended_at",
    "recovery_out": "recovery_out_at",
}
# Steps whose value is also kept on the case.
STEP_CASE_VALUE: dict[str, str] = {
    "anesthesia_type": "anesthesia_type",
    "imaging_modality": "imaging_modality",
    "levels_treated": "levels_treated",
}


def _done(session: Session, case_id: int) -> dict[str, str | None]:
    rows = session.execute(
        select(ChecklistEntry.step, ChecklistEntry.undone, ChecklistEntry.value)
        .where(ChecklistEntry.case_id == case_id)
        .order_by(ChecklistEntry.id)
    )
    return checklist.current_state(Tick(step, undone, value) for step, undone, value in rows)


def _diabetic(session: Session, case_id: int) -> bool:
    found = session.scalar(
        select(CaseCondition.id).where(
            CaseCondition.case_id == case_id, CaseCondition.condition == Condition.DIABETES
        )
    )
    return found is not None


def _discharge(session: Session, case_id: int) -> Entry | None:
    """Who discharged the patient and when (the 'discharged' tick in force)."""
    rows = session.execute(
        select(ChecklistEntry.done_at, StaffUser.display_name, ChecklistEntry.undone)
        .outerjoin(StaffUser, StaffUser.id == ChecklistEntry.done_by_id)
        .where(ChecklistEntry.case_id == case_id, ChecklistEntry.step == "discharged")
        .order_by(ChecklistEntry.id)
    )
    return checklist.discharge_entry(
        Entry("discharged", at, by, undone=bool(undone)) for at, by, undone in rows
    )


def _open_case(session: Session, case_id: int, actor: Actor, expected_version: int | None) -> Case:
    """The case row-locked for a checklist change: in the actor's offices, its checklist open,
    unchanged since the screen showed it.

    The lock after discharge is checked before the version, so a tablet left open on a case
    someone has since discharged hears that, with who and when, rather than "reload".
    """
    case = lock_case(session, case_id, actor)
    if case.status in checklist.LOCKED_AFTER_DISCHARGE:
        timezone = session.scalar(select(Office.timezone).where(Office.id == case.office_id))
        checklist.check_open(case.status, _discharge(session, case.id), timezone or "UTC")
    else:
        checklist.check_open(case.status, None, "UTC")
    if expected_version is not None and case.version != expected_version:
        raise RuleViolation("version", messages.CHANGED_BY_SOMEONE_ELSE)
    return case


def _entry(case: Case, step: str, at, actor: Actor, **fields) -> ChecklistEntry:
    """A checklist row stamped with who and when; rows are only ever added."""
    return ChecklistEntry(
        case_id=case.id, step=step, done_at=at, done_by_id=actor.id, **{"undone": False, **fields}
    )


def _tick(
    session: Session,
    case: Case,
    step_key: str,
    *,
    actor: Actor,
    value: str | None,
    note: str,
    open_confirmed: Collection[str] = (),
) -> int:
    """Tick a step of a locked case in the caller's transaction; returns the new version.

    Discharging also needs each applicable step still open named in `open_confirmed`.
    """
    done = _done(session, case.id)
    step = checklist.check_tick(step_key, case.status, done)
    diabetic = _diabetic(session, case.id)
    checklist.check_applies(
        step, diabetic=diabetic, xray=checklist.imaging_is_xray(done.get("imaging_modality"))
    )
    stored = checklist.validate_value(step, value)
    left_open: tuple[str, ...] = ()
    if step.moves_case_to == CaseStatus.DISCHARGED:
        review = checklist.check_discharge(done, diabetic=diabetic, open_confirmed=open_confirmed)
        note, left_open = checklist.discharge_note(review), review.open_keys
    at = now_utc()
    session.add(_entry(case, step.key, at, actor, value=stored, note=note.strip() or None))
    if step.moves_case_to is not None:
        case.status = step.moves_case_to
        setattr(case, STATUS_TIMESTAMP[step.moves_case_to], at)
    if step.moves_case_to == CaseStatus.DISCHARGED:
        session.add_all(
            FollowUp(
                case_id=case.id,
                office_id=case.office_id,
                kind=due.kind,
                due_at=due.due_at,
                overdue_at=due.overdue_at,
            )
            for due in follow_up_schedule(at)
        )
    if column := STEP_TIMESTAMP.get(step.key):
        setattr(case, column, at)
    if column := STEP_CASE_VALUE.get(step.key):
        setattr(case, column, stored)
    touch_case(case, at)
    audit(
        session,
        actor,
        "checklist.ticked",
        "case",
        case.id,
        office_id=case.office_id,
        detail={"step": step.key, "value": stored}
        | ({"left_open": list(left_open)} if left_open else {}),
        at=at,
    )
    return case.version


def complete_step(
    case_id: int,
    step_key: str,
    *,
    actor: Actor,
    value: str | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> int:
    """Tick one step with who and when (a status step moves the case on); returns the version.

    Discharging here works only when no other step is open; otherwise use discharge_patient.
    """
    note = checklist.check_note(note) or ""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        return _tick(session, case, step_key, actor=actor, value=value, note=note)


def discharge_patient(
    case_id: int,
    *,
    actor: Actor,
    open_steps_confirmed: Collection[str] = (),
    expected_version: int | None = None,
) -> int:
    """Tick 'discharged': refused on a hard stop (passing score, driver confirmed) or while a
    step is open that the nurse did not confirm by key; the open ones are kept in the tick's note
    and the audit row. Books the follow-ups. Returns the new version."""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        return _tick(
            session,
            case,
            "discharged",
            actor=actor,
            value=None,
            note="",
            open_confirmed=open_steps_confirmed,
        )


def record_discharge_score(
    case_id: int,
    scale: checklist.DischargeScale | None,
    components: Mapping[str, int | None],
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Score the modified Aldrete or PADSS items (0-2 each) and tick the discharge score with
    their total; the items are kept in the tick's note. Returns the new version."""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        total = checklist.discharge_score_total(scale, components)
        note = checklist.discharge_score_note(scale, components)
        return _tick(session, case, "discharge_score", actor=actor, value=str(total), note=note)


def confirm_driver(
    case_id: int,
    name: str | None,
    relationship: str | None,
    phone: str | None,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Tick 'driver confirmed' with the driver met in person: name, relationship and phone."""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        value = checklist.driver_confirmation(name, relationship, phone)
        return _tick(session, case, "driver_confirmed", actor=actor, value=value, note="")


def undo_step(
    case_id: int, step_key: str, reason: str, *, actor: Actor, expected_version: int | None = None
) -> int:
    """Un-tick a step: a new row with the reason; the original tick stays in the history."""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        step = checklist.check_untick(step_key, case.status, _done(session, case_id), reason)
        at = now_utc()
        session.add(_entry(case, step.key, at, actor, undone=True, reason=reason.strip()))
        if column := STEP_TIMESTAMP.get(step.key):
            setattr(case, column, None)
        if column := STEP_CASE_VALUE.get(step.key):
            setattr(case, column, None)
        touch_case(case, at)
        audit(
            session,
            actor,
            "checklist.unticked",
            "case",
            case.id,
            office_id=case.office_id,
            detail={"step": step.key, "reason": reason.strip()},
            at=at,
        )
        return case.version
