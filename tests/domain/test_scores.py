"""Outcome scores: NPRS, the Oswestry Disability Index, and clinically important improvement."""

from __future__ import annotations

import dataclasses

import pytest

from mild import messages
from mild.errors import RuleViolation
from mild.scores import (
    ODI_SECTIONS,
    VisitScores,
    check_nprs,
    check_tolerance,
    check_visit,
    nprs_improved,
    odi_improved,
    odi_score,
    outcome_changes,
)


def odi(every: int | None = 2, **answers: int | None) -> dict[str, int | None]:
    """ODI answers: every section `every`, then the given sections overridden."""
    return {section: every for section in ODI_SECTIONS} | answers


def odi_refusal(answers: dict) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        odi_score(answers)
    return caught.value


def test_nprs_is_a_whole_number_from_0_to_10() -> None:
    assert check_nprs(0) == 0
    assert check_nprs(10) == 10
    for bad in (True, 7.0, -1, 11):
        with pytest.raises(RuleViolation) as caught:
            check_nprs(bad)
        assert (caught.value.field, caught.value.message) == ("nprs", messages.NPRS_RANGE), bad


def test_odi_with_all_ten_sections_is_total_over_50_times_100() -> None:
    assert odi_score(odi(2)) == 40.0  # 20 / 50
    assert odi_score(odi(0)) == 0.0
    assert odi_score(odi(5)) == 100.0
    mixed = odi(
        pain_intensity=5,
        personal_care=1,
        lifting=4,
        walking=3,
        sitting=2,
        standing=4,
        sleeping=1,
        sex_life=0,
        social_life=2,
        travelling=1,
    )
    assert odi_score(mixed) == 46.0  # 23 / 50


def test_odi_leaves_unanswered_sections_out_of_the_denominator() -> None:
    assert odi_score(odi(2, sex_life=None)) == 40.0  # 18 / 45
    assert odi_score(odi(1, sex_life=None, walking=None)) == 20.0  # 8 / 40
    # A section left out of the answers counts the same as one answered None.
    without_sex_life = {s: 2 for s in ODI_SECTIONS if s != "sex_life"}
    assert odi_score(without_sex_life) == 40.0
    # Rounded to one decimal: 17 / 45 = 37.78.
    assert odi_score(odi(2, sex_life=None, lifting=1)) == 37.8


def test_odi_with_fewer_than_8_sections_answered_is_refused() -> None:
    err = odi_refusal(odi(2, sex_life=None, walking=None, lifting=None))
    assert err.field == "odi"
    assert err.message == messages.ODI_TOO_FEW_SECTIONS


def test_an_odi_answer_out_of_range_or_an_unknown_section_is_refused_by_name() -> None:
    err = odi_refusal(odi(2, walking=6))
    assert err.field == "walking"
    assert err.message == "Each ODI answer (walking) is a whole number from 0 to 5."
    assert odi_refusal(odi(2, sitting=-1)).field == "sitting"
    assert odi_refusal(odi(2, sleeping=True)).field == "sleeping"

    err = odi_refusal(odi(2, mood=3))
    assert err.field == "odi"
    assert err.message == "There is no ODI section 'mood'."


def test_nprs_drop_of_two_points_or_30_percent_is_clinically_important() -> None:
    assert nprs_improved(7, 5)
    assert nprs_improved(10, 8)
    assert not nprs_improved(7, 6)  # 1 point, 14%
    assert nprs_improved(3, 2)  # 1 point, 33%
    assert not nprs_improved(4, 3)  # 1 point, 25%
    assert not nprs_improved(0, 0)
    assert not nprs_improved(4, 6)  # worse


def test_odi_drop_of_ten_points_or_more_is_clinically_important() -> None:
    assert odi_improved(40.0, 30.0)
    assert odi_improved(46.0, 20.0)
    assert not odi_improved(40.0, 30.1)  # 9.9 points
    assert not odi_improved(30.0, 40.0)  # worse
    # Exactly 10 points between one-decimal scores, whatever floating point makes of it.
    assert odi_improved(16.4, 6.4)
    assert odi_improved(37.8, 27.8)


# --- Outcome visits ---------------------------------------------------------------------------


def visit_refusal(**changes) -> RuleViolation:
    scores = dataclasses.replace(VisitScores(nprs=4, odi_answers=odi(2)), **changes)
    with pytest.raises(RuleViolation) as caught:
        check_visit(scores)
    return caught.value


def test_a_visit_gives_its_odi_score_with_tolerance_optional() -> None:
    assert check_visit(VisitScores(nprs=4, odi_answers=odi(2, sex_life=None))) == 40.0
    assert check_visit(VisitScores(4, odi(1), walk_minutes=0, stand_minutes=720)) == 20.0


def test_a_visit_without_pain_or_with_too_few_odi_answers_is_refused() -> None:
    assert (visit_refusal(nprs=None).field, visit_refusal(nprs=None).message) == (
        "nprs",
        messages.NPRS_REQUIRED,
    )
    assert visit_refusal(nprs=11).message == messages.NPRS_RANGE
    err = visit_refusal(odi_answers=odi(None, walking=2))
    assert (err.field, err.message) == ("odi", messages.ODI_TOO_FEW_SECTIONS)
    assert visit_refusal(odi_answers=odi(2, lifting=6)).field == "lifting"


def test_walking_or_standing_tolerance_out_of_0_to_720_minutes_is_refused_by_name() -> None:
    err = visit_refusal(walk_minutes=721)
    assert err.field == "walk_minutes"
    assert err.message == (
        "Walking tolerance is whole minutes from 0 to 720; leave it empty if not asked."
    )
    err = visit_refusal(stand_minutes=-5)
    assert err.field == "stand_minutes"
    assert err.message.startswith("Standing tolerance")
    assert check_tolerance("walk_minutes", None, "Walking") is None


def test_outcome_changes_against_baseline_say_which_are_clinically_important() -> None:
    changes = outcome_changes(
        {"nprs": 7, "odi": 46.0, "walk_minutes": 10, "stand_minutes": 15},
        {"nprs": 3, "odi": 40.0, "walk_minutes": 45, "stand_minutes": None},
    )
    assert [(c.measure, c.baseline, c.now, c.change, c.improved) for c in changes] == [
        ("Pain (NPRS)", 7, 3, -4, True),
        ("Disability (ODI)", 46.0, 40.0, -6.0, False),
        ("Walking (minutes)", 10, 45, 35, None),
        ("Standing (minutes)", 15, None, None, None),
    ]


def test_without_a_baseline_the_change_is_unknown_not_zero() -> None:
    (nprs, odi_row, *_) = outcome_changes({"nprs": None, "odi": None}, {"nprs": 2, "odi": 10.0})
    assert (nprs.change, nprs.improved) == (None, None)
    assert (odi_row.change, odi_row.improved) == (None, None)
