"""Day-of checklist steps as data, grouped by phase, with the hard stops between them.

Each step row names its source. The discharge side (scores with their descriptors, the escort
and its exemption, the review of steps still open) is in mild/discharge.py; event times and
their corrections in mild/event_times.py; the time-out items' values in mild/time_out.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from mild import messages
from mild.cases import CaseAction, CaseStatus, can_transition, check_transition, next_actions
from mild.checklist_steps import (
    CHECK_INPUTS,
    DISCHARGE_SCORE_PASS,
    PHASE_LABELS,
    PLANNED_PROCEDURE_MINUTES,
    STEP_BY_KEY,
    STEPS,
    TIME_OUT_ITEMS,
    TIMED_STEPS,
    DayCheck,
    Phase,
    Step,
    ValueKind,
)
from mild.days import to_local
from mild.errors import RuleViolation
from mild.text import check_storable

__all__ = [
    "DISCHARGE_SCORE_PASS",
    "DayCheck",
    "PHASE_LABELS",
    "PLANNED_PROCEDURE_MINUTES",
    "STEPS",
    "STEP_BY_KEY",
    "TIMED_STEPS",
    "TIME_OUT_ITEMS",
    "Phase",
    "Step",
    "ValueKind",
]


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
    """One checklist row as the rules see it: a tick, an un-tick when `undone`, or a correction
    of the step's event time (`corrects_time`), which changes nothing else."""

    step: str
    undone: bool = False
    value: str | None = None
    corrects_time: bool = False


def current_state(ticks: Iterable[Tick]) -> dict[str, str | None]:
    """Steps done now (step -> value), replaying ticks and un-ticks in the order given."""
    done: dict[str, str | None] = {}
    for tick in ticks:
        if tick.corrects_time:
            continue
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


def is_complete(step_key: str, value: str | None) -> bool:
    """A done step counts as complete, except a failing discharge score: shown as failing."""
    return step_key != "discharge_score" or discharge_score_passes(value)


def blockers(
    step_key: str,
    done: Mapping[str, str | None],
    *,
    escort_exempt: bool = False,
    problems: Mapping[DayCheck, Sequence[str]] = MappingProxyType({}),
) -> list[str]:
    """What is missing before `step_key` may be ticked (a hard stop if any), as the refusal
    names it: step labels, a passing score, and what the step's checks found (each held drug,
    fasting, glucose, antibiotic: mild.dayof_checks)."""
    step = get_step(step_key)
    missing: list[str] = []
    for required in step.requires:
        if required == "discharge_score":
            if not discharge_score_passes(done.get(required)):
                missing.append(
                    messages.DISCHARGE_SCORE_NOT_PASSING.format(min=DISCHARGE_SCORE_PASS)
                )
        elif required == "escort_confirmed":
            if required not in done and not escort_exempt:
                missing.append(
                    messages.ESCORT_OR_EXEMPTION.format(step=STEP_BY_KEY[required].label)
                )
        elif required not in done:
            missing.append(STEP_BY_KEY[required].label)
    for check in step.checks:
        missing.extend(problems.get(check, ()))
    return missing


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
    limit = VALUE_LIMITS.get(step.key, TEXT_LIMIT)
    if len(text) > limit:
        raise RuleViolation(step.key, messages.TEXT_TOO_LONG.format(limit=limit))
    return check_storable(step.key, text)


TEXT_LIMIT = 500  # a tick's value, note or un-tick reason
# Values also kept on the case, in a shorter column (mild_case.levels_treated is 80 characters);
# a physician's name as the staff table keeps names.
VALUE_LIMITS: dict[str, int] = {"levels_treated": 80, "site_marked": 120}


def check_note(note: str) -> str | None:
    """A tick's note as stored: trimmed, None when blank, at most TEXT_LIMIT characters."""
    text = (note or "").strip()
    if len(text) > TEXT_LIMIT:
        raise RuleViolation("note", messages.TEXT_TOO_LONG.format(limit=TEXT_LIMIT))
    return check_storable("note", text) or None


def check_reason(reason: str | None, message: str) -> str:
    """A required reason (un-tick, time correction, exemption): trimmed, refused when blank."""
    text = (reason or "").strip()
    if not text:
        raise RuleViolation("reason", message)
    if len(text) > TEXT_LIMIT:
        raise RuleViolation("reason", messages.TEXT_TOO_LONG.format(limit=TEXT_LIMIT))
    return check_storable("reason", text)


def check_own_form(step: Step) -> None:
    """A plain tick cannot record a step that has its own form (score items, escort...)."""
    if step.own_form:
        raise RuleViolation(step.key, messages.STEP_HAS_ITS_OWN_FORM.format(step=step.label))


def check_tick(
    step_key: str,
    status: CaseStatus,
    done: Mapping[str, str | None],
    *,
    escort_exempt: bool = False,
    problems: Mapping[DayCheck, Sequence[str]] = MappingProxyType({}),
) -> Step:
    """Raise RuleViolation if the step may not be ticked now; return the step otherwise."""
    step = get_step(step_key)
    if status not in _TICKABLE:
        raise RuleViolation("step", not_open_message(status))
    if step_key in done and not step.repeatable:
        raise RuleViolation(step_key, messages.STEP_ALREADY_DONE.format(step=step.label))
    missing = blockers(step_key, done, escort_exempt=escort_exempt, problems=problems)
    if missing:
        raise RuleViolation(
            step_key, messages.HARD_STOP.format(step=step.label, missing="; ".join(missing))
        )
    # A step that moves the case on may only make a move the lifecycle allows (no jumping from
    # checked in straight to discharged).
    if step.moves_case_to is not None and not can_transition(status, step.moves_case_to):
        raise RuleViolation(
            step_key,
            messages.TRANSITION_NOT_ALLOWED.format(
                frm=status_in_sentence(status), to=status_in_sentence(step.moves_case_to)
            ),
        )
    return step


# The audit actions of checklist writes, and the step each concerns (an escort exemption stands
# for the escort step); any other write to a case is a change outside the checklist.
CHECKLIST_ACTIONS: frozenset[str] = frozenset(
    {"checklist.ticked", "checklist.unticked", "checklist.time_corrected"}
)
ESCORT_EXEMPTED = "checklist.escort_exempted"


def is_hard_stop(step: Step) -> bool:
    """A step that checks what came before it: its required steps, its day-of checks, or (a
    status step) what the case's move needs."""
    return bool(step.requires or step.checks or step.moves_case_to)


def stale_conflict(step: Step, changed: Iterable[str], changed_outside: bool) -> bool:
    """Whether a tick (or un-tick) made on a screen older than the case must be refused:
    the same step changed since the screen was drawn, the case changed outside the checklist
    (a booking's level and side, allergies, the escort, a drug: steps confirm what the screen
    showed of them), or, for a hard stop, one of its inputs did (a required step, a step its
    checks read). A change to another, unrelated step lets it through: the checks run again on
    the case as it is now. Discharge reads every step: any change refuses it."""
    changed = set(changed)
    if step.key in changed or changed_outside:
        return True
    if not is_hard_stop(step):
        return False
    if step.moves_case_to == CaseStatus.DISCHARGED:
        return bool(changed)
    inputs = set(step.requires).union(*(CHECK_INPUTS[c] for c in step.checks))
    return bool(inputs & changed)


def check_untick(
    step_key: str, status: CaseStatus, done: Mapping[str, str | None], reason: str
) -> Step:
    """Un-ticking needs a reason and a step that is currently done."""
    step = get_step(step_key)
    if status not in _TICKABLE:
        raise RuleViolation("step", not_open_message(status))
    if step_key not in done:
        raise RuleViolation(step_key, messages.STEP_NOT_DONE.format(step=step.label))
    check_reason(reason, messages.UNTICK_REASON_REQUIRED)
    if step.moves_case_to is not None:
        raise RuleViolation(step_key, messages.STATUS_STEP_CANNOT_BE_UNDONE.format(step=step.label))
    return step


# The checklist is open from booking until discharge; once discharged it is locked for good.
_TICKABLE: frozenset[CaseStatus] = frozenset(
    {
        CaseStatus.SCHEDULED,
        CaseStatus.CHECKED_IN,
        CaseStatus.IN_PROCEDURE,
        CaseStatus.RECOVERY,
    }
)
CHECKLIST_OPEN = _TICKABLE
LOCKED_AFTER_DISCHARGE: frozenset[CaseStatus] = frozenset(
    {CaseStatus.DISCHARGED, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED}
)


def status_in_sentence(status: CaseStatus) -> str:
    """A status as it reads inside a sentence: 'from checked in to discharged'."""
    return status.label.lower()


def not_open_message(status: CaseStatus) -> str:
    """Why the checklist of a case in `status` cannot be changed; the status named as the
    screens show it ('"Intake"', not 'while the case is intake')."""
    return messages.CHECKLIST_NOT_OPEN.format(status=status.label)


def checklist_lock(status: CaseStatus, discharged: Entry | None, timezone: str) -> str | None:
    """Why the checklist of a case in `status` cannot be changed, or None while it is open.

    After discharge the note names who discharged the patient and when (office-local time);
    the screen shows it above the read-only steps and the services refuse with it.
    """
    if status in _TICKABLE:
        return None
    if status in LOCKED_AFTER_DISCHARGE and discharged is not None:
        local = to_local(timezone, discharged.event_time)
        return messages.CHECKLIST_LOCKED.format(
            when=f"{local:%H:%M %Z} on {local:%a %d %b %Y}",
            who=discharged.by or messages.STAFF_NOT_RECORDED,
        )
    return not_open_message(status)


def check_open(status: CaseStatus, discharged: Entry | None, timezone: str) -> None:
    """Refuse any tick or un-tick while the checklist is not open (locked once discharged)."""
    lock = checklist_lock(status, discharged, timezone)
    if lock is not None:
        raise RuleViolation("step", lock)


def in_force(entries: Iterable[Entry]) -> dict[str, Entry]:
    """The tick in force of each step done (the latest, for a repeatable step), replaying
    ticks and un-ticks in order; time corrections change no tick."""
    current: dict[str, Entry] = {}
    for entry in entries:
        if entry.corrects_time:
            continue
        if entry.undone:
            current.pop(entry.step, None)
        else:
            current[entry.step] = entry
    return current


def discharge_entry(entries: Iterable[Entry]) -> Entry | None:
    """The 'discharged' tick in force (who discharged the patient and when), if any."""
    return in_force(entries).get("discharged")


# The statuses a checklist step moves a case into: only that step may do it, with its hard stops.
STATUS_SET_BY_STEP: dict[CaseStatus, Step] = {
    s.moves_case_to: s for s in STEPS if s.moves_case_to is not None
}


# Every other status is reached through the action that owns it and runs its checks: the
# checklist step (hard stops), confirming for the day (readiness), cancelling (a reason code),
# recording the first follow-up, closing after the last visit (no open escalation).
PLAIN_MOVES: frozenset[CaseStatus] = frozenset({CaseStatus.INTAKE})


def check_manual_transition(current: CaseStatus, target: CaseStatus) -> None:
    """A plain status change (services.cases.advance_case): allowed by the lifecycle and not a
    status whose own action carries checks."""
    check_transition(current, target)
    step = STATUS_SET_BY_STEP.get(target)
    if step is not None:
        raise RuleViolation("status", messages.STATUS_VIA_CHECKLIST.format(step=step.label))
    if target not in PLAIN_MOVES:
        raise RuleViolation("status", messages.STATUS_VIA_ITS_ACTION.format(status=target.label))


def manual_actions(status: CaseStatus) -> list[CaseAction]:
    """The plain status buttons a page may draw for a case (cancelling has its own form)."""
    return [a for a in next_actions(status) if a.to_status in PLAIN_MOVES]


# --- Which steps apply to this patient ----------------------------------------------------------

ULTRASOUND = "Ultrasound"


def imaging_is_xray(modality: str | None) -> bool:
    """X-ray unless ultrasound was recorded: MILD is normally guided by fluoroscopy."""
    return modality != ULTRASOUND


def not_applicable_reason(
    step: Step, *, diabetic: bool, xray: bool, escort_exempt: bool = False
) -> str | None:
    """Why `step` does not apply to this patient, or None when it does."""
    if step.diabetic_only and not diabetic:
        return messages.NOT_APPLICABLE_NOT_DIABETIC
    if step.xray_only and not xray:
        return messages.NOT_APPLICABLE_ULTRASOUND
    if step.escort_step and escort_exempt:
        return messages.NOT_APPLICABLE_ESCORT_EXEMPT
    return None


def check_applies(step: Step, *, diabetic: bool, xray: bool, escort_exempt: bool = False) -> None:
    """Refuse a tick of a step that does not apply (glucose for a non-diabetic, say)."""
    reason = not_applicable_reason(step, diabetic=diabetic, xray=xray, escort_exempt=escort_exempt)
    if reason is not None:
        raise RuleViolation(
            step.key, messages.STEP_NOT_APPLICABLE.format(step=step.label, reason=reason)
        )


def progress(
    done: Mapping[str, str | None], *, diabetic: bool, xray: bool, escort_exempt: bool = False
) -> tuple[int, int]:
    """(steps complete, steps that apply) for this patient; a failing score is not complete."""
    applicable = [
        s
        for s in STEPS
        if not_applicable_reason(s, diabetic=diabetic, xray=xray, escort_exempt=escort_exempt)
        is None
    ]
    complete = sum(1 for s in applicable if s.key in done and is_complete(s.key, done[s.key]))
    return complete, len(applicable)


def case_progress(
    done: Mapping[str, str | None], *, diabetic: bool, escort_exempt: bool = False
) -> tuple[int, int]:
    """(steps complete, steps that apply), the imaging taken from the recorded modality."""
    return progress(
        done,
        diabetic=diabetic,
        xray=imaging_is_xray(done.get("imaging_modality")),
        escort_exempt=escort_exempt,
    )


# --- Each step as the nurse sees it ---------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One checklist row with who and when, as a screen's history shows it.

    `at` is when it was charted; `event_at` when the event happened (None: the same moment);
    a row with `corrects_time` sets the step's event time to `event_at`, with the reason.
    """

    step: str
    at: dt.datetime
    by: str | None
    value: str | None = None
    undone: bool = False
    reason: str | None = None
    note: str | None = None
    event_at: dt.datetime | None = None
    corrects_time: bool = False
    detail: str | None = None

    @property
    def event_time(self) -> dt.datetime:
        return self.event_at or self.at

    def as_tick(self) -> Tick:
        return Tick(self.step, self.undone, self.value, self.corrects_time)


def event_times(entries: Iterable[Entry]) -> dict[str, dt.datetime]:
    """The event time in force of each timed step done: its tick's, or the latest correction."""
    times: dict[str, dt.datetime] = {}
    for entry in entries:
        step = STEP_BY_KEY.get(entry.step)
        if step is None or not step.timed:
            continue
        if entry.undone:
            times.pop(entry.step, None)
        elif entry.corrects_time:
            if entry.step in times and entry.event_at is not None:
                times[entry.step] = entry.event_at
        else:
            times[entry.step] = entry.event_time
    return times


@dataclass(frozen=True)
class StepView:
    """A step as the nurse sees it now: applicable or not, done by whom, what still blocks it."""

    step: Step
    not_applicable: str | None  # the reason, when the step does not apply
    done: Entry | None  # the tick in force, if the step is done
    history: tuple[Entry, ...]  # every tick, un-tick and time correction, oldest first
    missing: tuple[str, ...]  # what blocks the tick now (hard stop), empty if nothing
    may_tick: bool
    may_untick: bool
    event_at: dt.datetime | None = None  # a timed step's event time in force
    may_correct_time: bool = False

    @property
    def complete(self) -> bool:
        """Done, and not a failing discharge score (which is shown as failing, never done)."""
        return self.done is not None and is_complete(self.step.key, self.done.value)

    @property
    def failing(self) -> bool:
        return self.done is not None and not self.complete


def step_views(
    entries: Iterable[Entry],
    status: CaseStatus,
    *,
    diabetic: bool,
    escort_exempt: bool = False,
    problems: Mapping[DayCheck, Sequence[str]] = MappingProxyType({}),
    corrections_open: bool | None = None,
) -> dict[Phase, list[StepView]]:
    """Every step of the checklist for one case, grouped by phase, from its rows in order.
    `corrections_open`: event times may be corrected (default: while the checklist is open;
    the page says when they still may be after discharge: mild.event_times.correction_lock)."""
    entries = list(entries)
    done = current_state(e.as_tick() for e in entries)
    current = in_force(entries)
    times = event_times(entries)
    xray = imaging_is_xray(done.get("imaging_modality"))
    is_open = status in _TICKABLE  # locked once discharged: read-only, nothing blocks or opens
    fixable = is_open if corrections_open is None else corrections_open

    def view(step: Step) -> StepView:
        not_applicable = not_applicable_reason(
            step, diabetic=diabetic, xray=xray, escort_exempt=escort_exempt
        )
        is_done = step.key in done
        missing = blockers(step.key, done, escort_exempt=escort_exempt, problems=problems)
        return StepView(
            step=step,
            not_applicable=not_applicable,
            done=current.get(step.key),
            history=tuple(e for e in entries if e.step == step.key),
            missing=() if (is_done and not step.repeatable) or not is_open else tuple(missing),
            may_tick=is_open and not_applicable is None and (not is_done or step.repeatable),
            may_untick=is_open and is_done and step.moves_case_to is None,
            event_at=times.get(step.key),
            may_correct_time=fixable and is_done and step.timed,
        )

    return {phase: [view(s) for s in steps] for phase, steps in steps_by_phase().items()}


def is_open(view: StepView) -> bool:
    """Still to do: it applies and is not complete (a failing discharge score is open)."""
    return view.not_applicable is None and not view.complete


def next_step(grouped: Mapping[Phase, Sequence[StepView]]) -> str | None:
    """The step the nurse can tick next: the first open step, in checklist order, that may be
    ticked with nothing missing (its button is the screen's one primary button); None when no
    step can be ticked now."""
    for views in grouped.values():
        for view in views:
            if is_open(view) and view.may_tick and not view.missing:
                return view.step.key
    return None


def in_working_order(views: Sequence[StepView]) -> list[StepView]:
    """A phase's steps as the screen lists them: the open ones first, then the done ones, then
    those that do not apply, each group in checklist order."""

    def rank(view: StepView) -> int:
        return 2 if view.not_applicable is not None else 0 if is_open(view) else 1

    return sorted(views, key=rank)  # stable: checklist order within each group


def same_person(a: str, b: str) -> bool:
    """Two typed names of one person: case, spacing and a leading "Dr." aside."""

    def key(name: str) -> str:
        words = name.lower().replace(".", " ").split()
        return " ".join(words[1:] if words[:1] == ["dr"] else words)

    return key(a) == key(b)


def check_booked_physician(name: str, booked: str | None, field: str, message: str) -> None:
    """The name given must be the case's physician as booked (the one who will operate: Joint
    Commission UP.01.02.01 for site marking; the attending for an escort exemption). A case with
    no physician booked has nobody to compare with."""
    if booked is not None and not same_person(name, booked):
        raise RuleViolation(field, message.format(booked=booked))
