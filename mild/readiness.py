"""Is a case ready to be confirmed for its day? Plain facts in, the missing items out.

Each missing item is a short sentence a coordinator reads on the intake screen, the schedule
and the pre-op calls, e.g. "HbA1c value and date (diabetes)". A comorbidity value over a practice
limit set to block is an item too; one set to warn is a warning (`warnings`), shown on intake.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from mild import messages
from mild.clearances import (
    ClearanceValues,
    Limit,
    LimitAction,
    dabigatran_egfr_item,
    findings,
    is_dabigatran,
    medicare_study_missing,
    values_on_file,
)
from mild.days import to_local
from mild.intake import CONDITION_SHORT_NAMES, Condition, required_clearances
from mild.medications import MedClass, last_dose_passed


@dataclass(frozen=True)
class ConditionFact:
    """A flagged comorbidity; `cleared`: its "on file" tick is recorded (cleared by someone,
    when). Conditions whose clearance is a set of values ask CaseFacts.values instead."""

    condition: Condition
    cleared: bool = False


@dataclass(frozen=True)
class MedicationFact:
    """One drug on the case as intake recorded it.

    `hold_needed`: the patient must stop or adjust the drug before the day
    (mild.medications.needs_patient_instruction); `cleared`: a prescriber is named as having
    agreed to the stop; `hold_confirmed_with_patient`: someone told the patient and recorded it.
    """

    drug: str
    med_class: MedClass
    needs_review: bool = False
    needs_prescriber_clearance: bool = False
    cleared: bool = False
    hold_needed: bool = False
    hold_confirmed_with_patient: bool = False
    last_dose_by: dt.datetime | None = None
    glp1_decided: bool = False  # a GLP-1 agonist's risk screen and decision are on file
    last_dose_taken_at: dt.datetime | None = None  # as the patient reported it


@dataclass(frozen=True)
class CaseFacts:
    """What readiness looks at for one case."""

    asa_recorded: bool = False
    provider_set: bool = False
    booked: bool = False
    conditions: tuple[ConditionFact, ...] = ()
    medications: tuple[MedicationFact, ...] = ()
    escort_name: str | None = None
    escort_phone: str | None = None
    now: dt.datetime | None = None  # is a latest allowed last dose already past?
    timezone: str = "UTC"  # the office's, for the times in the sentences
    values: ClearanceValues = ClearanceValues()  # HbA1c, eGFR, STOP-Bang, device, cardiology
    limits: tuple[Limit, ...] = ()  # the practice's (missing keys: mild.clearances defaults)
    # The day values are judged on (too old?): the procedure day once booked, else today.
    judged_on: dt.date | None = None
    medicare: bool | None = None
    study_enrolled: bool | None = None
    study_nct: str | None = None

    @property
    def escort_arranged(self) -> bool:
        return bool((self.escort_name or "").strip() and (self.escort_phone or "").strip())


def _on_dabigatran(facts: CaseFacts) -> bool:
    return any(is_dabigatran(m.drug) for m in facts.medications)


def _condition_items(conditions: Iterable[ConditionFact], values: ClearanceValues) -> list[str]:
    cleared = {}
    for c in conditions:
        on_file = values_on_file(c.condition, values)
        cleared[c.condition] = c.cleared if on_file is None else on_file
    # In Condition order, whatever order the facts came in: the list reads the same everywhere.
    flagged = [c for c in Condition if c in cleared]
    return [
        messages.READY_CLEARANCE.format(
            clearance=need.text, condition=CONDITION_SHORT_NAMES[need.condition]
        )
        for need in required_clearances(flagged)
        if not cleared[need.condition]
    ]


def _hold_item(med: MedicationFact, now: dt.datetime | None, timezone: str) -> str:
    """Hold instructions still to confirm; when the latest allowed last dose is already past,
    the patient cannot have kept the hold as told: say so, and what to do (unless the last dose
    they reported was in time)."""
    kept = (
        med.last_dose_taken_at is not None
        and med.last_dose_by is not None
        and med.last_dose_taken_at <= med.last_dose_by
    )
    if now is not None and not kept and last_dose_passed(med.last_dose_by, now):
        when = to_local(timezone, med.last_dose_by)
        return messages.READY_HOLD_LATE.format(drug=med.drug, day=f"{when:%a %d %b %H:%M %Z}")
    return messages.READY_HOLD_CONFIRMED.format(drug=med.drug)


def missing_items(facts: CaseFacts) -> list[str]:
    """Every item missing before the case may be confirmed for its day, in a stable order:
    ASA class, provider, booking, condition clearances (their values; dabigatran's eGFR),
    values over a blocking limit, Medicare coverage answered and its study, drug reviews,
    prescriber clearances, GLP-1 decisions, hold instructions confirmed, escort. An empty list
    means ready."""
    items: list[str] = []
    if not facts.asa_recorded:
        items.append(messages.READY_ASA_CLASS)
    if not facts.provider_set:
        items.append(messages.READY_PROVIDER)
    if not facts.booked:
        items.append(messages.READY_BOOKED)
    items += _condition_items(facts.conditions, facts.values)
    flagged = {c.condition for c in facts.conditions}
    if egfr_item := dabigatran_egfr_item(flagged, facts.values, _on_dabigatran(facts)):
        items.append(egfr_item)
    items += [f.text for f in _findings(facts) if f.action == LimitAction.BLOCK]
    if facts.medicare is None:  # coverage decides whether a study is needed (NCD 150.13)
        items.append(messages.READY_MEDICARE_ANSWER)
    elif medicare_study_missing(facts.medicare, facts.study_enrolled, facts.study_nct):
        items.append(messages.READY_MEDICARE_STUDY)
    meds = facts.medications
    items += [messages.READY_DRUG_REVIEW.format(drug=m.drug) for m in meds if m.needs_review]
    items += [
        messages.READY_PRESCRIBER_CLEARANCE.format(drug=m.drug)
        for m in meds
        if m.needs_prescriber_clearance and not m.cleared
    ]
    items += [
        messages.READY_GLP1.format(drug=m.drug)
        for m in meds
        if m.med_class == MedClass.GLP1_AGONIST and not m.glp1_decided
    ]
    items += [
        _hold_item(m, facts.now, facts.timezone)
        for m in meds
        if m.hold_needed and not m.needs_review and not m.hold_confirmed_with_patient
    ]
    if not facts.escort_arranged:
        items.append(messages.READY_ESCORT)
    return items


def _findings(facts: CaseFacts):
    on = facts.judged_on or (facts.now or dt.datetime.now(dt.UTC)).date()
    return findings(
        facts.values,
        {c.condition for c in facts.conditions},
        {limit.key: limit for limit in facts.limits},
        on=on,
        on_dabigatran=_on_dabigatran(facts),
    )


def warnings(facts: CaseFacts) -> list[str]:
    """Comorbidity values over a practice limit set to warn (or too old): shown on intake, the
    clinicians decide; they do not keep the case from being confirmed."""
    return [f.text for f in _findings(facts) if f.action == LimitAction.WARN]


def is_ready(facts: CaseFacts) -> bool:
    return not missing_items(facts)


def not_ready(missing: Iterable[str]) -> str:
    """The refusal of a confirmation for the day, naming every item missing."""
    return messages.NOT_READY.format(missing="; ".join(missing))
