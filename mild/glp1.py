"""GLP-1 agonists before the procedure: a risk screen and a recorded decision.

Source: multi-society guidance on GLP-1 receptor agonists before procedures (ASMBS, ASA, AGA,
ISPCOP, SAGES), 2024, endorsed by the ASA in October 2024 (DOMAIN.md, revised 2026-12): the
default is to CONTINUE the drug and screen for risk of retained gastric contents (the
dose-escalation phase, a higher dose, weekly dosing, GI symptoms, other causes of slow gastric
emptying). With elevated risk: a 24 h liquid diet before the procedure; the drug is held only
where the anesthesia team decides, and then by the ASA's 2023 timings (a weekly drug 1 week,
a daily drug on the day of the procedure).
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Mapping
from dataclasses import dataclass

from mild import messages
from mild.errors import RuleViolation
from mild.intake import check_text

# The screen's questions, in the order staff ask them.
RISK_FACTORS: tuple[tuple[str, str], ...] = (
    ("escalation_phase", "In the dose-escalation phase (started or increased in the last weeks)"),
    ("high_dose", "On a higher dose"),
    ("weekly_dosing", "Weekly dosing (an injection once a week)"),
    ("gi_symptoms", "GI symptoms now: nausea, vomiting, bloating or abdominal pain"),
    ("slow_gastric_emptying", "Another cause of slow gastric emptying (e.g. gastroparesis)"),
)
RISK_KEYS = tuple(k for k, _ in RISK_FACTORS)
WEEKLY_HOLD = dt.timedelta(days=7)  # ASA 2023: a weekly drug held 1 week before


class Glp1Decision(enum.StrEnum):
    CONTINUE = "continue"
    CONTINUE_LIQUID_DIET = "continue_liquid_diet"
    HOLD = "hold"

    @property
    def label(self) -> str:
        return DECISION_LABELS[self]


DECISION_LABELS: dict[Glp1Decision, str] = {
    Glp1Decision.CONTINUE: "Continue the drug",
    Glp1Decision.CONTINUE_LIQUID_DIET: "Continue, with a liquid diet for the 24 h before",
    Glp1Decision.HOLD: "Hold, as the anesthesia team decided",
}


def check_screen(answers: Mapping[str, object]) -> dict[str, bool]:
    """Every question answered yes or no (a box left unticked is a no)."""
    unknown = set(answers) - set(RISK_KEYS)
    if unknown:
        raise RuleViolation("glp1_screen", messages.GLP1_SCREEN_UNKNOWN)
    return {k: bool(answers.get(k)) for k in RISK_KEYS}


def elevated_risk(screen: Mapping[str, bool]) -> bool:
    """Any of the five factors makes the risk elevated."""
    return any(screen.get(k) for k in RISK_KEYS)


@dataclass(frozen=True)
class Glp1Hold:
    """What a decision means for the drug's hold: a stop before the start, or no dose on the
    day, or nothing (continued)."""

    stop_before: dt.timedelta | None
    skip_on_day: bool


# The hold-table rows given once a week (ASA 2023: held 1 week when held); the others daily.
WEEKLY_ROWS: frozenset[str] = frozenset(
    {"semaglutide, weekly injection", "dulaglutide", "tirzepatide"}
)


def weekly_drug(hold_rule: str | None, screen: Mapping[str, bool]) -> bool:
    """Weekly by the drug's row when the table knows it; for a row the practice added, by the
    screen's "weekly dosing" answer."""
    if hold_rule in WEEKLY_ROWS:
        return True
    if hold_rule in DAILY_ROWS:
        return False
    return bool(screen.get("weekly_dosing"))


DAILY_ROWS: frozenset[str] = frozenset({"semaglutide, daily tablet", "liraglutide"})


def check_decision(
    screen: Mapping[str, bool],
    decision: Glp1Decision | None,
    decided_by: str | None,
    *,
    weekly: bool | None = None,
) -> tuple[Glp1Hold, str | None]:
    """Refuse a decision the guidance does not allow; returns the hold it brings and who decided.

    Plain "continue" is refused with an elevated risk (it needs at least the liquid diet); a
    hold names the anesthesia clinician who decided it (the guidance leaves it to them), and
    lasts 1 week for a `weekly` drug (default: the screen's answer), the day of for a daily one.
    """
    if decision is None:
        raise RuleViolation("glp1_decision", messages.GLP1_DECISION_REQUIRED)
    decision = Glp1Decision(decision)
    if decision == Glp1Decision.CONTINUE and elevated_risk(screen):
        raise RuleViolation("glp1_decision", messages.GLP1_ELEVATED_NEEDS_DIET)
    who = check_text(decided_by, "glp1_decided_by", 120)
    if decision == Glp1Decision.HOLD:
        if who is None:
            raise RuleViolation("glp1_decided_by", messages.GLP1_HOLD_NEEDS_ANESTHESIA)
        if screen.get("weekly_dosing") if weekly is None else weekly:
            return Glp1Hold(WEEKLY_HOLD, False), who
        return Glp1Hold(None, True), who
    return Glp1Hold(None, False), who


def screen_json(screen: Mapping[str, bool]) -> str:
    return json.dumps({k: bool(screen.get(k)) for k in RISK_KEYS}, sort_keys=True)


def read_screen(text: str | None) -> dict[str, bool]:
    if not text:
        return {}
    return {k: bool(v) for k, v in json.loads(text).items() if k in RISK_KEYS}


def decision_summary(screen: Mapping[str, bool], decision: str | None) -> str:
    """One line for the intake card and the bedside: the risk found and the decision."""
    if decision is None:
        return messages.GLP1_NOT_SCREENED
    found = [label for k, label in RISK_FACTORS if screen.get(k)]
    risk = (
        messages.GLP1_RISK_ELEVATED.format(factors="; ".join(found))
        if found
        else messages.GLP1_RISK_NOT_ELEVATED
    )
    return f"{risk} {Glp1Decision(decision).label}."
