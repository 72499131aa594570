"""The checks a day-of step runs against the case before it may be ticked (`Step.checks`):

- holds: each held drug reviewed, its last dose reported and in time (mild.dayof_holds);
- fasting: the last clear liquid and food far enough back (mild.fasting, ASA 2017/2023);
- glucose: a diabetic's point-of-care glucose recorded and inside the practice's limits for
  proceeding (mild.clearances, GLUCOSE_LOW / GLUCOSE_HIGH; DOMAIN.md "glucose limit for
  proceeding (policy)");
- antibiotic: prophylaxis, where used, given within 60 minutes before the incision
  (mild.time_out, WHO Surgical Safety Checklist 2009).

Each names its problems in full; any problem is a hard stop for the step that runs the check.
The services run them at the moment of the tick (or of the corrected event time); the screen
runs them now, to show what blocks each step.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from mild import messages
from mild.checklist import DayCheck, Entry, in_force
from mild.clearances import DEFAULT_LIMIT_TABLE, Limit, LimitAction, LimitKey
from mild.dayof_holds import day_of_hold_problems
from mild.event_times import moment_text, time_text
from mild.fasting import fasting_problems
from mild.time_out import antibiotic_problems


@dataclass(frozen=True)
class DayFacts:
    """What the checks read of one case: its drugs, its checklist rows (oldest first), the
    office's zone, the booked start, diabetes, and the practice's limits (missing keys: the
    defaults)."""

    medications: Sequence[Any]
    entries: Sequence[Entry]
    timezone: str
    scheduled_start: dt.datetime | None
    diabetic: bool
    limits: Mapping[LimitKey, Limit] = field(default_factory=dict)

    def limit(self, key: LimitKey) -> Limit:
        return self.limits.get(key) or DEFAULT_LIMIT_TABLE[key]


def _shown(value: float) -> str:
    return f"{value:g}"


def glucose_findings(reading: str | None, facts: DayFacts) -> list[tuple[LimitAction, str]]:
    """A recorded reading against the practice's low and high limits: (action, sentence)."""
    try:
        value = float(reading or "")
    except ValueError:
        return []
    found = []
    low, high = facts.limit(LimitKey.GLUCOSE_LOW), facts.limit(LimitKey.GLUCOSE_HIGH)
    if value < low.value:
        text = messages.GLUCOSE_LOW.format(value=_shown(value), limit=_shown(low.value))
        found.append((low.action, text))
    if value > high.value:
        text = messages.GLUCOSE_HIGH.format(value=_shown(value), limit=_shown(high.value))
        found.append((high.action, text))
    return found


def glucose_problems(facts: DayFacts) -> list[str]:
    """For a diabetic patient: no reading yet, or the latest over a limit set to block."""
    if not facts.diabetic:
        return []
    reading = in_force(facts.entries).get("glucose_checked")
    if reading is None:
        return [messages.GLUCOSE_NOT_RECORDED]
    return [
        t for action, t in glucose_findings(reading.value, facts) if action == LimitAction.BLOCK
    ]


def glucose_warnings(facts: DayFacts) -> list[str]:
    """The latest reading over a limit the practice set to warn: shown beside the step."""
    reading = in_force(facts.entries).get("glucose_checked")
    if not facts.diabetic or reading is None:
        return []
    return [t for action, t in glucose_findings(reading.value, facts) if action == LimitAction.WARN]


def day_of_problems(
    facts: DayFacts, at: dt.datetime, checks: Collection[DayCheck] = tuple(DayCheck)
) -> dict[DayCheck, list[str]]:
    """What each of `checks` finds at the moment `at` (a tick's, or a corrected event time)."""
    current = in_force(facts.entries)
    found: dict[DayCheck, list[str]] = {}
    if DayCheck.HOLDS in checks:
        found[DayCheck.HOLDS] = day_of_hold_problems(
            facts.medications,
            at=at,
            timezone=facts.timezone,
            scheduled_start=facts.scheduled_start,
        )
    if DayCheck.FASTING in checks:
        fasting = current.get("fasting_confirmed")
        found[DayCheck.FASTING] = fasting_problems(
            fasting is not None,
            None if fasting is None else fasting.detail,
            at,
            functools.partial(moment_text, facts.timezone),
        )
    if DayCheck.GLUCOSE in checks:
        found[DayCheck.GLUCOSE] = glucose_problems(facts)
    if DayCheck.ANTIBIOTIC in checks:
        antibiotic = current.get("antibiotic_prophylaxis")
        found[DayCheck.ANTIBIOTIC] = antibiotic_problems(
            None if antibiotic is None else antibiotic.detail,
            at,
            functools.partial(time_text, facts.timezone),
        )
    return found
