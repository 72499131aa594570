"""Discharge: the scores with their item descriptors, the escort met in person (and the
physician's exemption), the restart time of each held drug, and the review of what is still
open before the patient leaves."""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mild import messages
from mild.checklist import (
    DISCHARGE_SCORE_PASS,
    STEP_BY_KEY,
    STEPS,
    Step,
    blockers,
    check_reason,
    imaging_is_xray,
    not_applicable_reason,
)
from mild.errors import RuleViolation
from mild.medications import restart_at
from mild.text import check_storable

# --- Discharge scores ---------------------------------------------------------------------------


class DischargeScale(enum.StrEnum):
    ALDRETE = "aldrete"
    PADSS = "padss"

    @property
    def label(self) -> str:
        return DISCHARGE_SCALE_LABELS[self]

    @property
    def version(self) -> str:
        return DISCHARGE_SCALE_VERSIONS[self]


DISCHARGE_SCALE_LABELS: dict[DischargeScale, str] = {
    DischargeScale.ALDRETE: "Modified Aldrete (phase one)",
    DischargeScale.PADSS: "Modified PADSS (home readiness)",
}
# Which version of each scale the items below are: stored with every score.
DISCHARGE_SCALE_VERSIONS: dict[DischargeScale, str] = {
    DischargeScale.ALDRETE: (
        "Modified Aldrete score with SpO2 (Aldrete JA, J Clin Anesth 1995;7:89-91)"
    ),
    DischargeScale.PADSS: (
        "Modified PADSS (Chung F, Chan VW, Ong D, J Clin Anesth 1995;7:500-506; modified: "
        "Marshall SI, Chung F, Anesth Analg 1999;88:508-517)"
    ),
}


@dataclass(frozen=True)
class ScoreComponent:
    """One item of a scale: what each of 2, 1 and 0 points means, as the nurse reads it."""

    key: str
    label: str
    descriptors: tuple[str, str, str] = ("", "", "")  # for 2, 1 and 0 points

    def describe(self, points: int) -> str:
        return self.descriptors[2 - points]


# Each item is scored 0, 1 or 2; a total of DISCHARGE_SCORE_PASS (9) or more is ready.
DISCHARGE_COMPONENTS: dict[DischargeScale, tuple[ScoreComponent, ...]] = {
    # Aldrete JA. The post-anesthesia recovery score revisited. J Clin Anesth 1995;7:89-91.
    DischargeScale.ALDRETE: (
        ScoreComponent(
            "activity",
            "Activity",
            (
                "moves four extremities on command or voluntarily",
                "moves two extremities",
                "moves no extremity",
            ),
        ),
        ScoreComponent(
            "breathing",
            "Breathing",
            (
                "breathes deeply and coughs freely",
                "dyspnea, shallow or limited breathing",
                "apneic",
            ),
        ),
        ScoreComponent(
            "circulation",
            "Circulation",
            (
                "blood pressure within 20% of the pre-anesthetic level",
                "blood pressure 20-49% from the pre-anesthetic level",
                "blood pressure 50% or more from the pre-anesthetic level",
            ),
        ),
        ScoreComponent(
            "consciousness",
            "Consciousness",
            ("fully awake", "arousable on calling", "not responding"),
        ),
        ScoreComponent(
            "oxygen_saturation",
            "Oxygen saturation",
            (
                "SpO2 above 92% on room air",
                "needs oxygen to keep SpO2 above 90%",
                "SpO2 below 90% even with oxygen",
            ),
        ),
    ),
    # Chung F et al. 1995, as modified by Marshall and Chung 1999 (intake and output dropped).
    DischargeScale.PADSS: (
        ScoreComponent(
            "vital_signs",
            "Vital signs",
            (
                "blood pressure and pulse within 20% of the pre-operative values",
                "within 20-40% of the pre-operative values",
                "more than 40% from the pre-operative values",
            ),
        ),
        ScoreComponent(
            "walking",
            "Walking",
            (
                "steady gait, no dizziness, or as before the procedure",
                "walks with assistance",
                "cannot walk, or dizzy",
            ),
        ),
        ScoreComponent(
            "nausea_vomiting",
            "Nausea and vomiting",
            (
                "minimal, or treated with oral medication",
                "moderate, treated with parenteral medication",
                "severe, continues despite treatment",
            ),
        ),
        ScoreComponent(
            "pain",
            "Pain",
            (
                "minimal or none (0-3), acceptable, controlled with oral analgesics",
                "moderate (4-6)",
                "severe (7-10)",
            ),
        ),
        ScoreComponent(
            "bleeding",
            "Bleeding at the site",
            (
                "minimal, no dressing change",
                "moderate, up to two dressing changes",
                "severe, more than two dressing changes",
            ),
        ),
    ),
}
COMPONENT_POINTS: tuple[int, ...] = (0, 1, 2)


def discharge_score_total(
    scale: DischargeScale | None, components: Mapping[str, int | None]
) -> int:
    """The total of a scale's five components, each 0-2; RuleViolation names a missing one."""
    if scale is None:
        raise RuleViolation("scale", messages.DISCHARGE_SCALE_REQUIRED)
    parts = DISCHARGE_COMPONENTS[scale]
    unknown = set(components) - {c.key for c in parts}
    if unknown:
        raise RuleViolation(
            "scale", messages.DISCHARGE_COMPONENT_UNKNOWN.format(component=sorted(unknown)[0])
        )
    total = 0
    for part in parts:
        points = components.get(part.key)
        if points is None:
            raise RuleViolation(
                part.key, messages.DISCHARGE_COMPONENT_REQUIRED.format(component=part.label)
            )
        if type(points) is not int or points not in COMPONENT_POINTS:
            raise RuleViolation(
                part.key, messages.DISCHARGE_COMPONENT_RANGE.format(component=part.label)
            )
        total += points
    return total


def discharge_ready(total: int) -> bool:
    """Ready for discharge at DISCHARGE_SCORE_PASS (9) or more, on either scale."""
    return total >= DISCHARGE_SCORE_PASS


def discharge_score_note(scale: DischargeScale, components: Mapping[str, int | None]) -> str:
    """The breakdown kept beside the stored total, e.g. 'Modified Aldrete ...: Activity 2, ...'."""
    parts = ", ".join(f"{c.label} {components.get(c.key)}" for c in DISCHARGE_COMPONENTS[scale])
    return f"{scale.label}: {parts}"


def discharge_score_detail(
    scale: DischargeScale, components: Mapping[str, int | None]
) -> dict[str, Any]:
    """What the score row keeps as JSON: the scale, its version, each item and the pass mark."""
    total = discharge_score_total(scale, components)
    return {
        "scale": scale.value,
        "version": scale.version,
        "items": {c.key: components[c.key] for c in DISCHARGE_COMPONENTS[scale]},
        "total": total,
        "pass_mark": DISCHARGE_SCORE_PASS,
        "passes": discharge_ready(total),
    }


# --- The escort, met in person ------------------------------------------------------------------

ESCORT_PHONE_MIN_DIGITS = 7
ESCORT_FIELD_LIMITS: dict[str, int] = {
    "escort_name": 120,
    "escort_relationship": 60,
    "escort_phone": 40,
}
RIDESHARE = "Taxi or rideshare driver"
OTHER_RELATIONSHIP = "Other"
# Offered as a list; a taxi or rideshare driver is offered so that choosing it says why not.
RELATIONSHIP_CHOICES: tuple[str, ...] = (
    "Spouse or partner",
    "Daughter",
    "Son",
    "Other family member",
    "Friend",
    "Neighbour",
    "Caregiver",
    RIDESHARE,
    OTHER_RELATIONSHIP,
)
# Words intake may have written for a relationship on the list (intake takes free text).
RELATIONSHIP_ALIASES: dict[str, str] = {
    "spouse": "Spouse or partner",
    "partner": "Spouse or partner",
    "wife": "Spouse or partner",
    "husband": "Spouse or partner",
    "neighbor": "Neighbour",
    "carer": "Caregiver",
}


def relationship_choice(arranged: str | None) -> tuple[str | None, str]:
    """The list entry for the relationship written at intake, and the words kept for "Other":
    "spouse" is "Spouse or partner", "Daughter" is "Daughter", "aunt" is "Other" with "aunt"."""
    if not arranged or not arranged.strip():
        return None, ""
    said = " ".join(arranged.split()).lower()
    for choice in RELATIONSHIP_CHOICES:
        if choice.lower() == said:
            return choice, ""
    if said in RELATIONSHIP_ALIASES:
        return RELATIONSHIP_ALIASES[said], ""
    return OTHER_RELATIONSHIP, arranged.strip()


# A hired driver alone is not a responsible adult escort (42 CFR 416.52(c)(3); AANA), however it
# is typed.
_HIRED_DRIVER = re.compile(
    r"\b(taxi|taxicab|cab|cabbie|uber|lyft|ride[\s-]?share|ride[\s-]?hail\w*|car service|"
    r"limo|limousine)\b",
    re.IGNORECASE,
)


def is_hired_driver(text: str | None) -> bool:
    """True when a relationship or name says the escort is a taxi or rideshare driver."""
    return bool(text) and (text.strip() == RIDESHARE or _HIRED_DRIVER.search(text) is not None)


def escort_confirmation(name: str | None, relationship: str | None, phone: str | None) -> str:
    """The value stored for 'escort confirmed': name, relationship and phone, each required; a
    taxi or rideshare driver alone is refused with the reason."""
    given = {
        "escort_name": (name or "").strip(),
        "escort_relationship": (relationship or "").strip(),
        "escort_phone": (phone or "").strip(),
    }
    required = {
        "escort_name": messages.ESCORT_NAME_REQUIRED,
        "escort_relationship": messages.ESCORT_RELATIONSHIP_REQUIRED,
        "escort_phone": messages.ESCORT_PHONE_REQUIRED,
    }
    for field, text in given.items():
        if not text:
            raise RuleViolation(field, required[field])
        if len(text) > ESCORT_FIELD_LIMITS[field]:
            raise RuleViolation(
                field, messages.TEXT_TOO_LONG.format(limit=ESCORT_FIELD_LIMITS[field])
            )
        check_storable(field, text)
    if given["escort_relationship"] == OTHER_RELATIONSHIP:
        raise RuleViolation("escort_relationship", messages.ESCORT_RELATIONSHIP_REQUIRED)
    for field in ("escort_relationship", "escort_name"):
        if is_hired_driver(given[field]):
            raise RuleViolation(field, messages.ESCORT_HIRED_DRIVER)
    if sum(ch.isdigit() for ch in given["escort_phone"]) < ESCORT_PHONE_MIN_DIGITS:
        raise RuleViolation(
            "escort_phone", messages.ESCORT_PHONE_FORMAT.format(n=ESCORT_PHONE_MIN_DIGITS)
        )
    return ", ".join(given.values())


PHYSICIAN_NAME_LIMIT = 120


def check_escort_exemption(physician: str | None, reason: str | None) -> tuple[str, str]:
    """The attending physician's exemption from the escort rule: who (required) and why."""
    name = (physician or "").strip()
    if not name:
        raise RuleViolation("physician", messages.EXEMPTION_PHYSICIAN_REQUIRED)
    if len(name) > PHYSICIAN_NAME_LIMIT:
        raise RuleViolation("physician", messages.TEXT_TOO_LONG.format(limit=PHYSICIAN_NAME_LIMIT))
    check_storable("physician", name)
    return name, check_reason(reason, messages.EXEMPTION_REASON_REQUIRED)


# --- Restart of each held drug ------------------------------------------------------------------


@dataclass(frozen=True)
class Restart:
    """When a held drug may be taken again: a moment from the procedure end, or the hold
    table's instruction when the drug has no timed restart (or the procedure has not ended)."""

    drug: str
    at: dt.datetime | None
    instruction: str


def restart_plan(
    drugs: Iterable[tuple[str, dt.timedelta | None, str]], procedure_end: dt.datetime | None
) -> list[Restart]:
    """(drug, restart after, hold-table instruction) of each held drug -> its restart."""
    return [
        Restart(drug, restart_at(after, procedure_end), instruction)
        for drug, after, instruction in drugs
    ]


# --- Before discharge: hard stops refuse, every other open step is named and confirmed -----------

# DOMAIN.md names the hard stops for discharge: a passing discharge score, and the escort
# confirmed in person or the physician's recorded exemption (and the lifecycle: only from the
# recovery room). Every other applicable step still open is a gap in the record, not a reason to
# keep the patient: the nurse sees each by name and confirms she discharges with them open; the
# discharge tick keeps the list in its note.
DISCHARGE_HARD_STOPS: tuple[str, ...] = STEP_BY_KEY["discharged"].requires


@dataclass(frozen=True)
class DischargeReview:
    """What stands before a discharge: hard stops (refused) and open steps (confirmed)."""

    hard_stops: tuple[str, ...]  # what is missing, as the refusal names it
    open_steps: tuple[Step, ...]  # applicable steps not done, in checklist order

    @property
    def open_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.open_steps)

    @property
    def open_labels(self) -> str:
        return "; ".join(s.label for s in self.open_steps)


def discharge_review(
    done: Mapping[str, str | None], *, diabetic: bool, escort_exempt: bool = False
) -> DischargeReview:
    """The hard stops and the other steps still open, for a patient about to be discharged."""
    xray = imaging_is_xray(done.get("imaging_modality"))
    open_steps = tuple(
        s
        for s in STEPS
        if s.key != "discharged"
        and s.key not in done
        and s.key not in DISCHARGE_HARD_STOPS
        and not_applicable_reason(s, diabetic=diabetic, xray=xray, escort_exempt=escort_exempt)
        is None
    )
    return DischargeReview(
        tuple(blockers("discharged", done, escort_exempt=escort_exempt)), open_steps
    )


def check_discharge(
    done: Mapping[str, str | None],
    *,
    diabetic: bool,
    open_confirmed: Collection[str],
    escort_exempt: bool = False,
) -> DischargeReview:
    """Refuse a discharge with a hard stop, or with an open step the nurse did not confirm.

    `open_confirmed` holds the keys of the open steps her screen named and she confirmed.
    """
    review = discharge_review(done, diabetic=diabetic, escort_exempt=escort_exempt)
    if review.hard_stops:
        raise RuleViolation(
            "discharged",
            messages.HARD_STOP.format(
                step=STEP_BY_KEY["discharged"].label, missing="; ".join(review.hard_stops)
            ),
        )
    unconfirmed = [s for s in review.open_steps if s.key not in set(open_confirmed)]
    if unconfirmed:
        raise RuleViolation(
            "discharged",
            messages.DISCHARGE_OPEN_NOT_CONFIRMED.format(
                steps="; ".join(s.label for s in unconfirmed)
            ),
        )
    return review


def discharge_note(review: DischargeReview) -> str:
    """Kept on the discharge tick: the steps left open, or nothing when all were done."""
    if not review.open_steps:
        return ""
    return messages.DISCHARGED_WITH_OPEN_STEPS.format(steps=review.open_labels)
