"""GLP-1 agonists before the procedure (2024 multi-society guidance, DOMAIN.md revised): continue
by default, screen for risk, a liquid diet with elevated risk, a hold only as the anesthesia team
decides (then 1 week for a weekly drug, the day of for a daily one)."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.errors import RuleViolation
from mild.glp1 import (
    RISK_KEYS,
    Glp1Decision,
    check_decision,
    check_screen,
    decision_summary,
    elevated_risk,
    read_screen,
    screen_json,
    weekly_drug,
)

NO_RISK = dict.fromkeys(RISK_KEYS, False)


def refusal(*args) -> tuple[str, str]:
    with pytest.raises(RuleViolation) as refused:
        check_decision(*args)
    return refused.value.field, refused.value.message


def test_the_screen_asks_the_five_risk_factors_of_the_guidance():
    assert RISK_KEYS == (
        "escalation_phase",
        "high_dose",
        "weekly_dosing",
        "gi_symptoms",
        "slow_gastric_emptying",
    )
    assert check_screen({"gi_symptoms": True}) == {**NO_RISK, "gi_symptoms": True}
    with pytest.raises(RuleViolation):
        check_screen({"smoker": True})


@pytest.mark.parametrize("factor", RISK_KEYS)
def test_any_one_risk_factor_makes_the_risk_elevated(factor):
    assert elevated_risk({**NO_RISK, factor: True})
    assert not elevated_risk(NO_RISK)


def test_without_risk_the_drug_is_continued_and_nothing_is_held():
    hold, who = check_decision(NO_RISK, Glp1Decision.CONTINUE, "")
    assert (hold.stop_before, hold.skip_on_day, who) == (None, False, None)


def test_elevated_risk_refuses_plain_continue_and_asks_for_the_liquid_diet():
    risky = {**NO_RISK, "escalation_phase": True}
    assert refusal(risky, Glp1Decision.CONTINUE, "") == (
        "glp1_decision",
        messages.GLP1_ELEVATED_NEEDS_DIET,
    )
    hold, _ = check_decision(risky, Glp1Decision.CONTINUE_LIQUID_DIET, "")
    assert hold.stop_before is None and not hold.skip_on_day


def test_a_hold_is_the_anesthesia_teams_decision_and_names_who_made_it():
    assert refusal(NO_RISK, Glp1Decision.HOLD, "  ") == (
        "glp1_decided_by",
        messages.GLP1_HOLD_NEEDS_ANESTHESIA,
    )
    assert refusal(NO_RISK, None, "") == ("glp1_decision", messages.GLP1_DECISION_REQUIRED)


def test_a_weekly_drug_held_stops_one_week_before_and_a_daily_one_on_the_day():
    weekly, who = check_decision({**NO_RISK, "weekly_dosing": True}, Glp1Decision.HOLD, "Dr. Gas")
    assert (weekly.stop_before, weekly.skip_on_day, who) == (dt.timedelta(days=7), False, "Dr. Gas")
    daily, _ = check_decision(NO_RISK, Glp1Decision.HOLD, "Dr. Gas")
    assert (daily.stop_before, daily.skip_on_day) == (None, True)


def test_the_screen_and_decision_read_back_as_one_line():
    screen = {**NO_RISK, "gi_symptoms": True}
    assert read_screen(screen_json(screen)) == screen
    line = decision_summary(screen, "continue_liquid_diet")
    assert "GI symptoms" in line and Glp1Decision.CONTINUE_LIQUID_DIET.label in line
    assert decision_summary({}, None) == messages.GLP1_NOT_SCREENED


def test_a_held_weekly_drug_stops_a_week_before_whatever_the_weekly_box_says():
    assert weekly_drug("semaglutide, weekly injection", NO_RISK)
    assert not weekly_drug("liraglutide", {**NO_RISK, "weekly_dosing": True})
    assert weekly_drug("a practice row", {**NO_RISK, "weekly_dosing": True})
    hold, _ = check_decision(NO_RISK, Glp1Decision.HOLD, "Dr. Gas", weekly=True)
    assert hold.stop_before == dt.timedelta(days=7)
