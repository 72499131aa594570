"""What the day-of case header shows at a glance (issue 13): the allergies, first and loud, and
the key flags of the day: drugs that change bleeding or aspiration risk, a drug still under
review, and every other condition intake flagged."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from mild import messages
from mild.dayof_holds import is_held
from mild.hold_rules import ANTITHROMBOTIC, MedClass
from mild.intake import ALLERGIES, CONDITION_SHORT_NAMES, Condition

# ASRA 2018's two families of antithrombotic drug (mild.hold_rules.ANTITHROMBOTIC): which one a
# drug is tells the team what a bleed means and what reverses it.
ANTIPLATELETS: frozenset[MedClass] = frozenset(
    {MedClass.P2Y12_INHIBITOR, MedClass.PDE_INHIBITOR, MedClass.ASPIRIN}
)
ANTICOAGULANTS: frozenset[MedClass] = ANTITHROMBOTIC - ANTIPLATELETS


@dataclass(frozen=True)
class Allergy:
    name: str  # the condition's label: "Latex allergy"
    details: str | None  # as typed at intake: "hives with gloves"


def allergies(conditions: Iterable[tuple[Condition, str | None]]) -> list[Allergy]:
    """The allergies flagged at intake with their details, in the order of mild.intake.ALLERGIES
    (the day sheet's order)."""
    details = dict(conditions)
    return [Allergy(a.label, details[a]) for a in ALLERGIES if a in details]


def key_flags(conditions: Iterable[Condition], medications: Iterable[Any]) -> list[str]:
    """The header's flags, most pressing first: anticoagulants and antiplatelets (held, or
    continued), GLP-1 agonists (aspiration), drugs still under review, then each other
    condition in the order intake flagged it. `medications`: rows with drug, med_class,
    needs_review and the hold (mild.dayof_holds.is_held)."""
    meds = list(medications)

    def drugs(wanted: frozenset[MedClass], *, held: bool) -> str:
        names = [m.drug for m in meds if m.med_class in wanted and is_held(m) == held]
        return ", ".join(dict.fromkeys(names))

    families = (
        (ANTICOAGULANTS, messages.FLAG_ANTICOAGULANT_HELD, messages.FLAG_ANTICOAGULANT_CONTINUED),
        (ANTIPLATELETS, messages.FLAG_ANTIPLATELET_HELD, messages.FLAG_ANTIPLATELET_CONTINUED),
    )
    flags = []
    for family, held_text, continued_text in families:
        for held, text in ((True, held_text), (False, continued_text)):
            if found := drugs(family, held=held):
                flags.append(text.format(drugs=found))
    glp1 = ", ".join(dict.fromkeys(m.drug for m in meds if m.med_class == MedClass.GLP1_AGONIST))
    if glp1:
        flags.append(messages.FLAG_GLP1.format(drugs=glp1))
    review = ", ".join(dict.fromkeys(m.drug for m in meds if m.needs_review))
    if review:
        flags.append(messages.FLAG_UNDER_REVIEW.format(drugs=review))
    others = [c for c in dict.fromkeys(conditions) if c not in ALLERGIES]
    flags += [CONDITION_SHORT_NAMES[c][:1].upper() + CONDITION_SHORT_NAMES[c][1:] for c in others]
    return flags
