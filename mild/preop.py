"""The scripted pre-op call: which cases the worklist holds, what a call records, in what
order the cases come.

Source: published ASC practice (issue 11): a scripted nurse call three business days before
surgery cut day-of cancellations by about half, mostly no-shows, broken fasts and no escort.
The reach of the worklist is practice policy (`practice_setting.preop_call_days`, default 3,
1 to 7 working days ahead). A call that reaches the patient records the script's answers:
arrival time told, fasting explained, each held drug's last dose as the patient reports it
(fed to the day-of hold check, mild.dayof_checks), escort name and phone confirmed, questions.
Every attempt is kept with who and when; "call back at" puts the case back on top at that time.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.intake import check_escort, check_text
from mild.schedule import WORKING_WEEKDAYS, next_working_day
from mild.staff import Role

PREOP_DAYS_KEY = "preop_call_days"
PREOP_DAYS_DEFAULT = 3
PREOP_DAYS_LOW = 1
PREOP_DAYS_HIGH = 7
PREOP_DAYS_SOURCE = (
    "Practice policy; a scripted nurse call three business days before surgery cut day-of "
    "cancellations by about half (published ASC practice, issue 11)"
)
QUESTIONS_LIMIT = 2000
# How long before the booked start the patient is asked to arrive (check-in, consent, the
# day-of checks before anesthesia): practice policy, no published number.
ARRIVAL_KEY = "arrival_minutes_before"
ARRIVAL_DEFAULT = 60
ARRIVAL_LOW, ARRIVAL_HIGH = 15, 180
ARRIVAL_SOURCE = "Practice policy (no published number): time for check-in and the day-of checks"

# Who phones patients before their day: the nurses and coordinators of the office (and admins).
CALLERS: frozenset[Role] = frozenset({Role.NURSE, Role.COORDINATOR, Role.ADMIN})
# A call is about a case still to come: booked, or still in intake with a day pencilled in.
CALLABLE: frozenset[CaseStatus] = frozenset({CaseStatus.INTAKE, CaseStatus.SCHEDULED})


class CallOutcome(enum.StrEnum):
    REACHED = "reached"
    VOICEMAIL = "voicemail"
    NO_ANSWER = "no_answer"
    WRONG_NUMBER = "wrong_number"
    CALL_BACK = "call_back"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS: dict[CallOutcome, str] = {
    CallOutcome.REACHED: "Reached",
    CallOutcome.VOICEMAIL: "Left a voicemail",
    CallOutcome.NO_ANSWER: "No answer",
    CallOutcome.WRONG_NUMBER: "Wrong number",
    CallOutcome.CALL_BACK: "Call back at a given time",
}


class CallState(enum.StrEnum):
    """Where a case stands on the worklist, from its attempts; the order they are listed in."""

    CALL_BACK_DUE = "call_back_due"
    TO_CALL = "to_call"
    TRIED = "tried"
    CALL_BACK_LATER = "call_back_later"
    REACHED = "reached"

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS: dict[CallState, str] = {
    CallState.CALL_BACK_DUE: "Call back now",
    CallState.TO_CALL: "Not called yet",
    CallState.TRIED: "Not reached yet",
    CallState.CALL_BACK_LATER: "Call back later",
    CallState.REACHED: "Reached",
}
_RANK = {state: rank for rank, state in enumerate(CallState)}


def worklist_days(
    today: dt.date, working_days: int, working: frozenset[int] = WORKING_WEEKDAYS
) -> tuple[dt.date, dt.date]:
    """First and last day (inclusive) of the cases the worklist made on `today` holds: from
    tomorrow to the `working_days`-th working day after today, so a Friday's list with 3 days
    reaches Wednesday and catches a weekend booking on the way."""
    last = today
    for _ in range(working_days):
        last = next_working_day(last, working)
    return today + dt.timedelta(days=1), last


def arrival_time(scheduled_start: dt.datetime, minutes_before: int) -> dt.datetime:
    """When the patient is told to arrive: the practice's minutes before the booked start."""
    return scheduled_start - dt.timedelta(minutes=minutes_before)


def working_days_before(
    day: dt.date, n: int, working: frozenset[int] = WORKING_WEEKDAYS
) -> dt.date:
    """The n-th working day before `day` (the day a worklist reaching n days first holds it)."""
    earlier = day
    for _ in range(n):
        earlier -= dt.timedelta(days=1)
        while earlier.weekday() not in working:
            earlier -= dt.timedelta(days=1)
    return earlier


@dataclass(frozen=True)
class Attempt:
    """One recorded attempt, as the worklist needs it."""

    outcome: CallOutcome
    called_at: dt.datetime
    call_back_at: dt.datetime | None = None


def call_state(attempts: Sequence[Attempt], now: dt.datetime) -> CallState:
    """Reached once is reached; otherwise the latest attempt decides (a call-back time that has
    come puts the case on top; one still to come lets it wait)."""
    if not attempts:
        return CallState.TO_CALL
    if any(a.outcome == CallOutcome.REACHED for a in attempts):
        return CallState.REACHED
    latest = max(attempts, key=lambda a: a.called_at)
    if latest.outcome == CallOutcome.CALL_BACK and latest.call_back_at is not None:
        return CallState.CALL_BACK_DUE if latest.call_back_at <= now else CallState.CALL_BACK_LATER
    return CallState.TRIED


def worklist_order(
    state: CallState, scheduled_start: dt.datetime, call_back_at: dt.datetime | None
) -> tuple[int, dt.datetime]:
    """The sort key: call-backs that are due first (the earliest promised first), then cases
    not reached by day and time, then call-backs still to come, then the reached."""
    if state in (CallState.CALL_BACK_DUE, CallState.CALL_BACK_LATER) and call_back_at:
        return _RANK[state], call_back_at
    if state == CallState.TRIED:  # tried and not reached sits with the not-yet-called
        return _RANK[CallState.TO_CALL], scheduled_start
    return _RANK[state], scheduled_start


def check_caller(role: Role) -> None:
    if role not in CALLERS:
        raise RuleViolation("outcome", messages.PREOP_CALLER_ROLE)


def check_callable(status: CaseStatus) -> None:
    if CaseStatus(status) not in CALLABLE:
        raise RuleViolation(
            "outcome", messages.PREOP_NOT_CALLABLE.format(status=CaseStatus(status).label)
        )


@dataclass(frozen=True)
class CallReport:
    """What the nurse charts for one attempt. The script's answers count only when reached;
    `last_doses` maps a held drug (its case_medication id) to the last dose as reported, None
    where the patient did not know."""

    outcome: CallOutcome | None
    call_back_at: dt.datetime | None = None
    arrival_time_told: bool = False
    fasting_explained: bool = False
    escort_confirmed: bool = False
    escort_name: str = ""
    escort_phone: str = ""
    questions: str = ""
    last_doses: dict[int, dt.datetime | None] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckedCall:
    """A call as it is stored: script answers None when the patient was not reached."""

    outcome: CallOutcome
    call_back_at: dt.datetime | None
    arrival_time_told: bool | None
    fasting_explained: bool | None
    escort_confirmed: bool | None
    escort_name: str | None
    escort_phone: str | None
    questions: str | None
    last_doses: dict[int, dt.datetime]


def check_call(
    report: CallReport, *, now: dt.datetime, scheduled_start: dt.datetime | None
) -> CheckedCall:
    """The attempt as stored, or RuleViolation(field) naming the first thing wrong; every
    problem of the form is listed by `call_problems`."""
    problems = call_problems(report, now=now, scheduled_start=scheduled_start)
    if problems:
        raise RuleViolation(*problems[0])
    assert report.outcome is not None
    reached = report.outcome == CallOutcome.REACHED
    name = phone = None
    if reached and report.escort_confirmed:
        name, _, phone = check_escort(report.escort_name, "", report.escort_phone)
    return CheckedCall(
        outcome=report.outcome,
        call_back_at=(
            report.call_back_at.astimezone(dt.UTC)
            if report.outcome == CallOutcome.CALL_BACK and report.call_back_at
            else None
        ),
        arrival_time_told=report.arrival_time_told if reached else None,
        fasting_explained=report.fasting_explained if reached else None,
        escort_confirmed=report.escort_confirmed if reached else None,
        escort_name=name,
        escort_phone=phone,
        questions=check_text(report.questions, "questions", QUESTIONS_LIMIT) if reached else None,
        last_doses=(
            {m: t.astimezone(dt.UTC) for m, t in report.last_doses.items() if t is not None}
            if reached
            else {}
        ),
    )


def call_problems(
    report: CallReport, *, now: dt.datetime, scheduled_start: dt.datetime | None
) -> list[tuple[str, str]]:
    """Every problem of the call form at once, as (field, message), in the form's order."""
    problems: list[tuple[str, str]] = []
    if report.outcome is None:
        return [("outcome", messages.PREOP_OUTCOME_REQUIRED)]
    if report.outcome == CallOutcome.CALL_BACK:
        at = report.call_back_at
        if at is None or at.tzinfo is None:
            problems.append(("call_back_at", messages.PREOP_CALL_BACK_REQUIRED))
        elif at <= now:
            problems.append(("call_back_at", messages.PREOP_CALL_BACK_PAST))
        elif scheduled_start is not None and at >= scheduled_start:
            problems.append(("call_back_at", messages.PREOP_CALL_BACK_AFTER_DAY))
    if report.outcome != CallOutcome.REACHED:
        return problems
    for medication_id, taken in report.last_doses.items():
        if taken is None:
            continue
        if taken.tzinfo is None or taken > now:
            problems.append((f"last_dose_{medication_id}", messages.LAST_DOSE_IN_FUTURE))
    if report.escort_confirmed:
        _collect(problems, check_escort, report.escort_name, "", report.escort_phone)
        if not report.escort_name.strip() and not report.escort_phone.strip():
            problems.append(("escort_name", messages.ESCORT_NAME_AND_PHONE))
    _collect(problems, check_text, report.questions, "questions", QUESTIONS_LIMIT)
    return problems


def _collect(problems: list[tuple[str, str]], check, *args) -> None:
    try:
        check(*args)
    except RuleViolation as refusal:
        problems.append((refusal.field, refusal.message))


def reach_rate(reached: int, called_for: int) -> float | None:
    """Share of the cases due a pre-op call that were reached, in percent; None with none."""
    return None if called_for == 0 else 100.0 * reached / called_for


def latest_call_back(attempts: Iterable[Attempt]) -> dt.datetime | None:
    ordered = sorted(attempts, key=lambda a: a.called_at)
    if ordered and ordered[-1].outcome == CallOutcome.CALL_BACK:
        return ordered[-1].call_back_at
    return None
