"""A case as a FHIR R4 Bundle (type "collection") of plain dicts, built from a snapshot of what
is recorded: Patient, Encounter (the procedure day), Procedure, Condition (comorbidities),
AllergyIntolerance (the allergy flags), MedicationStatement (with the hold and the reported last
dose), Observation (NPRS, ODI, walking and standing tolerance at baseline and each follow-up; the
discharge score), QuestionnaireResponse (the next-day call) and Flag (each red flag escalated).

Nothing is guessed: an element with no recorded value is left out. Every code keeps its source
beside it. Times are given at the office's UTC offset. Resources are referenced by urn:uuid
fullUrls made from the case code (the patient's from the MRN), so exporting a case again gives
the same identities and a patient with two cases is one Patient across files.

"collection" rather than "transaction": the receiving EHR decides how to match and store what it
is sent (by MRN and case code); a transaction would also need a request per entry and a FHIR
server at the other end.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mild import messages
from mild.days import to_local
from mild.discharge import DISCHARGE_COMPONENTS, DISCHARGE_SCORE_PASS
from mild.fhir_codes import (
    ALLERGY_CODES,
    AMBULATORY,
    BASE_ENV,
    CASE_SYSTEM,
    CLINICAL_FLAG,
    CONDITION_CODES,
    DEFAULT_BASE,
    ENCOUNTER_STATUS,
    EXAM,
    FHIR_VERSION,
    LOCAL_CANCEL_REASON,
    LOCAL_INCISION,
    LOCAL_INTAKE_FLAG,
    LOCAL_OBSERVATION,
    LOCAL_RED_FLAG,
    LUMBAR_SPINE,
    LUMBAR_STENOSIS,
    MRN_SYSTEM,
    MRN_TYPE,
    NEXT_DAY_CALL_FORM,
    NPRS,
    OBSERVATION_SYSTEM,
    ODI,
    PILD,
    PROBLEM_LIST,
    PROCEDURE_STATUS,
    STAND_MINUTES,
    SURVEY,
    UCUM,
    WALK_MINUTES,
    Code,
    _active,
    _clean,
    practice_base,
)
from mild.fhir_snapshot import (
    CaseSnapshot,
    ConditionFacts,
    FollowUpFacts,
    MedicationFacts,
    PatientFacts,
    ScoreFacts,
    check_case_exporter,
    check_office_exporter,
    check_range,
)
from mild.followup import FollowUpKind
from mild.glp1 import Glp1Decision
from mild.hold_rules import from_hours
from mild.intake import ALLERGIES, CONDITION_LABELS, Condition
from mild.medications import restart_text, stop_text

# What the rest of the app reads here (the codes and the snapshot live beside this module).
__all__ = [
    "ALLERGY_CODES",
    "BASE_ENV",
    "CONDITION_CODES",
    "CaseSnapshot",
    "ConditionFacts",
    "DEFAULT_BASE",
    "ENCOUNTER_STATUS",
    "FHIR_VERSION",
    "FollowUpFacts",
    "MedicationFacts",
    "PROCEDURE_STATUS",
    "PatientFacts",
    "ScoreFacts",
    "check_case_exporter",
    "check_office_exporter",
    "check_range",
    "practice_base",
    "bundle_json",
    "case_bundle",
    "ndjson",
    "on_hold",
    "resource_counts",
]

Resource = dict[str, Any]

# --- Building the Bundle -------------------------------------------------------------------------


def _concept(codes: Iterable[Code], base: str, text: str | None = None) -> Resource:
    return _clean({"coding": [c.coding(base) for c in codes], "text": text})


class _Case:
    """What every resource of one case needs: the snapshot, the base, the identities."""

    def __init__(self, case: CaseSnapshot, base: str) -> None:
        self.case = case
        self.base = base

    def url(self, key: str) -> str:
        name = f"{self.base}/case/{self.case.code}/{key}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"

    @property
    def patient_url(self) -> str:
        mrn = f"{self.base}/{MRN_SYSTEM}/{self.case.patient.mrn}"
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, mrn)}"

    def ref(self, key: str) -> Resource:
        return {"reference": self.patient_url if key == "patient" else self.url(key)}

    def moment(self, at: dt.datetime | None) -> str | None:
        """A FHIR dateTime at the office's offset, to the second."""
        if at is None:
            return None
        return to_local(self.case.timezone, at).replace(microsecond=0).isoformat()

    def words(self, at: dt.datetime) -> str:
        """A moment inside a sentence, in the office's time: 'Tue 12 Mar 2030 08:00 EDT'."""
        return f"{to_local(self.case.timezone, at):%a %d %b %Y %H:%M %Z}"

    def local(self, system: str) -> str:
        return f"{self.base}/{system}"


def case_bundle(case: CaseSnapshot, exported_at: dt.datetime, base: str) -> Resource:
    """The case as one FHIR R4 Bundle of type collection (plain dicts, ready for JSON)."""
    c = _Case(case, base)
    entries: list[tuple[str, Resource]] = [
        (c.patient_url, _patient(c)),
        (c.url("encounter"), _encounter(c)),
        (c.url("procedure"), _procedure(c)),
        *_conditions(c),
        *_allergies(c),
        *_medications(c),
        *_calls(c),
        *_observations(c),
        *_flags(c),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": exported_at.astimezone(dt.UTC).replace(microsecond=0).isoformat(),
        "entry": [{"fullUrl": url, "resource": _clean(resource)} for url, resource in entries],
    }


def _patient(c: _Case) -> Resource:
    p = c.case.patient
    return {
        "resourceType": "Patient",
        "identifier": [
            {
                "use": "usual",
                "type": _concept([MRN_TYPE], c.base),
                "system": c.local(MRN_SYSTEM),
                "value": p.mrn,
            }
        ],
        "name": [{"family": p.last_name, "given": [p.first_name]}],
        "telecom": [{"system": "phone", "value": p.phone}] if p.phone else [],
        "birthDate": p.date_of_birth.isoformat(),
    }


def _case_identifier(c: _Case) -> list[Resource]:
    return [{"system": c.local(CASE_SYSTEM), "value": c.case.code}]


def _encounter(c: _Case) -> Resource:
    case = c.case
    return {
        "resourceType": "Encounter",
        "identifier": _case_identifier(c),
        "status": ENCOUNTER_STATUS[case.status],
        "class": AMBULATORY.coding(c.base),
        "subject": c.ref("patient"),
        "participant": [{"individual": {"display": case.provider}}] if case.provider else [],
        "period": {"start": c.moment(case.checked_in_at), "end": c.moment(case.discharged_at)},
        "serviceProvider": {"display": case.office_name},
    }


def _levels_text(case: CaseSnapshot) -> str | None:
    if case.levels_treated:
        return messages.FHIR_BODY_SITE_TREATED.format(levels=case.levels_treated)
    booked = ", ".join(p for p in (case.planned_levels, case.planned_side) if p)
    return messages.FHIR_BODY_SITE_BOOKED.format(levels=booked) if booked else None


def _said(template: str, value: str | None) -> str | None:
    """`template` with the recorded value in it; None (left out) when nothing is recorded."""
    return template.format(value) if value else None


def _procedure(c: _Case) -> Resource:
    case = c.case
    reason = case.cancellation_reason
    notes = [
        _said(messages.FHIR_ANESTHESIA, case.anesthesia_type),
        _said(messages.FHIR_IMAGING, case.imaging_modality),
        case.cancellation_note,
    ]
    return {
        "resourceType": "Procedure",
        "identifier": _case_identifier(c),
        "status": PROCEDURE_STATUS[case.status],
        "statusReason": _concept(
            [Code(LOCAL_CANCEL_REASON, reason.value, reason.label)],
            c.base,
            messages.FHIR_CANCELLED.format(reason=reason.label),
        )
        if reason
        else None,
        "code": _concept([PILD], c.base, messages.FHIR_PROCEDURE_TEXT),
        "subject": c.ref("patient"),
        "encounter": c.ref("encounter"),
        "performedPeriod": {
            "start": c.moment(case.procedure_started_at),
            "end": c.moment(case.procedure_ended_at),
        },
        "performer": [{"actor": {"display": case.provider}}] if case.provider else [],
        "reasonCode": [_concept([LUMBAR_STENOSIS], c.base, messages.FHIR_INDICATION_TEXT)],
        "bodySite": [_concept([LUMBAR_SPINE], c.base, _levels_text(case))],
        "note": [{"text": n} for n in notes if n],
    }


def _flag_code(condition: Condition) -> Code:
    return Code(LOCAL_INTAKE_FLAG, condition.value, CONDITION_LABELS[condition])


def _conditions(c: _Case) -> Iterator[tuple[str, Resource]]:
    for facts in c.case.conditions:
        if facts.condition in ALLERGIES:
            continue
        codes = (*CONDITION_CODES[facts.condition], _flag_code(facts.condition))
        yield (
            c.url(f"condition/{facts.condition.value}"),
            {
                "resourceType": "Condition",
                # Flagged at intake as what the patient has: active on the problem list.
                "clinicalStatus": _concept([_active("condition-clinical")], c.base),
                "category": [_concept([PROBLEM_LIST], c.base)],
                "code": _concept(codes, c.base, CONDITION_LABELS[facts.condition]),
                "subject": c.ref("patient"),
                "encounter": c.ref("encounter"),
                "note": [{"text": facts.details}] if facts.details else [],
            },
        )


def _allergies(c: _Case) -> Iterator[tuple[str, Resource]]:
    for facts in c.case.conditions:
        if facts.condition not in ALLERGIES:
            continue
        codes = (*ALLERGY_CODES[facts.condition], _flag_code(facts.condition))
        yield (
            c.url(f"allergy/{facts.condition.value}"),
            {
                "resourceType": "AllergyIntolerance",
                "clinicalStatus": _concept([_active("allergyintolerance-clinical")], c.base),
                "code": _concept(codes, c.base, CONDITION_LABELS[facts.condition]),
                "patient": c.ref("patient"),
                "encounter": c.ref("encounter"),
                "note": [{"text": facts.details}] if facts.details else [],
            },
        )


def _medication_notes(c: _Case, med: MedicationFacts) -> list[str]:
    notes = []
    given = med.name_given or med.drug
    if med.needs_review:
        notes.append(messages.FHIR_MED_REVIEW)
    elif med.drug != given:
        notes.append(messages.FHIR_MED_TABLE_ROW.format(drug=med.drug))
    if med.stop_before_hours is not None or med.skip_on_day:
        stop = stop_text(from_hours(med.stop_before_hours), med.skip_on_day)
        notes.append(messages.FHIR_MED_HOLD.format(stop=stop))
    if med.last_dose_by is not None:
        notes.append(messages.FHIR_MED_LAST_DOSE_BY.format(when=c.words(med.last_dose_by)))
    if restart := restart_text(from_hours(med.restart_after_hours), med.restart_instruction):
        notes.append(messages.FHIR_MED_RESTART.format(restart=restart))
    if med.cleared_by:
        who = f"{med.cleared_by}, {c.words(med.cleared_at)}" if med.cleared_at else med.cleared_by
        notes.append(messages.FHIR_MED_CLEARED.format(who=who))
    if med.glp1_decision:
        decision = Glp1Decision(med.glp1_decision).label
        notes.append(messages.FHIR_MED_GLP1.format(decision=decision))
    if med.last_dose_taken_at is not None:
        via = messages.REPORTED_VIA_LABELS.get(med.last_dose_reported_via or "")
        reported = messages.FHIR_MED_REPORTED_VIA if via else messages.FHIR_MED_REPORTED
        notes.append(reported.format(via=via, when=c.words(med.last_dose_taken_at)))
    return notes


def on_hold(med, discharged_at: dt.datetime | None) -> bool:
    """A drug held for the procedure (a stop before the day, or no dose on it) whose last dose
    the patient reported, before discharge: paused, to be taken again (FHIR R4
    MedicationStatement.status "on-hold": temporarily halted, expected to continue)."""
    held = med.stop_before_hours is not None or med.skip_on_day
    return held and med.last_dose_taken_at is not None and discharged_at is None


def _medications(c: _Case) -> Iterator[tuple[str, Resource]]:
    for n, med in enumerate(c.case.medications, start=1):
        paused = on_hold(med, c.case.discharged_at)
        yield (
            c.url(f"medication/{n}"),
            {
                "resourceType": "MedicationStatement",
                # The drug the patient takes, as intake recorded it: on hold from the last dose
                # before the day until its restart after discharge (the hold in the notes);
                # active otherwise, never "stopped".
                "status": "on-hold" if paused else "active",
                "medicationCodeableConcept": {"text": med.name_given or med.drug},
                "subject": c.ref("patient"),
                "context": c.ref("encounter"),
                # While on hold the period taken ends at the last dose the patient reported;
                # after the restart the last dose before the day is told in the notes only.
                "effectivePeriod": {"end": c.moment(med.last_dose_taken_at)} if paused else None,
                "dateAsserted": c.moment(med.last_dose_reported_at),
                "dosage": [{"text": med.dose}] if med.dose else [],
                "note": [{"text": t} for t in _medication_notes(c, med)],
            },
        )


# --- Observations: baseline, follow-ups, the discharge score -------------------------------------


@dataclass(frozen=True)
class _Measure:
    key: str
    code: Code
    text: str
    unit: str | None  # a UCUM unit for a quantity; None for a whole-number score


MEASURES: tuple[_Measure, ...] = (
    _Measure("nprs", NPRS, messages.FHIR_NPRS, None),
    _Measure("odi", ODI, messages.FHIR_ODI, "%"),
    _Measure("walk_minutes", WALK_MINUTES, messages.FHIR_WALK_MINUTES, "min"),
    _Measure("stand_minutes", STAND_MINUTES, messages.FHIR_STAND_MINUTES, "min"),
)


def _value(measure: _Measure, value: float) -> Resource:
    if measure.unit is None:
        return {"valueInteger": int(value)}
    return {
        "valueQuantity": {
            "value": value,
            "unit": measure.unit,
            "system": UCUM,
            "code": measure.unit,
        }
    }


def _timepoints(case: CaseSnapshot) -> Iterator[tuple[str, str, dt.datetime | None, Any]]:
    """(key, words, when, values) for the baseline and each completed follow-up with scores."""
    yield (
        "baseline",
        messages.FHIR_BASELINE,
        None,  # when intake took the baseline is not recorded: no time is given
        {
            "nprs": case.baseline_nprs,
            "odi": case.baseline_odi,
            "walk_minutes": case.baseline_walk_minutes,
            "stand_minutes": case.baseline_stand_minutes,
        },
    )
    for fu in case.follow_ups:
        if fu.reached:
            values = {m.key: getattr(fu, m.key) for m in MEASURES}
            yield fu.kind.value, fu.kind.label, fu.completed_at, values


def _observations(c: _Case) -> Iterator[tuple[str, Resource]]:
    calls = {fu.kind.value for fu in c.case.follow_ups if _is_call(fu)}
    for key, words, when, values in _timepoints(c.case):
        for measure in MEASURES:
            value = values.get(measure.key)
            if value is None:
                continue
            yield (
                c.url(f"observation/{key}/{measure.key}"),
                {
                    "resourceType": "Observation",
                    "identifier": [
                        {
                            "system": c.local(OBSERVATION_SYSTEM),
                            "value": f"{c.case.code}/{key}/{measure.key}",
                        }
                    ],
                    "status": "final",
                    "category": [_concept([SURVEY], c.base)],
                    "code": _concept([measure.code], c.base, measure.text),
                    "subject": c.ref("patient"),
                    "effectiveDateTime": c.moment(when),
                    **_value(measure, value),
                    "note": [{"text": words}],
                    "derivedFrom": [c.ref(f"call/{key}")] if key in calls else [],
                },
            )
    if c.case.discharge_score is not None:
        yield c.url("observation/discharge-score"), _discharge_score(c, c.case.discharge_score)


def _discharge_score(c: _Case, score: ScoreFacts) -> Resource:
    scale = score.scale
    key = f"discharge-score-{scale.value}" if scale else "discharge-score"
    label = scale.label if scale else messages.FHIR_DISCHARGE_SCORE
    items = DISCHARGE_COMPONENTS[scale] if scale else ()
    return {
        "resourceType": "Observation",
        "identifier": [
            {"system": c.local(OBSERVATION_SYSTEM), "value": f"{c.case.code}/discharge/{key}"}
        ],
        "status": "final",
        "category": [_concept([EXAM], c.base)],
        "code": _concept(
            [Code(LOCAL_OBSERVATION, key, label)], c.base, scale.version if scale else label
        ),
        "subject": c.ref("patient"),
        "encounter": c.ref("encounter"),
        "effectiveDateTime": c.moment(score.at),
        "valueInteger": score.total,
        "referenceRange": [
            {
                "low": {"value": DISCHARGE_SCORE_PASS},
                "text": messages.FHIR_DISCHARGE_PASS.format(mark=DISCHARGE_SCORE_PASS),
            }
        ],
        "component": [
            {
                "code": _concept(
                    [Code(LOCAL_OBSERVATION, f"{key}-{item.key}", item.label)], c.base
                ),
                "valueInteger": score.items[item.key],
            }
            for item in items
            if score.items.get(item.key) is not None
        ],
    }


# --- The next-day call, and the red flags it escalated -------------------------------------------


def _is_call(fu: FollowUpFacts) -> bool:
    return fu.kind == FollowUpKind.NEXT_DAY_CALL and fu.reached


def _answer(link_id: str, text: str, *answers: Resource) -> Resource | None:
    """A questionnaire item with its answers; None (left out) when nothing was answered."""
    given = [a for a in answers if next(iter(a.values())) is not None]
    return {"linkId": link_id, "text": text, "answer": given} if given else None


def _call_items(c: _Case, fu: FollowUpFacts) -> list[Resource | None]:
    temperature = (
        {"value": fu.temperature_c, "unit": "Cel", "system": UCUM, "code": "Cel"}
        if fu.temperature_c is not None
        else None
    )
    incision = (
        Code(LOCAL_INCISION, fu.incision.value, fu.incision.label).coding(c.base)
        if fu.incision
        else None
    )
    flags = [Code(LOCAL_RED_FLAG, f.value, f.label).coding(c.base) for f in fu.red_flags]
    return [
        _answer("pain", messages.FHIR_Q_PAIN, {"valueInteger": fu.nprs}),
        _answer("temperature", messages.FHIR_Q_TEMPERATURE, {"valueQuantity": temperature}),
        _answer("swelling", messages.FHIR_Q_SWELLING, {"valueBoolean": fu.swelling}),
        _answer("bruising", messages.FHIR_Q_BRUISING, {"valueBoolean": fu.bruising}),
        _answer("incision", messages.FHIR_Q_INCISION, {"valueCoding": incision}),
        _answer("medication", messages.FHIR_Q_MEDICATION, {"valueBoolean": fu.meds_as_prescribed}),
        _answer(
            "work",
            messages.FHIR_Q_WORK,
            {"valueDate": fu.returned_to_work_on.isoformat() if fu.returned_to_work_on else None},
        ),
        # The call records the red flags it found: none found is an answer too.
        _answer("any_red_flag", messages.FHIR_Q_ANY_RED_FLAG, {"valueBoolean": bool(flags)}),
        _answer("red_flags", messages.FHIR_Q_RED_FLAGS, *({"valueCoding": f} for f in flags)),
        _answer("notes", messages.FHIR_Q_NOTES, {"valueString": fu.notes}),
        _answer("escalation", messages.FHIR_Q_ESCALATION, {"valueString": fu.escalation_note}),
        _answer("resolution", messages.FHIR_Q_RESOLUTION, {"valueString": fu.resolution_note}),
    ]


def _calls(c: _Case) -> Iterator[tuple[str, Resource]]:
    for fu in c.case.follow_ups:
        if not _is_call(fu):
            continue
        yield (
            c.url(f"call/{fu.kind.value}"),
            {
                "resourceType": "QuestionnaireResponse",
                "questionnaire": c.local(NEXT_DAY_CALL_FORM),
                "status": "completed",
                "subject": c.ref("patient"),
                "authored": c.moment(fu.completed_at),
                "source": c.ref("patient"),  # the patient answered; the nurse charted
                "item": [i for i in _call_items(c, fu) if i is not None],
            },
        )


def _flags(c: _Case) -> Iterator[tuple[str, Resource]]:
    """One Flag per red flag of each escalation: active until the escalation is resolved."""
    for fu in c.case.follow_ups:
        if fu.escalated_at is None:
            continue
        codes: Iterable[Code | None] = [
            Code(LOCAL_RED_FLAG, f.value, f.label) for f in fu.red_flags
        ] or [None]
        for code in codes:
            yield (
                c.url(f"flag/{fu.kind.value}/{code.code if code else 'escalation'}"),
                {
                    "resourceType": "Flag",
                    "status": "active" if fu.escalation_resolved_at is None else "inactive",
                    "category": [_concept([CLINICAL_FLAG], c.base)],
                    "code": _concept(
                        [code] if code else [],
                        c.base,
                        code.display if code else messages.FHIR_ESCALATED,
                    ),
                    "subject": c.ref("patient"),
                    "period": {
                        "start": c.moment(fu.escalated_at),
                        "end": c.moment(fu.escalation_resolved_at),
                    },
                },
            )


# --- Files ---------------------------------------------------------------------------------------


def resource_counts(bundles: Iterable[Resource]) -> dict[str, int]:
    """How many resources of each type the Bundles hold (for the audit row: no patient data)."""
    counts = Counter(e["resource"]["resourceType"] for b in bundles for e in b["entry"])
    return dict(sorted(counts.items()))


def bundle_json(bundle: Resource) -> str:
    return json.dumps(bundle, indent=2, ensure_ascii=False) + "\n"


def ndjson(bundles: Iterable[Resource]) -> str:
    """One Bundle per line (newline-delimited JSON, as FHIR bulk data uses)."""
    return "".join(json.dumps(b, ensure_ascii=False, separators=(",", ":")) + "\n" for b in bundles)
