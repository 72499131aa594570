"""Board alerts: a case that starts late, a procedure that runs past its plan and a long stay in
recovery turn the case amber, then red, at the practice's thresholds.

The rules are rows (ALERT_RULES), like the checklist's steps: each names the statuses it watches,
the case time its clock runs from, the time that stops it, and its two thresholds, which are
practice settings (db table `practice_setting`, mild.settings; edited on the Admin screen,
audited). Every clock counts whole minutes and a threshold is passed only when the time is
*more* than it, as the on-time start KPI counts "in the room by the start + 5 min grace" as on
time (mild.kpis).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from mild.cases import CaseStatus
from mild.schedule import present


class AlertKind(enum.StrEnum):
    LATE_START = "late_start"
    LONG_PROCEDURE = "long_procedure"
    LONG_RECOVERY = "long_recovery"


class AlertLevel(enum.IntEnum):
    """How far past policy: amber at the first threshold, red at the second."""

    AMBER = 1
    RED = 2


@dataclass(frozen=True)
class ThresholdSetting:
    """One threshold as a practice setting: its key, what the Admin screen calls it, the
    minutes it may be set to, its default and the default's source."""

    key: str
    label: str
    low: int
    high: int
    default: int
    source: str


PRACTICE_POLICY = "Practice policy (no published number)"

LATE_START_AMBER = ThresholdSetting(
    "board_late_start_amber",
    "Board: late start turns amber, minutes after the booked start",
    0,
    60,
    5,
    "DOMAIN.md KPI definitions, first-case on-time start: the patient in the room by the "
    "booked start + 5 min grace (practice policy)",
)
LATE_START_RED = ThresholdSetting(
    "board_late_start_red",
    "Board: late start turns red, minutes after the booked start",
    1,
    180,
    15,
    PRACTICE_POLICY,
)
LONG_PROCEDURE_AMBER = ThresholdSetting(
    "board_long_procedure_amber",
    "Board: long procedure turns amber, minutes past its planned length",
    0,
    60,
    0,
    "DOMAIN.md: the duration is measured against 60 minutes (the practice says 60 minutes or "
    "less; the KPI counts procedures over 60); here against each case's planned minutes",
)
LONG_PROCEDURE_RED = ThresholdSetting(
    "board_long_procedure_red",
    "Board: long procedure turns red, minutes past its planned length",
    1,
    180,
    15,
    PRACTICE_POLICY,
)
LONG_RECOVERY_AMBER = ThresholdSetting(
    "board_long_recovery_amber",
    "Board: recovery stay turns amber, minutes in recovery",
    15,
    480,
    90,
    f"{PRACTICE_POLICY}; the recovery stay is a KPI in DOMAIN.md, without a limit",
)
LONG_RECOVERY_RED = ThresholdSetting(
    "board_long_recovery_red",
    "Board: recovery stay turns red, minutes in recovery",
    15,
    600,
    120,
    PRACTICE_POLICY,
)


@dataclass(frozen=True)
class AlertRule:
    """One alert as data: while a case is in one of `statuses`, its clock runs from the case
    time `since` (plus the planned minutes when `past_plan`) until `until` is recorded."""

    kind: AlertKind
    statuses: frozenset[CaseStatus]
    since: str
    until: str
    amber: ThresholdSetting
    red: ThresholdSetting
    past_plan: bool = False


ALERT_RULES: tuple[AlertRule, ...] = (
    # Not started: the patient is not yet in the room (DOMAIN.md: "patient in room" is the
    # start of the case for on-time starts), whether or not checked in.
    AlertRule(
        AlertKind.LATE_START,
        frozenset(
            {
                CaseStatus.REQUESTED,
                CaseStatus.INTAKE,
                CaseStatus.SCHEDULED,
                CaseStatus.CHECKED_IN,
            }
        ),
        "scheduled_start",
        "patient_in_room_at",
        LATE_START_AMBER,
        LATE_START_RED,
    ),
    AlertRule(
        AlertKind.LONG_PROCEDURE,
        frozenset({CaseStatus.IN_PROCEDURE}),
        "procedure_started_at",
        "procedure_ended_at",
        LONG_PROCEDURE_AMBER,
        LONG_PROCEDURE_RED,
        past_plan=True,
    ),
    AlertRule(
        AlertKind.LONG_RECOVERY,
        frozenset({CaseStatus.RECOVERY}),
        "recovery_in_at",
        "recovery_out_at",
        LONG_RECOVERY_AMBER,
        LONG_RECOVERY_RED,
    ),
)

THRESHOLD_SETTINGS: tuple[ThresholdSetting, ...] = tuple(
    setting for rule in ALERT_RULES for setting in (rule.amber, rule.red)
)
# Amber must come before red: (amber setting, red setting) of each rule.
ORDERED_THRESHOLDS: tuple[tuple[ThresholdSetting, ThresholdSetting], ...] = tuple(
    (rule.amber, rule.red) for rule in ALERT_RULES
)
# The case times the rules read (a query selects these columns, and only for today's board).
ALERT_TIMES: tuple[str, ...] = tuple(
    dict.fromkeys(name for rule in ALERT_RULES for name in (rule.since, rule.until))
)


@dataclass(frozen=True)
class BoardAlert:
    """A case past a threshold: which alert, how far (amber or red), and the minutes its
    clock shows (minutes late; minutes past the plan; minutes in recovery)."""

    kind: AlertKind
    level: AlertLevel
    minutes: int


def alert_thresholds(settings: Mapping[str, int]) -> dict[str, int]:
    """Every threshold by setting key: the practice's value, the default where none is set."""
    return {t.key: int(settings.get(t.key, t.default)) for t in THRESHOLD_SETTINGS}


def board_alert(
    status: CaseStatus | str,
    times: Mapping[str, Any],
    planned_minutes: int | None,
    now: dt.datetime,
    thresholds: Mapping[str, int],
) -> BoardAlert | None:
    """The alert a case shows on the board at `now`, or None.

    `times` holds the case's ALERT_TIMES (None or NaT where not recorded); `thresholds` the
    minutes by setting key (alert_thresholds). A case is in one status, so at most one rule
    applies.
    """
    status = CaseStatus(status)
    for rule in ALERT_RULES:
        if status not in rule.statuses:
            continue
        since, until = times.get(rule.since), times.get(rule.until)
        if not present(since) or present(until):
            return None
        running = now - pd.Timestamp(since).to_pydatetime()
        if rule.past_plan:
            running -= dt.timedelta(minutes=planned_minutes or 0)
        level = _level(running, thresholds[rule.amber.key], thresholds[rule.red.key])
        if level is None:
            return None
        return BoardAlert(rule.kind, level, int(running.total_seconds() // 60))
    return None


def _level(running: dt.timedelta, amber: int, red: int) -> AlertLevel | None:
    if running > dt.timedelta(minutes=red):
        return AlertLevel.RED
    if running > dt.timedelta(minutes=amber):
        return AlertLevel.AMBER
    return None


def alert_counts(alerts: list[BoardAlert | None]) -> tuple[int, int]:
    """(alerts, of which red) among an office's cases, for its header."""
    shown = [a for a in alerts if a is not None]
    return len(shown), sum(a.level == AlertLevel.RED for a in shown)
