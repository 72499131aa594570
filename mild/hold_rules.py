"""The hold table's vocabulary: medication classes, one row of the table, the sources.

Source of the defaults (mild/hold_defaults.py): ../shared/DOMAIN.md, "Intake: medications (the
hold table)", revised 2026-12. Durations, never "days" that can be read two ways.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class MedClass(enum.StrEnum):
    VITAMIN_K_ANTAGONIST = "vitamin_k_antagonist"
    DOAC = "doac"
    DIRECT_THROMBIN_INHIBITOR = "direct_thrombin_inhibitor"
    HEPARIN = "heparin"
    LMWH = "lmwh"
    INDIRECT_FACTOR_XA = "indirect_factor_xa"
    P2Y12_INHIBITOR = "p2y12_inhibitor"
    PDE_INHIBITOR = "pde_inhibitor"
    ASPIRIN = "aspirin"
    NSAID = "nsaid"
    GLP1_AGONIST = "glp1_agonist"
    SGLT2_INHIBITOR = "sglt2_inhibitor"
    DIABETES = "diabetes"
    SUPPLEMENT = "supplement"
    OTHER = "other"
    UNKNOWN = "unknown"

    @property
    def label(self) -> str:
        return CLASS_LABELS[self]


CLASS_LABELS: dict[MedClass, str] = {
    MedClass.VITAMIN_K_ANTAGONIST: "Vitamin K antagonist",
    MedClass.DOAC: "Direct oral anticoagulant (factor Xa)",
    MedClass.DIRECT_THROMBIN_INHIBITOR: "Direct thrombin inhibitor",
    MedClass.HEPARIN: "Unfractionated heparin",
    MedClass.LMWH: "Low-molecular-weight heparin",
    MedClass.INDIRECT_FACTOR_XA: "Indirect factor Xa inhibitor",
    MedClass.P2Y12_INHIBITOR: "P2Y12 inhibitor",
    MedClass.PDE_INHIBITOR: "Phosphodiesterase inhibitor (antiplatelet)",
    MedClass.ASPIRIN: "Aspirin",
    MedClass.NSAID: "NSAID",
    MedClass.GLP1_AGONIST: "GLP-1 agonist",
    MedClass.SGLT2_INHIBITOR: "SGLT2 inhibitor",
    MedClass.DIABETES: "Insulin or oral diabetes drug",
    MedClass.SUPPLEMENT: "Herbal supplement",
    MedClass.OTHER: "No bleeding or fasting relevance",
    MedClass.UNKNOWN: "Unknown: needs review",
}

# Classes whose stop must be agreed with the prescriber (bleeding risk).
ANTITHROMBOTIC: frozenset[MedClass] = frozenset(
    {
        MedClass.VITAMIN_K_ANTAGONIST,
        MedClass.DOAC,
        MedClass.DIRECT_THROMBIN_INHIBITOR,
        MedClass.HEPARIN,
        MedClass.LMWH,
        MedClass.INDIRECT_FACTOR_XA,
        MedClass.P2Y12_INHIBITOR,
        MedClass.PDE_INHIBITOR,
        MedClass.ASPIRIN,
    }
)

ASRA_2018 = (
    "Narouze et al., Interventional spine and pain procedures in patients on antiplatelet and "
    "anticoagulant medications, 2nd ed., Reg Anesth Pain Med 2018;43:225-262 (high-risk "
    "procedures)"
)
ASRA_2015 = "Narouze et al., Reg Anesth Pain Med 2015;40:182-212 (ASRA 2015 edition)"
GLP1_2024 = (
    "Multi-society guidance on GLP-1 receptor agonists before procedures (ASMBS, ASA, AGA, "
    "ISPCOP, SAGES), 2024; hold timings from the ASA consensus of 2023"
)
SGLT2_FDA = "FDA drug safety label change for SGLT2 inhibitors, March 2020"
SAMBA_2024 = "SAMBA consensus on perioperative glycemic management, Anesth Analg 2024"

HOURS = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
EATING_NORMALLY = "Restart when eating and drinking normally."


@dataclass(frozen=True)
class HoldRule:
    """One row of the hold table.

    `drug` is the row's unique name (a drug, or a drug and its use where the use changes the
    rule: "enoxaparin, therapeutic dose"); `generic` and `brands` are the other names intake
    matches. `stop_before`: the last dose at least this long before the scheduled start (None:
    no timed stop). `skip_on_day`: no dose on the morning of the procedure (oral diabetes drugs).
    `restart_after`: from the procedure end (None: see the instruction).
    """

    drug: str
    generic: str
    med_class: MedClass
    stop_before: dt.timedelta | None
    restart_after: dt.timedelta | None
    needs_clearance: bool
    brands: tuple[str, ...] = ()
    instruction: str = ""
    source: str = ASRA_2018
    skip_on_day: bool = False
    confirmed_by: str | None = None
    confirmed_on: dt.date | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name this row answers to, normalised (row name, generic, brands)."""
        return tuple(
            dict.fromkeys(normalize_drug(n) for n in (self.drug, self.generic, *self.brands))
        )

    @property
    def timed_hold(self) -> bool:
        """The patient stops the drug before the day (a stop time or no dose that morning)."""
        return self.stop_before is not None or self.skip_on_day


def from_hours(hours: float | None) -> dt.timedelta | None:
    """Hours as the database keeps them, back to a duration (None: none)."""
    return None if hours is None else hours * HOURS


def whole_hours(delta: dt.timedelta | None) -> int | None:
    """A duration as the database keeps it: whole hours (None: none)."""
    return None if delta is None else int(delta / HOURS)


def normalize_drug(name: str) -> str:
    """A drug name as matched: lower case, single spaces ("  ELIQUIS " -> "eliquis")."""
    return " ".join(name.lower().split())
