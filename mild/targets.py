"""The practice's targets for its office metrics: a policy row per KPI (db table `kpi_target`)
with the target and the amber band, so each value reads green (target met), amber (inside the
band) or red (beyond it). DOMAIN.md leaves the numbers to the practice: the defaults below are
practice policy, changed on the Admin screen (audited), never a published standard.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from mild import messages
from mild.errors import RuleViolation
from mild.text import check_source

PRACTICE = "practice policy (no published number)"


class Better(enum.StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


class Rag(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def label(self) -> str:
        return {"green": "On target", "amber": "Near target", "red": "Off target"}[self.value]


@dataclass(frozen=True)
class TargetSpec:
    """What a KPI's target is about: its words, which way is better, its unit and what a
    practice may set it to (outside is a typing error)."""

    label: str
    better: Better
    unit: str
    low: float
    high: float


# The KPI columns of the metrics screen that carry a target (db/queries/metrics.py).
SPECS: dict[str, TargetSpec] = {
    "on_time_pct": TargetSpec("First case on time", Better.HIGHER, "%", 0, 100),
    "duration_mean": TargetSpec("Procedure duration, mean", Better.LOWER, "min", 0, 240),
    "over_long_pct": TargetSpec("Procedures over 60 minutes", Better.LOWER, "%", 0, 100),
    "recovery_mean": TargetSpec("Recovery-room stay, mean", Better.LOWER, "min", 0, 600),
    "same_day_pct": TargetSpec("Same-day cancellations", Better.LOWER, "%", 0, 100),
    "turnover_mean": TargetSpec("Turnover, mean", Better.LOWER, "min", 0, 240),
    "call_pct": TargetSpec("Next-day call within 48 h", Better.HIGHER, "%", 0, 100),
    "resolution_median": TargetSpec(
        "Time to resolve an escalation, median", Better.LOWER, "h", 0, 720
    ),
    "asc_per_1000": TargetSpec("ASC-1 to ASC-4 per 1,000", Better.LOWER, "per 1,000", 0, 1000),
    "hospital_visits_per_1000": TargetSpec(
        "Hospital visits in 7 days per 1,000", Better.LOWER, "per 1,000", 0, 1000
    ),
    "nprs_improved_pct": TargetSpec("Pain improved (3 months)", Better.HIGHER, "%", 0, 100),
    "odi_improved_pct": TargetSpec("Disability improved (3 months)", Better.HIGHER, "%", 0, 100),
}


@dataclass(frozen=True)
class Target:
    key: str
    target: float
    amber: float  # the far edge of the amber band: between target and this, amber
    source: str

    @property
    def spec(self) -> TargetSpec:
        return SPECS[self.key]

    def text(self) -> str:
        """'target 90% or more (amber down to 80%)'."""
        s = self.spec
        sign = "or more" if s.better == Better.HIGHER else "or less"
        edge = "down to" if s.better == Better.HIGHER else "up to"
        spaced = s.unit in ("min", "h", "per 1,000")
        unit = "" if spaced else s.unit
        space = f" {s.unit}" if spaced else ""
        return messages.TARGET_TEXT.format(
            target=f"{self.target:g}{unit}{space}",
            sign=sign,
            edge=edge,
            amber=f"{self.amber:g}{unit}{space}",
        )


DEFAULT_TARGETS: tuple[Target, ...] = (
    Target("on_time_pct", 90, 80, PRACTICE),
    # The practice's page: "60 minutes or less" (DOMAIN.md, The procedure).
    Target("duration_mean", 60, 70, "practice's patient page: 60 minutes or less (DOMAIN.md)"),
    Target("over_long_pct", 10, 20, PRACTICE),
    Target("recovery_mean", 90, 120, PRACTICE),
    Target("same_day_pct", 5, 10, PRACTICE),
    Target("turnover_mean", 20, 30, PRACTICE),
    Target("call_pct", 95, 85, PRACTICE),
    Target("resolution_median", 24, 48, PRACTICE),
    Target("asc_per_1000", 0, 5, PRACTICE),
    Target("hospital_visits_per_1000", 10, 20, PRACTICE),
    Target("nprs_improved_pct", 60, 50, PRACTICE),
    Target("odi_improved_pct", 50, 40, PRACTICE),
)
DEFAULT_TARGET_TABLE: dict[str, Target] = {t.key: t for t in DEFAULT_TARGETS}


def rag(value: float | None, target: Target | None) -> Rag | None:
    """Green when the value meets the target, amber inside the band, red beyond; None when
    there is no value (nothing to divide by) or no target."""
    if target is None or value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if target.spec.better == Better.HIGHER:
        if value >= target.target:
            return Rag.GREEN
        return Rag.AMBER if value >= target.amber else Rag.RED
    if value <= target.target:
        return Rag.GREEN
    return Rag.AMBER if value <= target.amber else Rag.RED


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def check_target(key: object, target: object, amber: object, source: str | None) -> Target:
    """A practice's edit of one target: a known KPI, both numbers inside its bounds, the amber
    edge on the worse side of the target, and a source."""
    if key not in SPECS:
        raise RuleViolation("key", messages.TARGET_UNKNOWN)
    spec = SPECS[str(key)]
    for field, value in (("target", target), ("amber", amber)):
        if not _number(value) or not spec.low <= value <= spec.high:
            raise RuleViolation(
                field,
                messages.TARGET_RANGE.format(
                    low=f"{spec.low:g}", high=f"{spec.high:g}", unit=spec.unit
                ),
            )
    worse_side = amber <= target if spec.better == Better.HIGHER else amber >= target
    if not worse_side:
        raise RuleViolation(
            "amber",
            messages.TARGET_AMBER_SIDE_HIGHER
            if spec.better == Better.HIGHER
            else messages.TARGET_AMBER_SIDE_LOWER,
        )
    return Target(str(key), float(target), float(amber), check_source(source))
