"""Fasting before anesthesia, as the patient reports it on arrival.

ASA practice guidelines for preoperative fasting (Anesthesiology 2017;126:376-393) and their
2023 update (Anesthesiology 2023;138:132-151), as DOMAIN.md quotes them: clear liquids,
carbohydrate drinks included, up to 2 hours before; a light meal (or non-human milk) 6 hours; a
fatty or fried meal, or meat, 8 hours; chewing gum alone does not cancel or delay. The nurse
records the last clear liquid and the last food with its kind; anesthesia does not start before
the latest of those plus its interval (a hard stop, mild.dayof_checks).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mild import messages
from mild.errors import RuleViolation

SOURCE = (
    "ASA practice guidelines for preoperative fasting (Anesthesiology 2017;126:376-393; "
    "2023 update, Anesthesiology 2023;138:132-151)"
)
# A report further back than this is a typing error in the date, not a fast.
LOOKBACK = dt.timedelta(days=3)


class Intake(enum.StrEnum):
    """What the patient last took by mouth, each with its interval before anesthesia."""

    CLEAR_LIQUID = "clear_liquid"
    LIGHT_MEAL = "light_meal"
    FATTY_MEAL = "fatty_meal"

    @property
    def label(self) -> str:
        return INTAKE_LABELS[self]


INTAKE_LABELS: dict[Intake, str] = {
    Intake.CLEAR_LIQUID: "clear liquid",
    Intake.LIGHT_MEAL: "light meal or milk",
    Intake.FATTY_MEAL: "fatty or fried meal, or meat",
}
# ASA 2017/2023 (SOURCE): the minimum time from each intake to anesthesia.
INTERVALS: dict[Intake, dt.timedelta] = {
    Intake.CLEAR_LIQUID: dt.timedelta(hours=2),
    Intake.LIGHT_MEAL: dt.timedelta(hours=6),
    Intake.FATTY_MEAL: dt.timedelta(hours=8),
}
FOOD_KINDS: tuple[Intake, ...] = (Intake.LIGHT_MEAL, Intake.FATTY_MEAL)


@dataclass(frozen=True)
class FastingReport:
    """The last clear liquid (None: none since the last food) and the last food with its kind."""

    clear_liquid_at: dt.datetime | None
    food_at: dt.datetime
    food_kind: Intake

    @property
    def fasted_from(self) -> dt.datetime:
        """The earliest moment anesthesia may start."""
        ends = [self.food_at + INTERVALS[self.food_kind]]
        if self.clear_liquid_at is not None:
            ends.append(self.clear_liquid_at + INTERVALS[Intake.CLEAR_LIQUID])
        return max(ends)

    def detail(self) -> dict[str, Any]:
        return {
            "clear_liquid_at": None if self.clear_liquid_at is None else _iso(self.clear_liquid_at),
            "food_at": _iso(self.food_at),
            "food_kind": self.food_kind.value,
            "fasted_from": _iso(self.fasted_from),
        }


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat()


def _moment(field: str, value: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    if value is None or value.tzinfo is None:
        raise RuleViolation(field, messages.FASTING_TIME_REQUIRED)
    value = value.astimezone(dt.UTC)
    if value > now:
        raise RuleViolation(field, messages.FASTING_TIME_IN_FUTURE)
    if value < now - LOOKBACK:
        raise RuleViolation(field, messages.FASTING_TIME_TOO_OLD)
    return value


def check_report(
    clear_liquid_at: dt.datetime | None,
    no_clear_liquid: bool,
    food_at: dt.datetime | None,
    food_kind: object,
    *,
    now: dt.datetime,
) -> FastingReport:
    """The patient's report as kept, or RuleViolation naming the field: a food kind and time,
    and a clear liquid's time unless none was taken since the food; none in the future."""
    if food_kind not in FOOD_KINDS:
        raise RuleViolation("food_kind", messages.FASTING_FOOD_KIND_REQUIRED)
    food = _moment("food_at", food_at, now)
    clear: dt.datetime | None = None
    if not no_clear_liquid:
        if clear_liquid_at is None:
            raise RuleViolation("clear_liquid_at", messages.FASTING_CLEAR_LIQUID_REQUIRED)
        clear = _moment("clear_liquid_at", clear_liquid_at, now)
    return FastingReport(clear, food, Intake(food_kind))


def report_text(report: FastingReport, fmt: Callable[[dt.datetime], str]) -> str:
    """What the step shows once done: 'Clear liquid Sat 05 Dec 05:30 EST; light meal or milk
    ...; fasted for anesthesia from 07:30 ...'."""
    clear = (
        messages.FASTING_NO_CLEAR_LIQUID
        if report.clear_liquid_at is None
        else messages.FASTING_CLEAR_LIQUID_AT.format(at=fmt(report.clear_liquid_at))
    )
    return messages.FASTING_REPORT.format(
        clear=clear,
        food=report.food_kind.label,
        food_at=fmt(report.food_at),
        fasted_from=fmt(report.fasted_from),
    )


def report_from_detail(detail: str | None) -> FastingReport | None:
    """The report kept in a fasting tick's detail; None for a bare tick (before the times were
    asked) or a detail this version cannot read."""
    if not detail:
        return None
    try:
        data = json.loads(detail)
        clear = data.get("clear_liquid_at")
        return FastingReport(
            None if clear is None else dt.datetime.fromisoformat(clear),
            dt.datetime.fromisoformat(data["food_at"]),
            Intake(data["food_kind"]),
        )
    except (ValueError, KeyError, TypeError):
        return None


def fasting_problems(
    done: bool, detail: str | None, at: dt.datetime, fmt: Callable[[dt.datetime], str]
) -> list[str]:
    """Why anesthesia may not start at `at` on the fast reported: times not recorded (a bare
    tick), or not yet long enough. Nothing while fasting is not ticked (the step's `requires`
    names it)."""
    if not done:
        return []
    report = report_from_detail(detail)
    if report is None:
        return [messages.FASTING_TIMES_MISSING]
    if at < report.fasted_from:
        return [
            messages.FASTING_NOT_LONG_ENOUGH.format(
                report=report_text(report, fmt), at=fmt(report.fasted_from)
            )
        ]
    return []
