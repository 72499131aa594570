"""Day-of checklist steps as data, grouped by phase, with the hard stops between them."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from mild import messages
from mild.cases import CaseAction, CaseStatus, can_transition, check_transition, next_actions
from mild.days import to_local
from mild.errors import RuleViolation
from mild.text import check_storable


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
    limit = VALUE_LIMITS.get(step.key, TEXT_LIMIT)
    if len(text) > limit:
        raise RuleViolation(step.key, messages.TEXT_TOO_LONG.format(limit=limit))
    return check_storable(step.key, text)


TEXT_LIMIT = 500  # a tick's value, note or un-tick reason
# Values also kept on the case, in a shorter column (mild_case.levels_treated is 80 characters).
VALUE_LIMITS: dict[str, int] = {"levels_treated": 80}


def check_note(note: str) -> str | None:
    """A tick's note as stored: trimmed, None when blank, at most TEXT_LIMIT characters."""
    text = (note or "").strip()
    if len(text) > TEXT_LIMIT:
        raise RuleViolation("note", messages.TEXT_TOO_LONG.format(limit=TEXT_LIMIT))
    return check_storable("note", text) or None


def check_tick(step_key: str, status: CaseStatus, done: Mapping[str, str | None]) -> Step:
    """Raise RuleViolation if the step may not be ticked now; return the step otherwise."""
    step = get_step(step_key)
    if status not in _TICKABLE:
        raise RuleViolation("step", not_open_message(status))
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
            messages.TRANSITION_NOT_ALLOWED.format(
                frm=status_in_sentence(status), to=status_in_sentence(step.moves_case_to)
            ),
        )
    return step


def check_untick(
    step_key: str, status: CaseStatus, done: Mapping[str, str | None], reason: str
) -> Step:
    """Un-ticking needs a reason and a step that is currently done."""
    step = get_step(step_key)
    if status not in _TICKABLE:
        raise RuleViolation("step", not_open_message(status))
    if step_key not in done:
        raise RuleViolation(step_key, messages.STEP_NOT_DONE.format(step=step.label))
    if not reason.strip():
        raise RuleViolation("reason", messages.UNTICK_REASON_REQUIRED)
    if len(reason.strip()) > TEXT_LIMIT:
        raise RuleViolation("reason", messages.TEXT_TOO_LONG.format(limit=TEXT_LIMIT))
    check_storable("reason", reason)
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
LOCKED_AFTER_DISCHARGE: frozenset[CaseStatus] = frozenset(
    {CaseStatus.DISCHARGED, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED}
)


def status_in_sentence(status: CaseStatus) -> str:
    """A status as it reads inside a sentence: 'while the case is discharged'."""
    return status.label.lower()


def not_open_message(status: CaseStatus) -> str:
    return messages.CHECKLIST_NOT_OPEN.format(status=status_in_sentence(status))


def checklist_lock(status: CaseStatus, discharged: Entry | None, timezone: str) -> str | None:
    """Why the checklist of a case in `status` cannot be changed, or None while it is open.

    After discharge the note names who discharged the patient and when (office-local time);
    the screen shows it above the read-only steps and the services refuse with it.
    """
    if status in _TICKABLE:
        return None
    if status in LOCKED_AFTER_DISCHARGE and discharged is not None:
        local = to_local(timezone, discharged.at)
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


def discharge_entry(entries: Iterable[Entry]) -> Entry | None:
    """The 'discharged' tick in force (who discharged the patient and when), if any."""
    found: Entry | None = None
    for entry in entries:
        if entry.step == "discharged":
            found = None if entry.undone else entry
    return found


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


# --- The day-of screen: applicability, discharge scores, the driver, duration, step views ----

ULTRASOUND = "Ultrasound"


def imaging_is_xray(modality: str | None) -> bool:
    """X-ray unless ultrasound was recorded: MILD is normally guided by fluoroscopy."""
    return modality != ULTRASOUND


def not_applicable_reason(step: Step, *, diabetic: bool, xray: bool) -> str | None:
    """Why `step` does not apply to this patient, or None when it does."""
    if step.diabetic_only and not diabetic:
        return messages.NOT_APPLICABLE_NOT_DIABETIC
    if step.xray_only and not xray:
        return messages.NOT_APPLICABLE_ULTRASOUND
    return None


def check_applies(step: Step, *, diabetic: bool, xray: bool) -> None:
    """Refuse a tick of a step that does not apply (glucose for a non-diabetic, say)."""
    reason = not_applicable_reason(step, diabetic=diabetic, xray=xray)
    if reason is not None:
        raise RuleViolation(
            step.key, messages.STEP_NOT_APPLICABLE.format(step=step.label, reason=reason)
        )


class DischargeScale(enum.StrEnum):
    ALDRETE = "aldrete"
    PADSS = "padss"

    @property
    def label(self) -> str:
        return DISCHARGE_SCALE_LABELS[self]


DISCHARGE_SCALE_LABELS: dict[DischargeScale, str] = {
    DischargeScale.ALDRETE: "Modified Aldrete (phase one)",
    DischargeScale.PADSS: "PADSS (home readiness)",
}


@dataclass(frozen=True)
class ScoreComponent:
    key: str
    label: str


# Each component is scored 0, 1 or 2; a total of DISCHARGE_SCORE_PASS or more is ready.
DISCHARGE_COMPONENTS: dict[DischargeScale, tuple[ScoreComponent, ...]] = {
    DischargeScale.ALDRETE: (
        ScoreComponent("activity", "Activity"),
        ScoreComponent("breathing", "Breathing"),
        ScoreComponent("circulation", "Circulation"),
        ScoreComponent("consciousness", "Consciousness"),
        ScoreComponent("oxygen_saturation", "Oxygen saturation"),
    ),
    DischargeScale.PADSS: (
        ScoreComponent("vital_signs", "Vital signs"),
        ScoreComponent("walking", "Walking"),
        ScoreComponent("nausea_vomiting", "Nausea and vomiting"),
        ScoreComponent("pain", "Pain"),
        ScoreComponent("bleeding", "Bleeding at the site"),
    ),
}
COMPONENT_POINTS: tuple[int, ...] = (0, 1, 2)


def discharge_score_total(
    scale: DischargeScale | None, components: Mapping[str, int | None]
) -> int:
    """The total of a scale's five components, each 0-2; RuleViolation names a missing one."""
    if scale is None:
        raise RuleViolation("scale", messages.DISCHARGE_SCALE_REQUIRED)
    parts = DISCHARGE_COMPONENTS[scale]
    unknown = set(components) - {c.key for c in parts}
    if unknown:
        raise RuleViolation(
            "scale", messages.DISCHARGE_COMPONENT_UNKNOWN.format(component=sorted(unknown)[0])
        )
    total = 0
    for part in parts:
        points = components.get(part.key)
        if points is None:
            raise RuleViolation(
                part.key, messages.DISCHARGE_COMPONENT_REQUIRED.format(component=part.label)
            )
        if type(points) is not int or points not in COMPONENT_POINTS:
            raise RuleViolation(
                part.key, messages.DISCHARGE_COMPONENT_RANGE.format(component=part.label)
            )
        total += points
    return total


def discharge_ready(total: int) -> bool:
    """Ready for discharge at DISCHARGE_SCORE_PASS (9) or more, on either scale."""
    return total >= DISCHARGE_SCORE_PASS


def discharge_score_note(scale: DischargeScale, components: Mapping[str, int | None]) -> str:
    """The breakdown kept beside the stored total, e.g. 'Modified Aldrete ...: Activity 2, ...'."""
    parts = ", ".join(f"{c.label} {components.get(c.key)}" for c in DISCHARGE_COMPONENTS[scale])
    return f"{scale.label}: {parts}"


DRIVER_PHONE_MIN_DIGITS = 7
DRIVER_FIELD_LIMITS: dict[str, int] = {
    "driver_name": 120,
    "driver_relationship": 60,
    "driver_phone": 40,
}


def driver_confirmation(name: str | None, relationship: str | None, phone: str | None) -> str:
    """The value stored for 'driver confirmed': name, relationship and phone, each required."""
    given = {
        "driver_name": (name or "").strip(),
        "driver_relationship": (relationship or "").strip(),
        "driver_phone": (phone or "").strip(),
    }
    required = {
        "driver_name": messages.DRIVER_NAME_REQUIRED,
        "driver_relationship": messages.DRIVER_RELATIONSHIP_REQUIRED,
        "driver_phone": messages.DRIVER_PHONE_REQUIRED,
    }
    for field, text in given.items():
        if not text:
            raise RuleViolation(field, required[field])
        if len(text) > DRIVER_FIELD_LIMITS[field]:
            raise RuleViolation(
                field, messages.TEXT_TOO_LONG.format(limit=DRIVER_FIELD_LIMITS[field])
            )
        check_storable(field, text)
    if sum(ch.isdigit() for ch in given["driver_phone"]) < DRIVER_PHONE_MIN_DIGITS:
        raise RuleViolation(
            "driver_phone", messages.DRIVER_PHONE_FORMAT.format(n=DRIVER_PHONE_MIN_DIGITS)
        )
    return ", ".join(given.values())


@dataclass(frozen=True)
class ProcedureDuration:
    minutes: int
    running: bool  # still in procedure: the minutes so far
    over: bool  # past the planned PLANNED_PROCEDURE_MINUTES


def procedure_duration(
    started_at: dt.datetime | None, ended_at: dt.datetime | None, now: dt.datetime
) -> ProcedureDuration | None:
    """Minutes from procedure start to end (or to `now` while running); None before the start."""
    if started_at is None:
        return None
    end = ended_at or now
    minutes = max(0, int((end - started_at).total_seconds() // 60))
    return ProcedureDuration(minutes, ended_at is None, minutes > PLANNED_PROCEDURE_MINUTES)


@dataclass(frozen=True)
class Entry:
    """One checklist row with who and when, as a screen's history shows it."""

    step: str
    at: dt.datetime
    by: str | None
    value: str | None = None
    undone: bool = False
    reason: str | None = None
    note: str | None = None

    def as_tick(self) -> Tick:
        return Tick(self.step, self.undone, self.value)


@dataclass(frozen=True)
class StepView:
    """A step as the nurse sees it now: applicable or not, done by whom, what still blocks it."""

    step: Step
    not_applicable: str | None  # the reason, when the step does not apply
    done: Entry | None  # the tick in force, if the step is done
    history: tuple[Entry, ...]  # every tick and un-tick of the step, oldest first
    missing: tuple[str, ...]  # what blocks the tick now (hard stop), empty if nothing
    may_tick: bool
    may_untick: bool


def step_views(
    entries: Iterable[Entry], status: CaseStatus, *, diabetic: bool
) -> dict[Phase, list[StepView]]:
    """Every step of the checklist for one case, grouped by phase, from its rows in order."""
    entries = list(entries)
    done = current_state(e.as_tick() for e in entries)
    in_force: dict[str, Entry] = {}
    for entry in entries:
        if entry.undone:
            in_force.pop(entry.step, None)
        else:
            in_force[entry.step] = entry
    xray = imaging_is_xray(done.get("imaging_modality"))
    is_open = status in _TICKABLE  # locked once discharged: read-only, nothing blocks or opens

    def view(step: Step) -> StepView:
        not_applicable = not_applicable_reason(step, diabetic=diabetic, xray=xray)
        is_done = step.key in done
        return StepView(
            step=step,
            not_applicable=not_applicable,
            done=in_force.get(step.key),
            history=tuple(e for e in entries if e.step == step.key),
            missing=() if is_done or not is_open else tuple(blockers(step.key, done)),
            may_tick=is_open and not_applicable is None and not is_done,
            may_untick=is_open and is_done and step.moves_case_to is None,
        )

    return {phase: [view(s) for s in steps] for phase, steps in steps_by_phase().items()}


def case_progress(done: Mapping[str, str | None], *, diabetic: bool) -> tuple[int, int]:
    """(steps done, steps that apply), the imaging taken from the recorded modality."""
    return progress(done, diabetic=diabetic, xray=imaging_is_xray(done.get("imaging_modality")))


# --- Discharge: the hard stops refuse; every other step still open is named and confirmed ------

# DOMAIN.md names the hard stops for discharge: a passing discharge score and the driver
# confirmed in person (and the lifecycle: only from the recovery room). Every other applicable
# step still open (sign out, anesthesia end, fluoroscopy, recovery out, instructions...) is a gap
# in the record, not a reason to keep the patient: the nurse sees each one by name and confirms
# she discharges with them open; the discharge tick keeps the list in its note.
DISCHARGE_HARD_STOPS: tuple[str, ...] = STEP_BY_KEY["discharged"].requires


@dataclass(frozen=True)
class DischargeReview:
    """What stands before a discharge: hard stops (refused) and open steps (confirmed)."""

    hard_stops: tuple[str, ...]  # what is missing, as the refusal names it
    open_steps: tuple[Step, ...]  # applicable steps not done, in checklist order

    @property
    def open_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.open_steps)

    @property
    def open_labels(self) -> str:
        return "; ".join(s.label for s in self.open_steps)


def discharge_review(done: Mapping[str, str | None], *, diabetic: bool) -> DischargeReview:
    """The hard stops and the other steps still open, for a patient about to be discharged."""
    xray = imaging_is_xray(done.get("imaging_modality"))
    open_steps = tuple(
        s
        for s in STEPS
        if s.key != "discharged"
        and s.key not in done
        and s.key not in DISCHARGE_HARD_STOPS
        and not_applicable_reason(s, diabetic=diabetic, xray=xray) is None
    )
    return DischargeReview(tuple(blockers("discharged", done)), open_steps)


def check_discharge(
    done: Mapping[str, str | None], *, diabetic: bool, open_confirmed: Collection[str]
) -> DischargeReview:
    """Refuse a discharge with a hard stop, or with an open step the nurse did not confirm.

    `open_confirmed` holds the keys of the open steps her screen named and she confirmed.
    """
    review = discharge_review(done, diabetic=diabetic)
    if review.hard_stops:
        raise RuleViolation(
            "discharged",
            messages.HARD_STOP.format(
                step=STEP_BY_KEY["discharged"].label, missing="; ".join(review.hard_stops)
            ),
        )
    unconfirmed = [s for s in review.open_steps if s.key not in set(open_confirmed)]
    if unconfirmed:
        raise RuleViolation(
            "discharged",
            messages.DISCHARGE_OPEN_NOT_CONFIRMED.format(
                steps="; ".join(s.label for s in unconfirmed)
            ),
        )
    return review


def discharge_note(review: DischargeReview) -> str:
    """Kept on the discharge tick: the steps left open, or nothing when all were done."""
    if not review.open_steps:
        return ""
    return messages.DISCHARGED_WITH_OPEN_STEPS.format(steps=review.open_labels)
