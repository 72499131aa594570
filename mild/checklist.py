"""Day-of checklist steps as data, grouped by phase, with the hard stops between them."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mild import messages
from mild.cases import CaseAction, CaseStatus, can_transition, check_transition, next_actions
from mild.errors import RuleViolation


class Phase(enum.StrEnum):
    ARRIVAL = "arrival"
    SIGN_IN = "sign_in"
    TIME_OUT = "time_out"
    PROCEDURE = "procedure"
    RECOVERY = "recovery"
    DISCHARGE = "discharge"


PHASE_LABELS: dict[Phase, str] = {
    Phase.ARRIVAL: "Arrival",
    Phase.SIGN_IN: "Sign in (before anesthesia)",
    Phase.TIME_OUT: "Time-out (before incision)",
    Phase.PROCEDURE: "Procedure",
    Phase.RECOVERY: "Recovery room",
    Phase.DISCHARGE: "Discharge",
}


class ValueKind(enum.StrEnum):
    NONE = "none"
    TEXT = "text"
    NUMBER = "number"
    CHOICE = "choice"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    phase: Phase
    value_kind: ValueKind = ValueKind.NONE
    choices: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    diabetic_only: bool = False
    xray_only: bool = False
    moves_case_to: CaseStatus | None = None


DISCHARGE_SCORE_PASS = 9  # modified Aldrete or PADSS, each 0-10 (policy)
PLANNED_PROCEDURE_MINUTES = 60

STEPS: tuple[Step, ...] = (
    Step("checked_in", "Checked in", Phase.ARRIVAL, moves_case_to=CaseStatus.CHECKED_IN),
    Step("identity_confirmed", "Identity confirmed (name and date of birth)", Phase.ARRIVAL),
    Step("consent_signed", "Consent signed", Phase.ARRIVAL),
    Step("fasting_confirmed", "Fasting confirmed", Phase.ARRIVAL),
    Step("holds_confirmed", "Medication holds confirmed", Phase.ARRIVAL),
    Step(
        "glucose_checked",
        "Point-of-care glucose (mg/dL)",
        Phase.ARRIVAL,
        ValueKind.NUMBER,
        diabetic_only=True,
    ),
    Step("vitals_recorded", "Vitals recorded", Phase.ARRIVAL),
    Step("iv_placed", "IV placed", Phase.ARRIVAL),
    Step("driver_on_file", "Driver's name and phone on file", Phase.ARRIVAL),
    Step("pre_anesthesia_check", "Allergies, airway and aspiration risk reviewed", Phase.SIGN_IN),
    Step(
        "anesthesia_type",
        "Anesthesia type",
        Phase.SIGN_IN,
        ValueKind.CHOICE,
        choices=("General", "MAC (moderate sedation)", "Local"),
    ),
    Step(
        "anesthesia_start",
        "Anesthesia start",
        Phase.SIGN_IN,
        requires=("identity_confirmed", "consent_signed", "fasting_confirmed", "holds_confirmed"),
    ),
    Step(
        "imaging_modality",
        "Imaging modality",
        Phase.TIME_OUT,
        ValueKind.CHOICE,
        choices=("X-ray / fluoroscopy", "Ultrasound"),
    ),
    Step(
        "time_out",
        "Time-out: team, patient, procedure, levels and side, imaging displayed",
        Phase.TIME_OUT,
    ),
    Step(
        "procedure_start",
        "Procedure start (incision)",
        Phase.PROCEDURE,
        requires=("consent_signed", "holds_confirmed", "time_out"),
        moves_case_to=CaseStatus.IN_PROCEDURE,
    ),
    Step("levels_treated", "Levels treated", Phase.PROCEDURE, ValueKind.TEXT),
    Step("procedure_end", "Procedure end", Phase.PROCEDURE, requires=("procedure_start",)),
    Step(
        "fluoroscopy_recorded",
        "Fluoroscopy time and dose",
        Phase.PROCEDURE,
        ValueKind.TEXT,
        xray_only=True,
    ),
    Step("sign_out", "Sign out: procedure recorded, counts correct", Phase.PROCEDURE),
    Step("anesthesia_end", "Anesthesia end", Phase.PROCEDURE),
    Step(
        "recovery_in",
        "Recovery room in",
        Phase.RECOVERY,
        requires=("procedure_end",),
        moves_case_to=CaseStatus.RECOVERY,
    ),
    Step(
        "discharge_score",
        "Discharge score (Aldrete or PADSS, 0-10)",
        Phase.RECOVERY,
        ValueKind.NUMBER,
    ),
    Step("recovery_out", "Recovery room out", Phase.RECOVERY, requires=("recovery_in",)),
    Step(
        "driver_confirmed",
        "Driver confirmed in person (name, relationship, phone)",
        Phase.DISCHARGE,
        ValueKind.TEXT,
    ),
    Step("instructions_given", "Written discharge instructions given", Phase.DISCHARGE),
    Step("restart_dates_given", "Restart dates for held medications given", Phase.DISCHARGE),
    Step(
        "discharged",
        "Discharged",
        Phase.DISCHARGE,
        requires=("driver_confirmed", "discharge_score"),
        moves_case_to=CaseStatus.DISCHARGED,
    ),
)

STEP_BY_KEY: dict[str, Step] = {s.key: s for s in STEPS}


def steps_by_phase() -> dict[Phase, list[Step]]:
    """The checklist grouped by phase, in the order a nurse works through it."""
    grouped: dict[Phase, list[Step]] = {p: [] for p in Phase}
    for step in STEPS:
        grouped[step.phase].append(step)
    return grouped


def get_step(key: str) -> Step:
    try:
        return STEP_BY_KEY[key]
    except KeyError:
        raise RuleViolation("step", messages.UNKNOWN_STEP.format(step=key)) from None


@dataclass(frozen=True)
class Tick:
    """One checklist row as the rules see it: a tick, or an un-tick when `undone`."""

    step: str
    undone: bool = False
    value: str | None = None


def current_state(ticks: Iterable[Tick]) -> dict[str, str | None]:
    """Steps done now (step -> value), replaying ticks and un-ticks in the order given."""
    done: dict[str, str | None] = {}
    for tick in ticks:
        if tick.undone:
            done.pop(tick.step, None)
        else:
            done[tick.step] = tick.value
    return done


def discharge_score_passes(value: str | None) -> bool:
    try:
        return value is not None and int(value) >= DISCHARGE_SCORE_PASS
    except ValueError:
        return False


def blockers(step_key: str, done: Mapping[str, str | None]) -> list[str]:
    """The labels of what is missing before `step_key` may be ticked (a hard stop if any)."""
    step = get_step(step_key)
    missing: list[str] = []
    for required in step.requires:
        if required == "discharge_score":
            if not discharge_score_passes(done.get(required)):
                missing.append(
                    messages.DISCHARGE_SCORE_NOT_PASSING.format(min=DISCHARGE_SCORE_PASS)
                )
        elif required not in done:
            missing.append(STEP_BY_KEY[required].label)
    return missing


def discharge_blockers(done: Mapping[str, str | None]) -> list[str]:
    """What stands between this patient and discharge."""
    return blockers("discharged", done)


def validate_value(step: Step, value: str | None) -> str | None:
    """The value to store for a tick, or RuleViolation naming the problem."""
    if step.value_kind == ValueKind.NONE:
        return None
    text = (value or "").strip()
    if not text:
        raise RuleViolation(step.key, messages.STEP_VALUE_REQUIRED.format(step=step.label))
    if step.value_kind == ValueKind.CHOICE and text not in step.choices:
        raise RuleViolation(step.key, messages.STEP_VALUE_NOT_A_CHOICE.format(step=step.label))
    if step.value_kind == ValueKind.NUMBER:
        try:
            number = float(text)
        except ValueError:
            raise RuleViolation(
                step.key, messages.STEP_VALUE_NOT_A_NUMBER.format(step=step.label)
            ) from None
        if step.key == "discharge_score" and not (0 <= number <= 10 and number == int(number)):
            raise RuleViolation(step.key, messages.DISCHARGE_SCORE_RANGE)
        if step.key == "glucose_checked" and not (10 <= number <= 1000):
            raise RuleViolation(step.key, messages.GLUCOSE_RANGE)
        text = str(int(number)) if number == int(number) else str(number)
    if len(text) > 500:
        raise RuleViolation(step.key, messages.TEXT_TOO_LONG.format(limit=500))
    return text


def check_tick(step_key: str, status: CaseStatus, done: Mapping[str, str | None]) -> Step:
    """Raise RuleViolation if the step may not be ticked now; return the step otherwise."""
    step = get_step(step_key)
    if status not in _TICKABLE:
        raise RuleViolation("step", messages.CHECKLIST_NOT_OPEN.format(status=status.label))
    if step_key in done:
        raise RuleViolation(step_key, messages.STEP_ALREADY_DONE.format(step=step.label))
    missing = blockers(step_key, done)
    if missing:
        raise RuleViolation(
            step_key, messages.HARD_STOP.format(step=step.label, missing="; ".join(missing))
        )
    # A step that moves the case on may only make a move the lifecycle allows (no jumping from
    # checked in straight to discharged).
    if step.moves_case_to is not None and not can_transition(status, step.moves_case_to):
        raise RuleViolation(
            step_key,
            messages.TRANSITION_NOT_ALLOWED.format(frm=status.label, to=step.moves_case_to.label),
        )
    return step


def check_untick(
    step_key: str, status: CaseStatus, done: Mapping[str, str | None], reason: str
) -> Step:
    """Un-ticking needs a reason and a step that is currently done."""
    step = get_step(step_key)
    if status not in _TICKABLE or status == CaseStatus.DISCHARGED:
        raise RuleViolation("step", messages.CHECKLIST_NOT_OPEN.format(status=status.label))
    if step_key not in done:
        raise RuleViolation(step_key, messages.STEP_NOT_DONE.format(step=step.label))
    if not reason.strip():
        raise RuleViolation("reason", messages.UNTICK_REASON_REQUIRED)
    if step.moves_case_to is not None:
        raise RuleViolation(step_key, messages.STATUS_STEP_CANNOT_BE_UNDONE.format(step=step.label))
    return step


_TICKABLE: frozenset[CaseStatus] = frozenset(
    {
        CaseStatus.SCHEDULED,
        CaseStatus.CHECKED_IN,
        CaseStatus.IN_PROCEDURE,
        CaseStatus.RECOVERY,
    }
)


def progress(done: Mapping[str, str | None], *, diabetic: bool, xray: bool) -> tuple[int, int]:
    """(steps done, steps that apply) for this patient."""
    applicable = [
        s for s in STEPS if (diabetic or not s.diabetic_only) and (xray or not s.xray_only)
    ]
    return sum(1 for s in applicable if s.key in done), len(applicable)


# The statuses a checklist step moves a case into: only that step may do it, with its hard stops.
STATUS_SET_BY_STEP: dict[CaseStatus, Step] = {
    s.moves_case_to: s for s in STEPS if s.moves_case_to is not None
}


def check_manual_transition(current: CaseStatus, target: CaseStatus) -> None:
    """A status change by button: allowed by the lifecycle and not one a checklist step owns."""
    check_transition(current, target)
    step = STATUS_SET_BY_STEP.get(target)
    if step is not None:
        raise RuleViolation("status", messages.STATUS_VIA_CHECKLIST.format(step=step.label))


def manual_actions(status: CaseStatus) -> list[CaseAction]:
    """The buttons a page may draw for a case: the lifecycle's next actions, less the statuses
    that only a checklist step may set."""
    return [a for a in next_actions(status) if a.to_status not in STATUS_SET_BY_STEP]
