"""The board's alerts as rules: a late start, a long procedure and a long recovery stay turn a
case amber, then red, at the practice's thresholds; each threshold is a practice setting with
its source, and an alert's amber threshold stays below its red one."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.board_alerts import (
    ALERT_RULES,
    THRESHOLD_SETTINGS,
    AlertKind,
    AlertLevel,
    BoardAlert,
    alert_counts,
    alert_thresholds,
    board_alert,
)
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.settings import SPECS, check_order, check_setting

START = dt.datetime(2026, 11, 24, 14, 0, tzinfo=dt.UTC)
DEFAULTS = alert_thresholds({})


def minutes(n: float) -> dt.datetime:
    return START + dt.timedelta(minutes=n)


def alert_at(status: CaseStatus, now: dt.datetime, planned: int = 60, **times) -> BoardAlert | None:
    return board_alert(status, {"scheduled_start": START, **times}, planned, now, DEFAULTS)


def test_the_defaults_are_5_and_15_minutes_late_0_and_15_past_the_plan_90_and_120_in_recovery():
    assert DEFAULTS == {
        "board_late_start_amber": 5,
        "board_late_start_red": 15,
        "board_long_procedure_amber": 0,
        "board_long_procedure_red": 15,
        "board_long_recovery_amber": 90,
        "board_long_recovery_red": 120,
    }


def test_a_case_not_in_the_room_more_than_5_minutes_after_its_booked_start_is_amber():
    assert alert_at(CaseStatus.CHECKED_IN, minutes(5)) is None  # the KPI's grace: on time
    assert alert_at(CaseStatus.CHECKED_IN, minutes(5.1)) == BoardAlert(
        AlertKind.LATE_START, AlertLevel.AMBER, 5
    )
    assert alert_at(CaseStatus.SCHEDULED, minutes(12)) == BoardAlert(
        AlertKind.LATE_START, AlertLevel.AMBER, 12
    )


def test_a_case_not_in_the_room_more_than_15_minutes_after_its_booked_start_is_red():
    assert alert_at(CaseStatus.SCHEDULED, minutes(15)).level == AlertLevel.AMBER
    assert alert_at(CaseStatus.SCHEDULED, minutes(16)) == BoardAlert(
        AlertKind.LATE_START, AlertLevel.RED, 16
    )


def test_a_case_whose_patient_is_in_the_room_is_not_late_whatever_the_time():
    inside = alert_at(CaseStatus.CHECKED_IN, minutes(40), patient_in_room_at=minutes(30))
    assert inside is None


def test_a_booking_not_yet_confirmed_is_late_like_a_scheduled_one():
    assert alert_at(CaseStatus.INTAKE, minutes(20)).kind == AlertKind.LATE_START


def test_a_case_with_no_booked_start_is_never_late():
    assert (
        board_alert(CaseStatus.SCHEDULED, {"scheduled_start": None}, 60, minutes(99), DEFAULTS)
        is None
    )


def test_a_procedure_running_past_its_planned_minutes_is_amber_then_red_15_minutes_later():
    started = {"procedure_started_at": minutes(20)}
    assert alert_at(CaseStatus.IN_PROCEDURE, minutes(80), **started) is None  # 60 planned: on plan
    assert alert_at(CaseStatus.IN_PROCEDURE, minutes(81), **started) == BoardAlert(
        AlertKind.LONG_PROCEDURE, AlertLevel.AMBER, 1
    )
    assert alert_at(CaseStatus.IN_PROCEDURE, minutes(95), **started).level == AlertLevel.AMBER
    assert alert_at(CaseStatus.IN_PROCEDURE, minutes(96), **started) == BoardAlert(
        AlertKind.LONG_PROCEDURE, AlertLevel.RED, 16
    )


def test_a_procedure_is_measured_against_its_own_planned_minutes():
    started = {"procedure_started_at": minutes(0)}
    assert alert_at(CaseStatus.IN_PROCEDURE, minutes(50), planned=45, **started).minutes == 5
    assert alert_at(CaseStatus.IN_PROCEDURE, minutes(50), planned=90, **started) is None


def test_a_procedure_that_has_ended_is_not_long_while_the_patient_leaves_the_room():
    times = {"procedure_started_at": minutes(0), "procedure_ended_at": minutes(70)}
    assert alert_at(CaseStatus.IN_PROCEDURE, minutes(120), **times) is None


def test_a_stay_in_recovery_of_more_than_90_minutes_is_amber_and_more_than_120_red():
    came_in = {"recovery_in_at": minutes(100)}
    assert alert_at(CaseStatus.RECOVERY, minutes(190), **came_in) is None
    assert alert_at(CaseStatus.RECOVERY, minutes(191), **came_in) == BoardAlert(
        AlertKind.LONG_RECOVERY, AlertLevel.AMBER, 91
    )
    assert alert_at(CaseStatus.RECOVERY, minutes(221), **came_in) == BoardAlert(
        AlertKind.LONG_RECOVERY, AlertLevel.RED, 121
    )


def test_a_patient_out_of_recovery_is_not_a_long_stay():
    times = {"recovery_in_at": minutes(0), "recovery_out_at": minutes(60)}
    assert alert_at(CaseStatus.RECOVERY, minutes(300), **times) is None


@pytest.mark.parametrize(
    "status", [CaseStatus.DISCHARGED, CaseStatus.FOLLOW_UP, CaseStatus.CLOSED, CaseStatus.CANCELLED]
)
def test_a_case_that_has_left_or_was_cancelled_has_no_alert(status):
    assert alert_at(status, minutes(600), recovery_in_at=minutes(0)) is None


def test_the_thresholds_are_the_practices_settings_where_set():
    changed = alert_thresholds({"board_late_start_amber": 10, "board_late_start_red": 30})
    late = board_alert(CaseStatus.SCHEDULED, {"scheduled_start": START}, 60, minutes(20), changed)
    assert late.level == AlertLevel.AMBER


def test_every_threshold_is_a_practice_setting_in_minutes_with_its_source():
    assert len(THRESHOLD_SETTINGS) == 2 * len(ALERT_RULES) == 6
    for threshold in THRESHOLD_SETTINGS:
        spec = SPECS[threshold.key]
        assert spec.unit == "minutes" and spec.source and spec.default == threshold.default
        assert spec.low <= spec.default <= spec.high
    assert "on-time start" in SPECS["board_late_start_amber"].source
    assert SPECS["board_late_start_red"].source.startswith("Practice policy")


def test_an_amber_threshold_must_stay_below_its_red_one():
    current = dict(DEFAULTS)
    too_high = check_setting("board_late_start_amber", 15, "Our policy")
    with pytest.raises(RuleViolation) as refused:
        check_order(too_high, current)
    assert refused.value.message == messages.SETTING_BELOW.format(
        label=SPECS["board_late_start_red"].label, value=15
    )
    too_low = check_setting("board_long_recovery_red", 90, "Our policy")
    with pytest.raises(RuleViolation):
        check_order(too_low, current)
    check_order(check_setting("board_late_start_amber", 14, "Our policy"), current)


def test_the_office_header_counts_the_alerts_and_the_red_ones():
    amber = BoardAlert(AlertKind.LATE_START, AlertLevel.AMBER, 7)
    red = BoardAlert(AlertKind.LONG_RECOVERY, AlertLevel.RED, 130)
    assert alert_counts([amber, None, red, amber]) == (3, 1)
    assert alert_counts([None]) == (0, 0)
