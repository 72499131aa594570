"""The checks a day-of step runs before it may be ticked (mild.dayof_checks): the fast as the
patient reports it (ASA 2017/2023), a diabetic's glucose against the practice's limits for
proceeding, and antibiotic prophylaxis within 60 minutes before the incision (WHO 2009)."""

from __future__ import annotations

import datetime as dt
import functools
import json

import pytest

from mild import messages
from mild.cases import CaseStatus
from mild.checklist import STEP_BY_KEY, DayCheck, Entry, check_tick
from mild.clearances import (
    DEFAULT_LIMIT_TABLE,
    Limit,
    LimitAction,
    LimitKey,
    check_limit,
)
from mild.dayof_checks import DayFacts, day_of_problems, glucose_warnings
from mild.errors import RuleViolation
from mild.event_times import moment_text, time_text
from mild.fasting import (
    INTERVALS,
    FastingReport,
    Intake,
    check_report,
    fasting_problems,
    report_text,
)

NY = "America/New_York"
T0 = dt.datetime(2026, 3, 2, 14, 0, tzinfo=dt.UTC)  # 09:00 EST, Monday 2 March 2026
H = dt.timedelta(hours=1)
MIN = dt.timedelta(minutes=1)
fmt = functools.partial(moment_text, NY)


def refusal(fn, *args, **kwargs) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        fn(*args, **kwargs)
    return caught.value


def entry(step: str, value: str | None = None, detail: dict | None = None) -> Entry:
    return Entry(step, T0 - 2 * H, "nurse", value, detail=json.dumps(detail) if detail else None)


def facts(*entries: Entry, diabetic: bool = False, limits=None) -> DayFacts:
    return DayFacts((), entries, NY, T0, diabetic, limits or {})


def fast(clear: dt.datetime | None, food: dt.datetime, kind: Intake) -> Entry:
    report = FastingReport(clear, food, kind)
    return entry("fasting_confirmed", report_text(report, fmt), report.detail())


# --- Fasting (ASA 2017/2023) --------------------------------------------------------------------


def test_fasting_intervals_are_2_h_clear_liquid_6_h_light_meal_8_h_fatty_meal() -> None:
    assert INTERVALS == {
        Intake.CLEAR_LIQUID: 2 * H,
        Intake.LIGHT_MEAL: 6 * H,
        Intake.FATTY_MEAL: 8 * H,
    }
    assert "Anesthesiology 2017;126:376-393" in STEP_BY_KEY["fasting_confirmed"].source


def test_anesthesia_may_start_from_the_latest_of_each_intake_plus_its_interval() -> None:
    light = FastingReport(T0 - 3 * H, T0 - 7 * H, Intake.LIGHT_MEAL)
    assert light.fasted_from == T0 - H  # the meal (7 h ago + 6 h) ends later than the liquid
    late_water = FastingReport(T0 - H, T0 - 12 * H, Intake.FATTY_MEAL)
    assert late_water.fasted_from == T0 + H  # the water an hour ago: 2 h from it
    nothing_since = FastingReport(None, T0 - 7 * H, Intake.FATTY_MEAL)
    assert nothing_since.fasted_from == T0 + H  # 8 h after the fatty meal


def test_anesthesia_is_refused_until_the_fast_is_long_enough_and_allowed_from_that_minute() -> None:
    row = fast(T0 - 3 * H, T0 - 5 * H, Intake.LIGHT_MEAL)  # fasted from 10:00 EST
    found = fasting_problems(True, row.detail, T0, fmt)
    assert found == [
        messages.FASTING_NOT_LONG_ENOUGH.format(
            report="Last light meal or milk Mon 02 Mar 04:00 EST; clear liquid Mon 02 Mar "
            "06:00 EST. Fasted for anesthesia from Mon 02 Mar 10:00 EST"
        )
    ]
    assert fasting_problems(True, row.detail, T0 + H, fmt) == []
    assert fasting_problems(True, row.detail, T0 + H - MIN, fmt) != []


def test_a_fasting_tick_without_the_times_does_not_let_anesthesia_start() -> None:
    """Old bare ticks stay readable, but anesthesia start asks for the times."""
    assert fasting_problems(True, None, T0, fmt) == [messages.FASTING_TIMES_MISSING]
    assert fasting_problems(False, None, T0, fmt) == []  # not ticked: `requires` names it


def test_the_fasting_report_needs_a_food_kind_and_times_not_in_the_future() -> None:
    now = T0
    assert refusal(check_report, T0 - H, False, T0 - 8 * H, None, now=now).field == "food_kind"
    assert refusal(check_report, T0 - H, False, None, "light_meal", now=now).field == "food_at"
    err = refusal(check_report, None, False, T0 - 8 * H, "light_meal", now=now)
    assert (err.field, err.message) == (
        "clear_liquid_at",
        messages.FASTING_CLEAR_LIQUID_REQUIRED,
    )
    err = refusal(check_report, T0 + MIN, False, T0 - 8 * H, "light_meal", now=now)
    assert (err.field, err.message) == ("clear_liquid_at", messages.FASTING_TIME_IN_FUTURE)
    err = refusal(check_report, None, True, T0 - 4 * 24 * H, "fatty_meal", now=now)
    assert (err.field, err.message) == ("food_at", messages.FASTING_TIME_TOO_OLD)
    naive = dt.datetime(2026, 3, 2, 6, 0)
    assert refusal(check_report, naive, False, T0 - 8 * H, "light_meal", now=now).field == (
        "clear_liquid_at"
    )
    report = check_report(None, True, T0 - 9 * H, "fatty_meal", now=now)
    assert report == FastingReport(None, T0 - 9 * H, Intake.FATTY_MEAL)


def test_chewing_gum_alone_does_not_cancel_and_the_form_says_so() -> None:
    assert "Chewing gum alone does not cancel" in messages.FASTING_HOW_TO
    assert Intake.LIGHT_MEAL.label == "light meal or milk"


# --- Glucose against the practice's limits for proceeding ---------------------------------------


def test_glucose_limits_default_to_70_adas_hypoglycemia_and_250_practice_policy_both_blocking():
    low, high = (
        DEFAULT_LIMIT_TABLE[LimitKey.GLUCOSE_LOW],
        DEFAULT_LIMIT_TABLE[LimitKey.GLUCOSE_HIGH],
    )
    assert (low.value, low.unit, low.action) == (70, "mg/dL", LimitAction.BLOCK)
    assert "ADA Standards of Care" in low.source
    assert (high.value, high.action) == (250, LimitAction.BLOCK)
    assert high.source == "practice policy (no published number)"
    assert refusal(check_limit, "glucose_high", 700.0, "block", "policy").field == "value"
    assert check_limit("glucose_high", 300.0, "warn", "policy").value == 300.0


def test_a_diabetic_patients_anesthesia_needs_a_glucose_reading() -> None:
    assert day_of_problems(facts(diabetic=True), T0)[DayCheck.GLUCOSE] == [
        messages.GLUCOSE_NOT_RECORDED
    ]
    assert day_of_problems(facts(diabetic=False), T0)[DayCheck.GLUCOSE] == []


def test_glucose_outside_a_blocking_limit_stops_anesthesia_and_a_recheck_clears_it() -> None:
    low = entry("glucose_checked", "62")
    assert day_of_problems(facts(low, diabetic=True), T0)[DayCheck.GLUCOSE] == [
        messages.GLUCOSE_LOW.format(value="62", limit="70")
    ]
    high = entry("glucose_checked", "312")
    assert day_of_problems(facts(high, diabetic=True), T0)[DayCheck.GLUCOSE] == [
        messages.GLUCOSE_HIGH.format(value="312", limit="250")
    ]
    recheck = entry("glucose_checked", "140")  # repeatable: the latest reading counts
    assert day_of_problems(facts(low, recheck, diabetic=True), T0)[DayCheck.GLUCOSE] == []
    assert (
        day_of_problems(facts(entry("glucose_checked", "70"), diabetic=True), T0)[DayCheck.GLUCOSE]
        == []
    )  # at the limit is not below it


def test_a_glucose_limit_set_to_warn_warns_beside_the_step_and_does_not_block() -> None:
    warn = {LimitKey.GLUCOSE_HIGH: Limit(LimitKey.GLUCOSE_HIGH, 300, "mg/dL", "warn", "policy")}
    case = facts(entry("glucose_checked", "320"), diabetic=True, limits=warn)
    assert day_of_problems(case, T0)[DayCheck.GLUCOSE] == []
    assert glucose_warnings(case) == [messages.GLUCOSE_HIGH.format(value="320", limit="300")]
    below_the_practices_limit = facts(entry("glucose_checked", "280"), diabetic=True, limits=warn)
    assert glucose_warnings(below_the_practices_limit) == []


def test_anesthesia_start_names_the_fasting_and_glucose_problems_in_its_refusal() -> None:
    done = {
        "identity_confirmed": None,
        "consent_signed": None,
        "fasting_confirmed": "...",
        "holds_confirmed": None,
        "site_marked": "Dr. Ames",
    }
    found = {DayCheck.FASTING: ["fast"], DayCheck.GLUCOSE: ["glucose"], DayCheck.ANTIBIOTIC: ["x"]}
    err = refusal(check_tick, "anesthesia_start", CaseStatus.CHECKED_IN, done, problems=found)
    assert err.message == messages.HARD_STOP.format(
        step="Anesthesia start", missing="fast; glucose"
    )


# --- Antibiotic prophylaxis within 60 minutes before the incision (WHO 2009) --------------------


def antibiotic(given_at: dt.datetime | None) -> Entry:
    detail = (
        {"used": False} if given_at is None else {"used": True, "given_at": given_at.isoformat()}
    )
    return entry("antibiotic_prophylaxis", "...", detail)


def test_an_antibiotic_given_more_than_60_minutes_before_the_incision_must_be_given_again() -> None:
    given = T0 - 61 * MIN
    found = day_of_problems(facts(antibiotic(given)), T0)[DayCheck.ANTIBIOTIC]
    assert found == [
        messages.ANTIBIOTIC_BEFORE_INCISION.format(
            given=time_text(NY, given), incision=time_text(NY, T0)
        )
    ]
    assert day_of_problems(facts(antibiotic(T0 - 60 * MIN)), T0)[DayCheck.ANTIBIOTIC] == []
    again = antibiotic(T0 - 5 * MIN)  # given again: the latest record counts
    assert day_of_problems(facts(antibiotic(given), again), T0)[DayCheck.ANTIBIOTIC] == []
    assert day_of_problems(facts(antibiotic(None)), T0)[DayCheck.ANTIBIOTIC] == []  # not used


def test_the_incision_runs_the_antibiotic_check_and_anesthesia_start_the_fast_and_glucose() -> None:
    assert STEP_BY_KEY["procedure_start"].checks == (DayCheck.HOLDS, DayCheck.ANTIBIOTIC)
    assert STEP_BY_KEY["anesthesia_start"].checks == (
        DayCheck.HOLDS,
        DayCheck.FASTING,
        DayCheck.GLUCOSE,
    )
    for key in ("fasting_confirmed", "glucose_checked", "antibiotic_prophylaxis"):
        assert STEP_BY_KEY[key].repeatable, key  # asked again: the latest counts
