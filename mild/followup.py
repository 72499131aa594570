"""The follow-up schedule after discharge, and the red flags that escalate at once."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable
from dataclasses import dataclass


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
) -> list[RedFlag]:
    """Red flags from what the patient reported plus the measured values, in a fixed order."""
    flags = set(reported)
    if temperature_c is not None and temperature_c >= FEVER_C:
        flags.add(RedFlag.FEVER)
    if nprs is not None and nprs >= UNCONTROLLED_PAIN_NPRS:
        flags.add(RedFlag.UNCONTROLLED_PAIN)
    return [f for f in RedFlag if f in flags]


def needs_escalation(flags: Iterable[RedFlag]) -> bool:
    """Any red flag escalates the case to its provider at once."""
    return any(True for _ in flags)
