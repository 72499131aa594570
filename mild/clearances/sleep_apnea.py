"""The STOP-Bang questionnaire's score and band (obstructive sleep apnea), with the alternative
high-risk rule of Chung et al. 2016."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from mild.clearances.values import STOP_ITEMS, Sex, StopBangAnswers

# Chung et al., Chest 2016;149:631-638 (STOP-Bang): the N item is a neck over 40 cm; the
# alternative high-risk rule uses 43 cm for men and 41 cm for women (17 and 16 inches).
STOP_BANG_NECK_CM = 40.0
ALTERNATIVE_NECK_CM: dict[Sex, float] = {Sex.MALE: 43.0, Sex.FEMALE: 41.0}
ALTERNATIVE_BMI = 35.0


class StopBangBand(enum.StrEnum):
    LOW = "low"
    INTERMEDIATE = "intermediate"
    HIGH = "high"


@dataclass(frozen=True)
class StopBang:
    score: int
    band: StopBangBand
    high_by_alternative_rule: bool  # the score alone gave a lower band


def stop_bang(answers: StopBangAnswers) -> StopBang:
    """STOP-Bang score (0-8) and band: 0-2 low, 3-4 intermediate, 5-8 high; also high with 2+
    of the four STOP answers plus male sex, BMI over 35 or a neck over 43 cm (men) / 41 cm
    (women)."""
    neck_over_40 = answers.neck_cm > STOP_BANG_NECK_CM
    male = answers.sex == Sex.MALE
    score = len(answers.yes) + neck_over_40 + male
    band = (
        StopBangBand.LOW
        if score <= 2
        else StopBangBand.INTERMEDIATE
        if score <= 4
        else StopBangBand.HIGH
    )
    stop = sum(getattr(answers, item) for item in STOP_ITEMS)
    thick_neck = answers.neck_cm > ALTERNATIVE_NECK_CM[answers.sex]
    alternative = stop >= 2 and (male or answers.bmi_over_35 or thick_neck)
    if alternative and band != StopBangBand.HIGH:
        return StopBang(score, StopBangBand.HIGH, True)
    return StopBang(score, band, False)
