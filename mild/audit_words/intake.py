"""Intake in words: the assessment, baseline scores, escort and coverage, each listed drug and
its hold, and the flagged conditions with their clearances."""

from __future__ import annotations

from typing import Any

from mild import messages
from mild.audit_words.core import (
    Event,
    Names,
    Renderer,
    change,
    changes,
    joined,
    labelled,
    lower_first,
    moment,
    plain,
    quoted,
    then,
    with_note,
)
from mild.glp1 import Glp1Decision
from mild.hold_rules import MedClass
from mild.intake import Condition
from mild.medications import NO_RELEVANCE

_ASSESSMENT = {
    "asa_class": "ASA class",
    "height_cm": "height (cm)",
    "weight_kg": "weight (kg)",
    "baseline_nprs": "baseline pain (NPRS)",
    "baseline_walk_minutes": "walking tolerance (min)",
    "baseline_stand_minutes": "standing tolerance (min)",
    "works": "works",
}
_HOLD = {
    "drug": "drug",
    "class": "class",
    "stop_before_hours": "stop (hours before)",
    "no_dose_on_the_day": "no dose on the day",
    "restart_after_hours": "restart (hours after)",
    "needs_clearance": "prescriber clearance needed",
    "last_dose_by": "last dose by",
    "hold_days": "hold (days)",
}
_VIA = messages.REPORTED_VIA_LABELS


def _hold_value(zone: str):
    def show(key: str, value: Any) -> str:
        if key == "class":
            return lower_first(labelled(MedClass, value))
        if key == "last_dose_by" and value:
            return moment(value, zone)
        return plain(value)

    return show


def _drug(d: dict[str, Any]) -> str:
    """The drug a medication row is about, however the detail names it."""
    for source in (d, d.get("to") or {}, d.get("from") or {}):
        if isinstance(source, dict) and source.get("drug"):
            return str(source["drug"])
    return "a drug"


def assessment(e: Event, n: Names) -> str:
    d = e.detail
    changed = d.get("changed") or {}
    before = {k: v.get("from") for k, v in changed.items() if isinstance(v, dict)}
    after = {k: v.get("to") for k, v in changed.items() if isinstance(v, dict)}
    bmi = f"BMI {plain(d['bmi'])}" if d.get("bmi") is not None else ""
    flagged = (
        f"flagged {lower_first(labelled(Condition, d['flagged']))}" if d.get("flagged") else ""
    )
    details = joined(changes(before, after, _ASSESSMENT), bmi, flagged)
    return then("saved the assessment", details)


def baseline_odi(e: Event, n: Names) -> str:
    d = e.detail
    was = f" (was {plain(d.get('from'))})" if d.get("from") is not None else ""
    return f"saved the baseline ODI: {plain(d.get('to'))}{was}"


def _escort(value: Any) -> str:
    if not isinstance(value, list) or not any(value):
        return "none"
    name, *rest = value
    relationship = rest[0] if len(rest) == 2 else None
    phone = rest[-1] if rest else None
    text = str(name or "no name")
    text += f" ({relationship})" if relationship else ""
    return text + (f", {phone}" if phone else "")


def escort(e: Event, n: Names) -> str:
    d = e.detail
    before = _escort(d.get("from"))
    was = "" if before == "none" else f" (was {before})"
    return f"saved the escort: {_escort(d.get('to'))}{was}"


def _coverage(value: Any) -> str:
    if not isinstance(value, list) or len(value) != 3 or value[0] is None:
        return "not answered"
    medicare, enrolled, nct = value
    if not medicare:
        return "not Medicare"
    study = f"in CMS study {nct}" if enrolled else "not in a CMS study"
    return f"Medicare, {study}" if nct or not enrolled else "Medicare, in a CMS study"


def medicare(e: Event, n: Names) -> str:
    d = e.detail
    return f"saved the coverage: {change(d.get('from'), d.get('to'), _coverage)}"


def medication_added(e: Event, n: Names) -> str:
    d = e.detail
    dose = f" {d['dose']}" if d.get("dose") else ""
    kind = d.get("class_label") or labelled(MedClass, d.get("class"))
    typed = d.get("name_given")
    as_typed = f" (typed {quoted(typed)})" if typed and str(typed).lower() != _drug(d) else ""
    hold = []
    if d.get("stop_before_hours") is not None:
        hold.append(f"stop {plain(d['stop_before_hours'])} h before")
    if d.get("no_dose_on_the_day"):
        hold.append("no dose on the day")
    if d.get("last_dose_by"):
        hold.append(f"last dose by {moment(d['last_dose_by'], e.zone)}")
    return f"added {_drug(d)}{dose}{as_typed}, {lower_first(kind)}" + (
        f": {', '.join(hold)}" if hold else ""
    )


def dose_changed(e: Event, n: Names) -> str:
    d = e.detail
    return f"changed the dose of {_drug(d)}: {change(d.get('from'), d.get('to'))}"


def medication_removed(e: Event, n: Names) -> str:
    dose = e.detail.get("dose")
    return f"removed {_drug(e.detail)}" + (f" {dose}" if dose else "")


def _hold_change(e: Event) -> str:
    d = e.detail
    return changes(d.get("from"), d.get("to"), _HOLD, _hold_value(e.zone))


def reclassed(e: Event, n: Names) -> str:
    row = e.detail.get("hold_rule")
    by = f" by the hold table's {row} row" if row else " by the hold table"
    return joined(f"re-classed {_drug(e.detail)}{by}", _hold_change(e))


def last_dose(e: Event, n: Names) -> str:
    d = e.detail
    via = _VIA.get(d.get("via"), "")
    taken = moment(d.get("to"), e.zone) if d.get("to") else "none"
    return f"charted the last dose of {_drug(d)}: {taken}" + (f" (asked {via})" if via else "")


def glp1_decided(e: Event, n: Names) -> str:
    d = e.detail
    risk = "elevated risk" if d.get("elevated_risk") else "no elevated risk"
    decision = d.get("decision")
    decided = f"; decision: {lower_first(labelled(Glp1Decision, decision))}" if decision else ""
    by = f" ({d['decided_by']})" if d.get("decided_by") else ""
    return f"screened {_drug(d)} for GLP-1 risk: {risk}{decided}{by}"


def reviewed(e: Event, n: Names) -> str:
    d = e.detail
    choice = d.get("choice")
    placed = (
        "as having no bleeding or fasting relevance"
        if choice == NO_RELEVANCE
        else f"with the hold table's {choice} row"
    )
    return with_note(f"placed the unknown drug {_drug(d)} {placed}", d.get("reason"))


def hold_confirmed(e: Event, n: Names) -> str:
    d = e.detail
    by = f" (last dose by {moment(d['last_dose_by'], e.zone)})" if d.get("last_dose_by") else ""
    return f"confirmed the {_drug(d)} hold with the patient{by}"


def prescriber_cleared(e: Event, n: Names) -> str:
    d = e.detail
    hours = d.get("agreed_stop_hours")
    agreed = (
        ""
        if hours is None
        else "; continue the drug"
        if hours == 0
        else f"; stop {plain(hours)} h before"
    )
    return f"recorded {d.get('prescriber')}'s clearance to stop {_drug(d)}{agreed}"


def kidney_function(e: Event, n: Names) -> str:
    d = e.detail
    return joined(
        f"changed the {_drug(d)} stop by kidney function (eGFR {plain(d.get('egfr'))})",
        _hold_change(e),
    )


def _condition(e: Event) -> str:
    return lower_first(labelled(Condition, e.detail.get("condition")))


def condition_flagged(e: Event, n: Names) -> str:
    return with_note(f"flagged {_condition(e)}", e.detail.get("details"))


def condition_details(e: Event, n: Names) -> str:
    d = e.detail
    return f"changed the details of {_condition(e)}: " + change(
        d.get("from"), d.get("to"), lambda v: quoted(v) if v else "none"
    )


def condition_cleared(e: Event, n: Names) -> str:
    needs = e.detail.get("clearance") or []
    return f"recorded the clearance for {_condition(e)}" + (f": {plain(needs)}" if needs else "")


RENDERERS: dict[str, Renderer] = {
    "intake.assessment_saved": assessment,
    "intake.baseline_odi_saved": baseline_odi,
    "intake.escort_saved": escort,
    "intake.driver_saved": escort,
    "intake.medicare_saved": medicare,
    "medication.added": medication_added,
    "medication.dose_changed": dose_changed,
    "medication.removed": medication_removed,
    "medication.reclassed": reclassed,
    "medication.last_dose_reported": last_dose,
    "medication.glp1_decided": glp1_decided,
    "medication.reviewed": reviewed,
    "medication.hold_confirmed": hold_confirmed,
    "medication.prescriber_cleared": prescriber_cleared,
    "medication.kidney_function_applied": kidney_function,
    "condition.flagged": condition_flagged,
    "condition.unflagged": lambda e, n: f"removed {_condition(e)}",
    "condition.details_changed": condition_details,
    "condition.cleared": condition_cleared,
}
