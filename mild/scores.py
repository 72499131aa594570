"""Outcome scores: NPRS and the Oswestry Disability Index, and what counts as improvement."""

from __future__ import annotations

from collections.abc import Mapping

from mild import messages
from mild.errors import RuleViolation

ODI_SECTIONS: tuple[str, ...] = (
    "pain_intensity",
    "personal_care",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex_life",
    "social_life",
    "travelling",
)

NPRS_IMPORTANT_POINTS = 2
NPRS_IMPORTANT_FRACTION = 0.30
ODI_IMPORTANT_POINTS = 10.0


def check_nprs(value: int) -> int:
    """An NPRS score is a whole number 0-10."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise RuleViolation("nprs", messages.NPRS_RANGE)
    return value


def odi_score(answers: Mapping[str, int | None]) -> float:
    """ODI = total / (5 x sections answered) x 100; unanswered sections (None) are left out."""
    unknown = set(answers) - set(ODI_SECTIONS)
    if unknown:
        raise RuleViolation("odi", messages.ODI_UNKNOWN_SECTION.format(section=sorted(unknown)[0]))
    answered = {k: v for k, v in answers.items() if v is not None}
    for section, value in answered.items():
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            raise RuleViolation(section, messages.ODI_SECTION_RANGE.format(section=section))
    if len(answered) < 8:
        # Fewer than 8 of 10 answered makes the index unreliable (standard scoring guidance).
        raise RuleViolation("odi", messages.ODI_TOO_FEW_SECTIONS)
    return round(sum(answered.values()) / (5 * len(answered)) * 100, 1)


def nprs_improved(baseline: int, now: int) -> bool:
    """Clinically important: a drop of 2 points or more, or of 30% or more."""
    drop = check_nprs(baseline) - check_nprs(now)
    return drop >= NPRS_IMPORTANT_POINTS or (
        baseline > 0 and drop / baseline >= NPRS_IMPORTANT_FRACTION
    )


def odi_improved(baseline: float, now: float) -> bool:
    """Clinically important: a drop of 10 points or more (the threshold of the MILD trials)."""
    # Rounded so that float noise (16.4 - 6.4 = 9.999999999999998) does not hide a 10-point drop.
    return round(baseline - now, 6) >= ODI_IMPORTANT_POINTS
