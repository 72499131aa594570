"""Medication actions: add a drug (matched to the practice's hold table by generic or brand
name), place a drug the table cannot (a row picked, with who and why), record the prescriber's
clearance, confirm the hold with the patient, record the last dose the patient reports (pre-op
call or on the day), and re-class open cases when an admin changes the table.

One transaction per action, the case locked first, an audit row each; a change that leaves a
case confirmed for its day not ready withdraws the confirmation (services.intake.finish).

One module a section, read as one (`from services import medications`): case_list.py (add,
the intake form's one save, dose, remove), holds.py (clearance, confirmation, placement, GLP-1,
last dose), reclass.py (re-dating, re-classing, kidney function), common.py (what they share).
"""

from services.medications.case_list import (
    ENTRY_FIELDS,
    SavedMedication,
    add_medication,
    change_medication_dose,
    remove_medication,
    save_medication,
)
from services.medications.common import has_timed_hold, hold_facts, rule_of
from services.medications.holds import (
    chart_last_dose,
    confirm_hold_with_patient,
    place_drug,
    record_glp1_decision,
    record_last_dose,
    record_prescriber_clearance,
)
from services.medications.reclass import (
    RECLASS_STATUSES,
    apply_kidney_function,
    reclass_open_cases,
    redate_holds,
)

__all__ = [
    "ENTRY_FIELDS",
    "RECLASS_STATUSES",
    "SavedMedication",
    "add_medication",
    "apply_kidney_function",
    "change_medication_dose",
    "chart_last_dose",
    "confirm_hold_with_patient",
    "has_timed_hold",
    "hold_facts",
    "place_drug",
    "reclass_open_cases",
    "record_glp1_decision",
    "record_last_dose",
    "record_prescriber_clearance",
    "redate_holds",
    "remove_medication",
    "rule_of",
    "save_medication",
]
