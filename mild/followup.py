"""The follow-up schedule after discharge, and the red flags that escalate at once."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from mild import messages
from mild.cases import CaseStatus, check_transition
from mild.errors import RuleViolation
from mild.scores import check_nprs
from mild.text import check_storable


class FollowUpKind(enum.StrEnum):
    NEXT_DAY_CALL = "next_day_call"
    WEEKS_2 = "weeks_2"
    MONTHS_3 = "months_3"
    MONTHS_6 = "months_6"
    MONTHS_12 = "months_12"

    @property
    def label(self) -> str:
        return FOLLOW_UP_LABELS[self]


FOLLOW_UP_LABELS: dict[FollowUpKind, str] = {
    FollowUpKind.NEXT_DAY_CALL: "Next-day call",
    FollowUpKind.WEEKS_2: "2-week visit",
    FollowUpKind.MONTHS_3: "3-month visit",
    FollowUpKind.MONTHS_6: "6-month visit",
    FollowUpKind.MONTHS_12: "12-month visit",
}


@dataclass(frozen=True)
class FollowUpRule:
    kind: FollowUpKind
    opens_after: dt.timedelta  # due from discharge + this
    window: dt.timedelta  # overdue after due + window


# Policy defaults: next-day call 24-48 h after discharge; later visits with a week's window.
SCHEDULE: tuple[FollowUpRule, ...] = (
    FollowUpRule(FollowUpKind.NEXT_DAY_CALL, dt.timedelta(hours=24), dt.timedelta(hours=24)),
    FollowUpRule(FollowUpKind.WEEKS_2, dt.timedelta(days=14), dt.timedelta(days=7)),
    FollowUpRule(FollowUpKind.MONTHS_3, dt.timedelta(days=91), dt.timedelta(days=14)),
    FollowUpRule(FollowUpKind.MONTHS_6, dt.timedelta(days=182), dt.timedelta(days=14)),
    FollowUpRule(FollowUpKind.MONTHS_12, dt.timedelta(days=365), dt.timedelta(days=30)),
)


@dataclass(frozen=True)
class DueFollowUp:
    kind: FollowUpKind
    due_at: dt.datetime
    overdue_at: dt.datetime


def follow_up_schedule(discharged_at: dt.datetime) -> list[DueFollowUp]:
    """Every follow-up a discharged case is owed, with when it is due and when overdue."""
    if discharged_at.tzinfo is None:
        raise ValueError("discharged_at must be timezone-aware")
    return [
        DueFollowUp(r.kind, discharged_at + r.opens_after, discharged_at + r.opens_after + r.window)
        for r in SCHEDULE
    ]


class FollowUpState(enum.StrEnum):
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"
    DONE = "done"


def follow_up_state(
    due_at: dt.datetime, overdue_at: dt.datetime, completed_at: dt.datetime | None, now: dt.datetime
) -> FollowUpState:
    """Where one follow-up stands at `now`."""
    if completed_at is not None:
        return FollowUpState.DONE
    if now < due_at:
        return FollowUpState.UPCOMING
    if now < overdue_at:
        return FollowUpState.DUE
    return FollowUpState.OVERDUE


class Urgency(enum.IntEnum):
    """The worklist's order (issue 13), most urgent first: a case with an open red-flag
    escalation, then next-day calls (the first check after discharge, a one-day window: a
    fever or a new weakness is found there), then visits past their window, then visits still in
    it. Weeks-old visits no longer sit above today's calls. Practice policy; the next-day call's
    24-48 h timing is DOMAIN.md's follow-up schedule (SCHEDULE above)."""

    ESCALATED = 0
    CALL = 1
    VISIT_OVERDUE = 2
    VISIT_DUE = 3

    @property
    def label(self) -> str:
        return URGENCY_LABELS[self]


URGENCY_LABELS: dict[Urgency, str] = {
    Urgency.ESCALATED: "Escalated",
    Urgency.CALL: "Next-day call",
    Urgency.VISIT_OVERDUE: "Visit overdue",
    Urgency.VISIT_DUE: "Visit due",
}


def urgency(kind: FollowUpKind, state: FollowUpState, escalated: bool) -> Urgency:
    """Where one open follow-up goes on the worklist (db.queries.followup orders by the same)."""
    if escalated:
        return Urgency.ESCALATED
    if kind == FollowUpKind.NEXT_DAY_CALL:
        return Urgency.CALL
    return Urgency.VISIT_OVERDUE if state == FollowUpState.OVERDUE else Urgency.VISIT_DUE


class AttemptOutcome(enum.StrEnum):
    """How a try that did not reach the patient went (issue 13), kept with the attempt so the
    next nurse knows what was tried: the call outcomes are the pre-op call's
    (mild.preop.CallOutcome), and a visit may also be missed in person. Practice documentation
    categories, not a clinical rule."""

    NO_ANSWER = "no_answer"
    VOICEMAIL = "voicemail"
    CALL_BACK = "call_back"
    WRONG_NUMBER = "wrong_number"
    DID_NOT_ATTEND = "did_not_attend"

    @property
    def label(self) -> str:
        return ATTEMPT_OUTCOME_LABELS[self]


ATTEMPT_OUTCOME_LABELS: dict[AttemptOutcome, str] = {
    AttemptOutcome.NO_ANSWER: "No answer",
    AttemptOutcome.VOICEMAIL: "Left a voicemail",
    AttemptOutcome.CALL_BACK: "Asked to be called back",
    AttemptOutcome.WRONG_NUMBER: "Wrong or disconnected number",
    AttemptOutcome.DID_NOT_ATTEND: "Did not attend the visit",
}


def attempt_outcomes(kind: FollowUpKind) -> list[AttemptOutcome]:
    """The outcomes offered for a follow-up: a call cannot be missed in person."""
    if kind == FollowUpKind.NEXT_DAY_CALL:
        return [o for o in AttemptOutcome if o != AttemptOutcome.DID_NOT_ATTEND]
    return list(AttemptOutcome)


def check_attempt_outcome(
    kind: FollowUpKind, outcome: AttemptOutcome | str | None
) -> AttemptOutcome:
    """An attempt says how it went, with an outcome that fits the follow-up."""
    if outcome is None or outcome == "":
        raise RuleViolation("outcome", messages.FU_ATTEMPT_OUTCOME_REQUIRED)
    try:
        chosen = AttemptOutcome(outcome)
    except ValueError:
        raise RuleViolation("outcome", messages.FU_ATTEMPT_OUTCOME_REQUIRED) from None
    if chosen not in attempt_outcomes(kind):
        raise RuleViolation("outcome", messages.FU_CALL_NOT_ATTENDED)
    return chosen


def check_visit_date(
    visited_on: dt.date | None, *, discharged_on: dt.date, today: dt.date
) -> dt.date:
    """A visit happened on a day: from the day of discharge to today (office-local days)."""
    if visited_on is None:
        raise RuleViolation("visited_on", messages.FU_VISIT_DATE_REQUIRED)
    if not isinstance(visited_on, dt.date) or isinstance(visited_on, dt.datetime):
        raise RuleViolation("visited_on", messages.FU_VISIT_DATE_REQUIRED)
    if visited_on > today:
        raise RuleViolation("visited_on", messages.FU_VISIT_DATE_IN_FUTURE)
    if visited_on < discharged_on:
        raise RuleViolation(
            "visited_on",
            messages.FU_VISIT_DATE_BEFORE_DISCHARGE.format(day=discharged_on.isoformat()),
        )
    return visited_on


class Incision(enum.StrEnum):
    DRY = "dry"
    REDNESS = "redness"
    DRAINAGE = "drainage"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class RedFlag(enum.StrEnum):
    FEVER = "fever"
    WOUND = "wound"
    WEAKNESS_NUMBNESS = "weakness_numbness"
    SADDLE_NUMBNESS = "saddle_numbness"
    BOWEL_BLADDER = "bowel_bladder"
    POSITIONAL_HEADACHE = "positional_headache"
    UNCONTROLLED_PAIN = "uncontrolled_pain"
    CHEST_PAIN_BREATHING = "chest_pain_breathing"

    @property
    def label(self) -> str:
        return RED_FLAG_LABELS[self]


RED_FLAG_LABELS: dict[RedFlag, str] = {
    RedFlag.FEVER: "Fever 38 C / 100.4 F or more",
    RedFlag.WOUND: "Wound redness, warmth or drainage",
    RedFlag.WEAKNESS_NUMBNESS: "New or worse leg weakness or numbness",
    RedFlag.SADDLE_NUMBNESS: "Numbness in the groin or saddle area",
    RedFlag.BOWEL_BLADDER: "New bowel or bladder problems",
    RedFlag.POSITIONAL_HEADACHE: "Severe headache worse when upright",
    RedFlag.UNCONTROLLED_PAIN: "Uncontrolled pain",
    RedFlag.CHEST_PAIN_BREATHING: "Chest pain or shortness of breath",
}

FEVER_C = 38.0
UNCONTROLLED_PAIN_NPRS = 8  # policy: NPRS at or above this on the call counts as uncontrolled


def red_flags(
    *,
    reported: Iterable[RedFlag] = (),
    temperature_c: float | None = None,
    nprs: int | None = None,
    incision: Incision | None = None,
) -> list[RedFlag]:
    """Red flags from what the patient reported plus the measured values, in a fixed order.

    An incision with redness or drainage is the wound red flag by its definition.
    """
    flags = set(reported)
    if incision in (Incision.REDNESS, Incision.DRAINAGE):
        flags.add(RedFlag.WOUND)
    if temperature_c is not None and temperature_c >= FEVER_C:
        flags.add(RedFlag.FEVER)
    if nprs is not None and nprs >= UNCONTROLLED_PAIN_NPRS:
        flags.add(RedFlag.UNCONTROLLED_PAIN)
    return [f for f in RedFlag if f in flags]


def needs_escalation(flags: Iterable[RedFlag]) -> bool:
    """Any red flag escalates the case to its provider at once."""
    return any(True for _ in flags)


# --- Recording the next-day call -----------------------------------------------------------


class TemperatureUnit(enum.StrEnum):
    FAHRENHEIT = "F"
    CELSIUS = "C"

    @property
    def label(self) -> str:
        return f"°{self.value}"


# A measured body temperature outside these bounds is a typing or unit mistake, not a reading.
TEMPERATURE_MIN_C = 34.0
TEMPERATURE_MAX_C = 43.0
NOTE_LIMIT = 2000


def temperature_in_c(value: float | None, unit: TemperatureUnit) -> float | None:
    """A temperature as typed, in Celsius (one decimal), refused when it cannot be a reading."""
    if value is None:
        return None
    celsius = (value - 32) * 5 / 9 if unit == TemperatureUnit.FAHRENHEIT else value
    celsius = round(celsius, 1)
    if not TEMPERATURE_MIN_C <= celsius <= TEMPERATURE_MAX_C:
        raise RuleViolation("temperature_c", messages.TEMPERATURE_RANGE)
    return celsius


@dataclass(frozen=True)
class CallAnswers:
    """What the patient said on the next-day call; None where the nurse chose nothing."""

    nprs: int | None
    swelling: bool | None
    bruising: bool | None
    incision: Incision | None
    meds_as_prescribed: bool | None
    returned_to_work_on: dt.date | None = None
    temperature_c: float | None = None
    reported_flags: tuple[RedFlag, ...] = ()
    notes: str = ""


def check_note(field: str, text: str, *, required_message: str | None = None) -> str:
    """A free-text note, stripped; refused when too long, or empty where one is required."""
    text = (text or "").strip()
    if required_message and not text:
        raise RuleViolation(field, required_message)
    if len(text) > NOTE_LIMIT:
        raise RuleViolation(field, messages.TEXT_TOO_LONG.format(limit=NOTE_LIMIT))
    return check_storable(field, text)


def check_call(answers: CallAnswers, *, procedure_day: dt.date, today: dt.date) -> list[RedFlag]:
    """Refuse an incomplete or impossible call record; return its red flags (reported + derived).

    `procedure_day` and `today` are office-local days: a return to work is on or after the
    procedure day and not in the future.
    """
    if answers.nprs is None:
        raise RuleViolation("nprs", messages.NPRS_REQUIRED)
    check_nprs(answers.nprs)
    for field, question in (
        ("swelling", "swelling"),
        ("bruising", "bruising"),
        ("meds_as_prescribed", "medication taken as prescribed"),
    ):
        if getattr(answers, field) is None:
            raise RuleViolation(field, messages.YES_NO_REQUIRED.format(question=question))
    if answers.incision is None:
        raise RuleViolation("incision", messages.INCISION_REQUIRED)
    returned = answers.returned_to_work_on
    if returned is not None and returned > today:
        raise RuleViolation("returned_to_work_on", messages.RETURN_TO_WORK_IN_FUTURE)
    if returned is not None and returned < procedure_day:
        raise RuleViolation(
            "returned_to_work_on",
            messages.RETURN_TO_WORK_BEFORE_PROCEDURE.format(day=procedure_day.isoformat()),
        )
    temperature = answers.temperature_c
    if temperature is not None and (
        isinstance(temperature, bool)
        or not isinstance(temperature, int | float)
        or not TEMPERATURE_MIN_C <= temperature <= TEMPERATURE_MAX_C  # NaN fails this too
    ):
        raise RuleViolation("temperature_c", messages.TEMPERATURE_RANGE)
    check_note("notes", answers.notes)
    return red_flags(
        reported=answers.reported_flags,
        temperature_c=answers.temperature_c,
        nprs=answers.nprs,
        incision=answers.incision,
    )


def escalation_note(provider: str | None, flags: Iterable[RedFlag]) -> str:
    """The note an escalation carries to the provider: whom, and which red flags."""
    return messages.ESCALATION_NOTE.format(
        provider=provider or messages.ESCALATION_NO_PROVIDER,
        flags="; ".join(f.label for f in flags),
    )


def stored_red_flags(flags: Iterable[RedFlag]) -> str | None:
    """Red flags as stored on a follow-up: comma-separated values, None when there are none."""
    return ",".join(f.value for f in flags) or None


def parse_red_flags(stored: str | None) -> list[RedFlag]:
    values = {v for v in (stored or "").split(",") if v}
    return [f for f in RedFlag if f.value in values]


# --- Where a case stands in follow-up --------------------------------------------------------

VISIT_KINDS: tuple[FollowUpKind, ...] = tuple(
    k for k in FollowUpKind if k != FollowUpKind.NEXT_DAY_CALL
)


def check_attempt(status: CaseStatus, completed: bool) -> None:
    """A call attempt is counted on any open follow-up of a case that is not closed."""
    if status == CaseStatus.CLOSED:
        raise RuleViolation("status", messages.CASE_LOCKED)
    if completed:
        raise RuleViolation("follow_up", messages.FOLLOW_UP_ALREADY_DONE)


def check_follow_up_open(
    status: CaseStatus, kind: FollowUpKind, completed: bool, *, as_call: bool
) -> CaseStatus:
    """Refuse completing a follow-up of a closed or not-yet-discharged case, a completed one, or
    one recorded with the wrong form (`as_call`: the call form, else the visit form); return the
    status the case moves to: a discharged case is now in follow-up."""
    check_attempt(status, completed)
    if status not in (CaseStatus.DISCHARGED, CaseStatus.FOLLOW_UP):
        raise RuleViolation("status", messages.FOLLOW_UP_CASE_NOT_OPEN.format(status=status.label))
    is_call = kind == FollowUpKind.NEXT_DAY_CALL
    if as_call != is_call:
        raise RuleViolation(
            "follow_up", messages.FOLLOW_UP_IS_A_CALL if is_call else messages.FOLLOW_UP_IS_A_VISIT
        )
    return CaseStatus.FOLLOW_UP


def check_resolution(escalated: bool, resolved: bool, note: str) -> str:
    """A resolution needs an open escalation and a note saying what was done."""
    if not escalated or resolved:
        raise RuleViolation("follow_up", messages.NO_OPEN_ESCALATION)
    return check_note("resolution_note", note, required_message=messages.RESOLUTION_NOTE_REQUIRED)


def check_may_close(status: CaseStatus, twelve_month_done: bool, open_escalations: int) -> None:
    """Closing after follow-up: offered once the 12-month visit is done and nothing is escalated."""
    check_transition(status, CaseStatus.CLOSED)
    if not twelve_month_done:
        raise RuleViolation("status", messages.CLOSE_NEEDS_12_MONTH_VISIT)
    if open_escalations:
        raise RuleViolation("status", messages.CLOSE_HAS_OPEN_ESCALATION)


MIN_ATTEMPTS_TO_CLOSE_UNREACHED = 3  # calls that did not reach the patient before giving up


def may_close_unreached(attempts: int) -> bool:
    return attempts >= MIN_ATTEMPTS_TO_CLOSE_UNREACHED


def check_close_unreached(
    status: CaseStatus, completed: bool, attempts: int, note: str
) -> tuple[CaseStatus, str]:
    """Closing a follow-up as not reached: only an open follow-up of a discharged case, only
    after MIN_ATTEMPTS_TO_CLOSE_UNREACHED attempts, and with a note of what was done instead.
    Returns the status the case moves to (in follow-up) and the cleaned note."""
    check_attempt(status, completed)
    if status not in (CaseStatus.DISCHARGED, CaseStatus.FOLLOW_UP):
        raise RuleViolation("status", messages.FOLLOW_UP_CASE_NOT_OPEN.format(status=status.label))
    if not may_close_unreached(attempts):
        raise RuleViolation(
            "follow_up",
            messages.FU_GIVE_UP_TOO_SOON.format(
                needed=MIN_ATTEMPTS_TO_CLOSE_UNREACHED, attempts=attempts
            ),
        )
    note = check_note("give_up_note", note, required_message=messages.FU_GIVE_UP_NOTE_REQUIRED)
    return CaseStatus.FOLLOW_UP, note
