"""Day-of checklist actions: tick a step (hard stops enforced; holds, fasting, glucose and the
antibiotic's 60 minutes checked: mild.dayof_checks), record the fast as the patient reports it,
record the discharge score item by item (each score a new row), the escort met in person or the
physician's exemption, the antibiotic at the time-out, correct a step's event time, discharge
(steps still open confirmed by name), un-tick a step with a reason. Once the patient is
discharged the checklist is locked: every action is refused, naming who discharged and when.

One transaction per action: the case row-locked, the rules asked, the change stamped with who
and when, an audit row added, all committed together or not at all."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.models import (
    AuditEvent,
    Case,
    CaseCondition,
    CaseMedication,
    ChecklistEntry,
    FollowUp,
    Office,
    Provider,
    StaffUser,
)
from db.queries.clearances import limit_table
from db.session import transaction
from mild import checklist, discharge, discharge_instructions, fasting, messages, time_out
from mild.cases import CaseStatus
from mild.checklist import Entry
from mild.dayof_checks import DayFacts, day_of_problems
from mild.errors import RuleViolation
from mild.event_times import correction_lock, moment_text, time_text
from mild.followup import follow_up_schedule
from mild.intake import Condition
from services.common import STATUS_TIMESTAMP, Actor, audit, lock_case, now_utc, touch_case
from services.waiting_codes import keep_waiting_code

# The case column that keeps each timed step's event time, for the board, schedule and metrics
# (a step that moves the case on sets its status column too: services.common.STATUS_TIMESTAMP).
EVENT_COLUMN: dict[str, str] = {
    "checked_in": "checked_in_at",
    "patient_in_room": "patient_in_room_at",
    "anesthesia_start": "anesthesia_started_at",
    "procedure_start": "procedure_started_at",
    "procedure_end": "procedure_ended_at",
    "patient_out_of_room": "patient_out_of_room_at",
    "recovery_in": "recovery_in_at",
    "recovery_out": "recovery_out_at",
    "discharged": "discharged_at",
}
# Steps whose value is also kept on the case.
STEP_CASE_VALUE: dict[str, str] = {
    "anesthesia_type": "anesthesia_type",
    "imaging_modality": "imaging_modality",
    "levels_treated": "levels_treated",
}


def _entries(session: Session, case_id: int) -> list[Entry]:
    rows = session.execute(
        select(
            ChecklistEntry.step,
            ChecklistEntry.done_at,
            ChecklistEntry.value,
            ChecklistEntry.undone,
            ChecklistEntry.event_at,
            ChecklistEntry.corrects_time,
            ChecklistEntry.detail,
        )
        .where(ChecklistEntry.case_id == case_id)
        .order_by(ChecklistEntry.id)
    )
    return [
        Entry(
            step,
            at,
            None,
            value,
            bool(undone),
            event_at=event_at,
            corrects_time=bool(fix),
            detail=detail,
        )
        for step, at, value, undone, event_at, fix, detail in rows
    ]


def _done(entries: list[Entry]) -> dict[str, str | None]:
    return checklist.current_state(e.as_tick() for e in entries)


def _diabetic(session: Session, case_id: int) -> bool:
    found = session.scalar(
        select(CaseCondition.id).where(
            CaseCondition.case_id == case_id, CaseCondition.condition == Condition.DIABETES
        )
    )
    return found is not None


def _timezone(session: Session, case: Case) -> str:
    return session.scalar(select(Office.timezone).where(Office.id == case.office_id)) or "UTC"


def _discharge(session: Session, case_id: int) -> Entry | None:
    """Who discharged the patient and when (the 'discharged' tick in force)."""
    rows = session.execute(
        select(
            ChecklistEntry.done_at,
            StaffUser.display_name,
            ChecklistEntry.undone,
            ChecklistEntry.corrects_time,
        )
        .outerjoin(StaffUser, StaffUser.id == ChecklistEntry.done_by_id)
        .where(ChecklistEntry.case_id == case_id, ChecklistEntry.step == "discharged")
        .order_by(ChecklistEntry.id)
    )
    return checklist.discharge_entry(
        Entry("discharged", at, by, undone=bool(undone), corrects_time=bool(fix))
        for at, by, undone, fix in rows
    )


def _physician(session: Session, case: Case) -> str | None:
    """The case's physician as booked (the one who operates and attends)."""
    if case.provider_id is None:
        return None
    return session.scalar(select(Provider.name).where(Provider.id == case.provider_id))


def _problems(
    session: Session, case: Case, entries: list[Entry], step: checklist.Step, at: dt.datetime
) -> dict[checklist.DayCheck, list[str]]:
    """What the step's checks find at `at` (mild.dayof_checks); nothing for a step without."""
    if not step.checks:
        return {}
    meds = session.scalars(
        select(CaseMedication).where(CaseMedication.case_id == case.id).order_by(CaseMedication.id)
    ).all()
    facts = DayFacts(
        meds,
        entries,
        _timezone(session, case),
        case.scheduled_start,
        _diabetic(session, case.id),
        limit_table(session),
    )
    return day_of_problems(facts, at, step.checks)


def _open_case(
    session: Session,
    case_id: int,
    actor: Actor,
    expected_version: int | None,
    *,
    time_fix: bool = False,
    seen: tuple[str, int] | None = None,
) -> Case:
    """The case row-locked for a checklist change: in the actor's offices, its checklist open
    (for a `time_fix`, or within a day of the discharge: mild.event_times.correction_lock),
    unchanged since the screen showed it.

    The lock after discharge is checked before the version, so a tablet left open on a case
    someone has since discharged hears that, with who and when, rather than "reload".
    """
    case = lock_case(session, case_id, actor)
    if case.status in checklist.LOCKED_AFTER_DISCHARGE:
        discharged, timezone = _discharge(session, case.id), _timezone(session, case)
        if time_fix:
            lock = correction_lock(case.status, discharged, now_utc(), timezone)
        else:
            lock = checklist.checklist_lock(case.status, discharged, timezone)
        if lock is not None:
            raise RuleViolation("step", lock)
    else:
        checklist.check_open(case.status, None, "UTC")
    stale = expected_version is not None and case.version != expected_version
    if stale and (seen is None or _conflicts(session, case, expected_version, *seen)):
        raise RuleViolation("version", messages.CHANGED_BY_SOMEONE_ELSE)
    return case


def _conflicts(
    session: Session, case: Case, expected_version: int, step_key: str, seen_change: int
) -> bool:
    """Whether what changed on the case since the screen was drawn (`seen_change`: the newest
    audit row of the case it was drawn after) concerns this step (mild.checklist.stale_conflict).

    Every write to a case bumps its version once and audits once, so versions the checklist
    rows do not account for were changes outside the checklist."""
    since = session.execute(
        select(AuditEvent.action, AuditEvent.detail).where(
            AuditEvent.entity == "case",
            AuditEvent.entity_id == case.id,
            AuditEvent.id > seen_change,
        )
    ).all()
    changed: set[str] = set()
    for action, detail in since:
        if action in checklist.CHECKLIST_ACTIONS:
            changed.add(json.loads(detail or "{}").get("step", ""))
        elif action == checklist.ESCORT_EXEMPTED:
            changed.add("escort_confirmed")
    counted = sum(1 for action, _ in since if action in checklist.CHECKLIST_ACTIONS)
    counted += sum(1 for action, _ in since if action == checklist.ESCORT_EXEMPTED)
    outside = case.version - expected_version > counted
    return checklist.stale_conflict(checklist.get_step(step_key), changed, outside)


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
    detail: Mapping[str, Any] | None = None,
) -> int:
    """Tick a step of a locked case in the caller's transaction; returns the new version.

    Discharging also needs each applicable step still open named in `open_confirmed`.
    """
    entries = _entries(session, case.id)
    done = _done(entries)
    at = now_utc()
    step = checklist.get_step(step_key)
    exempt = case.escort_exempted_by is not None
    problems = _problems(session, case, entries, step, at)
    checklist.check_tick(step_key, case.status, done, escort_exempt=exempt, problems=problems)
    diabetic = _diabetic(session, case.id)
    xray = checklist.imaging_is_xray(done.get("imaging_modality"))
    checklist.check_applies(step, diabetic=diabetic, xray=xray, escort_exempt=exempt)
    stored = checklist.validate_value(step, value)
    if step.by_booked_physician:
        checklist.check_booked_physician(
            stored, _physician(session, case), step.key, messages.SITE_MARKED_BY_OTHER
        )
    left_open: tuple[str, ...] = ()
    if step.moves_case_to == CaseStatus.DISCHARGED:
        review = discharge.check_discharge(
            done, diabetic=diabetic, open_confirmed=open_confirmed, escort_exempt=exempt
        )
        note, left_open = discharge.discharge_note(review), review.open_keys
    session.add(
        _entry(
            case,
            step.key,
            at,
            actor,
            value=stored,
            note=note.strip() or None,
            event_at=at if step.timed else None,
            detail=json.dumps(detail, sort_keys=True) if detail else None,
        )
    )
    issued = None
    if step.moves_case_to is not None:
        case.status = step.moves_case_to
        setattr(case, STATUS_TIMESTAMP[step.moves_case_to], at)
        # Issued at check-in (named in this tick's audit row), gone at discharge.
        issued = keep_waiting_code(session, case, at)
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
    if column := EVENT_COLUMN.get(step.key):
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
        | ({"waiting_code": issued} if issued else {})
        | ({"left_open": list(left_open)} if left_open else {})
        | ({"detail": dict(detail)} if detail else {}),
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
    seen_change: int | None = None,
) -> int:
    """Tick one step with who and when (a status step moves the case on); returns the version.

    `expected_version` and `seen_change` are what the screen was drawn from (the case's
    version, its newest audit row): a change since to another step lets the tick through, the
    same step or a hard stop's inputs refuse it (mild.checklist.stale_conflict).

    Steps with their own form (discharge score, escort, antibiotic) are refused here; the level
    and side are those of the booking when it names them. Discharging here works only when no
    other step is open; otherwise use discharge_patient.
    """
    checklist.check_own_form(checklist.get_step(step_key))
    note = checklist.check_note(note) or ""
    with transaction() as session:
        seen = None if seen_change is None else (step_key, seen_change)
        case = _open_case(session, case_id, actor, expected_version, seen=seen)
        if step_key == "level_side_confirmed":
            value = time_out.level_side_value(case.planned_levels, case.planned_side, value)
        return _tick(session, case, step_key, actor=actor, value=value, note=note)


def discharge_patient(
    case_id: int,
    *,
    actor: Actor,
    open_steps_confirmed: Collection[str] = (),
    expected_version: int | None = None,
) -> int:
    """Tick 'discharged': refused on a hard stop (passing score; escort confirmed or the
    physician's exemption) or while a step is open that the nurse did not confirm by key; the
    open ones are kept in the tick's note and the audit row. Books the follow-ups. Returns the
    new version."""
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
    scale: discharge.DischargeScale | None,
    components: Mapping[str, int | None],
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Score the modified Aldrete or modified PADSS items (0-2 each): a new score row with the
    total, the items in its note, and scale, version and items in its detail. A re-score needs
    no un-tick: the latest counts, every earlier one stays with its time."""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        detail = discharge.discharge_score_detail(scale, components)
        note = discharge.discharge_score_note(scale, components)
        return _tick(
            session,
            case,
            "discharge_score",
            actor=actor,
            value=str(detail["total"]),
            note=note,
            detail=detail,
        )


def confirm_escort(
    case_id: int,
    name: str | None,
    relationship: str | None,
    phone: str | None,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Tick 'escort confirmed' with the responsible adult met in person: name, relationship and
    phone; a taxi or rideshare driver alone is refused with the reason."""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        value = discharge.escort_confirmation(name, relationship, phone)
        return _tick(session, case, "escort_confirmed", actor=actor, value=value, note="")


def exempt_from_escort(
    case_id: int,
    physician: str | None,
    reason: str | None,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Record the attending physician's exemption from the escort rule: who and why, on the case
    and in the audit trail, with who recorded it. It satisfies the discharge hard stop."""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        if case.escort_exempted_by is not None:
            raise RuleViolation(
                "physician", messages.EXEMPTION_ALREADY.format(who=case.escort_exempted_by)
            )
        who, why = discharge.check_escort_exemption(physician, reason)
        checklist.check_booked_physician(
            who, _physician(session, case), "physician", messages.EXEMPTION_NOT_ATTENDING
        )
        at = now_utc()
        case.escort_exempted_by = who
        case.escort_exempt_reason = why
        case.escort_exempt_at = at
        case.escort_exempt_recorded_by_id = actor.id
        touch_case(case, at)
        audit(
            session,
            actor,
            "checklist.escort_exempted",
            "case",
            case.id,
            office_id=case.office_id,
            detail={"physician": who, "reason": why},
            at=at,
        )
        return case.version


def record_antibiotic(
    case_id: int,
    used: bool | None,
    given_at: dt.datetime | None = None,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Time-out item: antibiotic prophylaxis given within the last 60 minutes (with its time),
    or not used."""
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        timezone = _timezone(session, case)
        value, detail = time_out.antibiotic_value(
            used, given_at, now=now_utc(), fmt_time=functools.partial(time_text, timezone)
        )
        return _tick(
            session,
            case,
            "antibiotic_prophylaxis",
            actor=actor,
            value=value,
            note="",
            detail=detail,
        )


def record_fasting(
    case_id: int,
    clear_liquid_at: dt.datetime | None,
    food_at: dt.datetime | None,
    food_kind: fasting.Intake | str | None,
    *,
    no_clear_liquid: bool = False,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Tick "fasting confirmed" with the patient's report: the last clear liquid (or none since
    the food) and the last food with its kind (mild.fasting). Asked again, the latest report
    counts; anesthesia start checks the intervals. Returns the new version."""
    report = fasting.check_report(
        clear_liquid_at, no_clear_liquid, food_at, food_kind, now=now_utc()
    )
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        value = fasting.report_text(
            report, functools.partial(moment_text, _timezone(session, case))
        )
        return _tick(
            session,
            case,
            "fasting_confirmed",
            actor=actor,
            value=value,
            note="",
            detail=report.detail(),
        )


def record_instructions_given(
    case_id: int,
    printed: str | None,
    *,
    actor: Actor,
    expected_version: int | None = None,
) -> int:
    """Tick "instructions given" with the version of the PDF printed for this patient
    ("2026-12.1 #1234": the template and the print's audit row, which must be this case's)."""
    parsed = discharge_instructions.parse_printed_version(printed)
    if parsed is None:
        raise RuleViolation("instructions_given", messages.INSTRUCTIONS_PRINT_FIRST)
    template, audit_id = parsed
    with transaction() as session:
        case = _open_case(session, case_id, actor, expected_version)
        found = session.get(AuditEvent, audit_id)
        if (
            found is None
            or found.action != "document.printed"
            or found.entity != "case"
            or found.entity_id != case.id
        ):
            raise RuleViolation("instructions_given", messages.INSTRUCTIONS_PRINT_FIRST)
        latest = session.scalar(
            select(func.max(AuditEvent.id)).where(
                AuditEvent.action == "document.printed",
                AuditEvent.entity == "case",
                AuditEvent.entity_id == case.id,
            )
        )
        # The sheet the patient takes home is the latest one, on the current template: a print
        # made before (an earlier escort, restart times before the procedure end) is stale.
        if audit_id != latest or template != discharge_instructions.VERSION:
            raise RuleViolation("instructions_given", messages.INSTRUCTIONS_NOT_LATEST)
        return _tick(
            session,
            case,
            "instructions_given",
            actor=actor,
            value=printed.strip(),
            note="",
            detail={"template": template, "printed_audit_id": audit_id},
        )


def undo_step(
    case_id: int,
    step_key: str,
    reason: str,
    *,
    actor: Actor,
    expected_version: int | None = None,
    seen_change: int | None = None,
) -> int:
    """Un-tick a step: a new row with the reason; the original tick stays in the history.
    A change since the screen was drawn refuses it as it would a tick (complete_step)."""
    with transaction() as session:
        seen = None if seen_change is None else (step_key, seen_change)
        case = _open_case(session, case_id, actor, expected_version, seen=seen)
        step = checklist.check_untick(
            step_key, case.status, _done(_entries(session, case_id)), reason
        )
        at = now_utc()
        session.add(_entry(case, step.key, at, actor, undone=True, reason=reason.strip()))
        if column := EVENT_COLUMN.get(step.key):
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
