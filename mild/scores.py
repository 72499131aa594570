"""Outcome scores: NPRS and the Oswestry Disability Index, and what counts as improvement."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mild import messages
from mild.errors import RuleViolation, RuleViolations

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


ODI_MIN_ANSWERED = 8  # fewer than 8 of 10 makes the index unreliable (standard scoring guidance)


def odi_problems(answers: Mapping[str, int | None]) -> list[tuple[str, str]]:
    """Every problem of an ODI form at once: each unknown section or answer outside 0-5 (by its
    section, in the form's order), and fewer than 8 sections answered."""
    problems = [
        ("odi", messages.ODI_UNKNOWN_SECTION.format(section=section))
        for section in sorted(set(answers) - set(ODI_SECTIONS))
    ]
    for section in ODI_SECTIONS:
        value = answers.get(section)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 5:
            problems.append((section, messages.ODI_SECTION_RANGE.format(section=section)))
    if sum(answers.get(s) is not None for s in ODI_SECTIONS) < ODI_MIN_ANSWERED:
        problems.append(("odi", messages.ODI_TOO_FEW_SECTIONS))
    return problems


def odi_score(answers: Mapping[str, int | None]) -> float:
    """ODI = total / (5 x sections answered) x 100; unanswered sections (None) are left out.
    Every problem of the answers at once otherwise (odi_problems)."""
    problems = odi_problems(answers)
    if problems:
        raise RuleViolations(problems)
    answered = [v for s, v in answers.items() if v is not None]
    return round(sum(answered) / (5 * len(answered)) * 100, 1)


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


# --- Outcome visits: the scores recorded and their change from the intake baseline -----------

TOLERANCE_MAX_MINUTES = 720  # longer than a working day of walking or standing is a typing slip


def check_tolerance(field: str, minutes: int | None, what: str) -> int | None:
    """Walking or standing tolerance in whole minutes, 0-720; None when not asked."""
    if minutes is None:
        return None
    whole = isinstance(minutes, int) and not isinstance(minutes, bool)
    if not whole or not 0 <= minutes <= TOLERANCE_MAX_MINUTES:
        raise RuleViolation(
            field, messages.TOLERANCE_RANGE.format(what=what, limit=TOLERANCE_MAX_MINUTES)
        )
    return minutes


@dataclass(frozen=True)
class VisitScores:
    """What a later visit records: pain, the ODI answers, walking and standing tolerance."""

    nprs: int | None
    odi_answers: Mapping[str, int | None]
    walk_minutes: int | None = None
    stand_minutes: int | None = None


def check_visit(scores: VisitScores) -> float:
    """Refuse an incomplete or impossible visit record; return its ODI score."""
    if scores.nprs is None:
        raise RuleViolation("nprs", messages.NPRS_REQUIRED)
    check_nprs(scores.nprs)
    odi = odi_score(scores.odi_answers)
    check_tolerance("walk_minutes", scores.walk_minutes, "Walking")
    check_tolerance("stand_minutes", scores.stand_minutes, "Standing")
    return odi


@dataclass(frozen=True)
class OutcomeChange:
    """One outcome against its intake baseline. `improved` is None where there is no baseline,
    no value now, or no agreed threshold (walking and standing tolerance)."""

    measure: str
    baseline: float | None
    now: float | None
    change: float | None
    improved: bool | None


def outcome_changes(
    baseline: Mapping[str, float | None], now: Mapping[str, float | None]
) -> list[OutcomeChange]:
    """NPRS, ODI, walking and standing minutes now against the baseline taken at intake.

    Keys: nprs, odi, walk_minutes, stand_minutes. Lower is better for NPRS and ODI; more
    minutes is better for tolerance.
    """
    rows = []
    for key, measure, judge in (
        ("nprs", "Pain (NPRS)", nprs_improved),
        ("odi", "Disability (ODI)", odi_improved),
        ("walk_minutes", "Walking (minutes)", None),
        ("stand_minutes", "Standing (minutes)", None),
    ):
        before, after = baseline.get(key), now.get(key)
        known = before is not None and after is not None
        change = round(after - before, 1) if known else None
        improved = judge(before, after) if known and judge is not None else None
        rows.append(OutcomeChange(measure, before, after, change, improved))
    return rows
