"""Messages of the day-of checklist as first written: ticking and un-ticking, hard stops, the
discharge score, the escort, steps left open and the lock once discharged (its clinical
revision of 2026-12: clinical.py)."""

# Checklist
UNKNOWN_STEP = "There is no checklist step {step!r}."
# A step's or a status's label is named in quotes: "Discharged", "Consent signed", "Intake"
# read as names inside any sentence ("Discharged is blocked" did not, issue 13).
CHECKLIST_NOT_OPEN = 'The checklist cannot be changed while the case\'s status is "{status}".'
STEP_ALREADY_DONE = '"{step}" is already ticked.'
STEP_NOT_DONE = '"{step}" is not ticked.'
HARD_STOP = '"{step}" cannot be ticked yet. Missing: {missing}.'
UNTICK_REASON_REQUIRED = "Give a reason for un-ticking."
STATUS_STEP_CANNOT_BE_UNDONE = (
    '"{step}" moved the case on and cannot be un-ticked; cancel or correct the case instead.'
)
STEP_VALUE_REQUIRED = "Enter a value for {step}."
STEP_VALUE_NOT_A_CHOICE = "Choose one of the listed options for {step}."
STEP_VALUE_NOT_A_NUMBER = '"{step}" must be a number.'
DISCHARGE_SCORE_RANGE = "The discharge score is a whole number from 0 to 10."
DISCHARGE_SCORE_NOT_PASSING = "Discharge score of {min} or more"
GLUCOSE_RANGE = "Glucose must be between 10 and 1000 mg/dL."

# Day-of checklist screen
STEP_NOT_APPLICABLE = '"{step}" does not apply to this patient ({reason}).'
NOT_APPLICABLE_NOT_DIABETIC = "not diabetic"
NOT_APPLICABLE_ULTRASOUND = "imaging is ultrasound"
DISCHARGE_SCALE_REQUIRED = "Choose the scale: modified Aldrete or PADSS."
DISCHARGE_COMPONENT_UNKNOWN = "There is no discharge score item {component!r} on this scale."
DISCHARGE_COMPONENT_REQUIRED = "Score {component} (0, 1 or 2)."
DISCHARGE_COMPONENT_RANGE = "{component} is scored 0, 1 or 2."
DISCHARGE_SCORE_RECORDED = "Discharge score {total} recorded."
DISCHARGE_SCORE_NOT_READY = (
    "Failing: a score of {total} is not ready for discharge (needs {min} or more). "
    "Score again when the patient is ready: each score is kept with its time."
)
ESCORT_NAME_REQUIRED = "Enter the escort's name."
ESCORT_RELATIONSHIP_REQUIRED = "Enter the escort's relationship to the patient."
ESCORT_PHONE_REQUIRED = "Enter the escort's phone number."
ESCORT_PHONE_FORMAT = "The escort's phone number needs at least {n} digits."
ESCORT_CONFIRMED_SAVED = "Escort confirmed."
NO_ESCORT_ARRANGED = "No escort arranged at intake: confirm one before discharge."
STEP_TICKED = "{step}: done."
STEP_UNTICKED = "{step}: un-ticked. The earlier tick stays in its history."
CHOOSE_A_CASE = "Choose a patient to open their checklist."
PROCEDURE_OVER_PLANNED = "Over the planned {planned} minutes."

# Steps still open at discharge, and the lock once discharged
DISCHARGE_OPEN_STEPS = (
    "Still open before discharge: {steps}. Complete them first, or confirm below that the "
    "patient leaves with them open."
)
DISCHARGE_CONFIRM_OPEN = "Discharge with the steps above still open"
DISCHARGE_NOTHING_OPEN = "Every other step is done."
DISCHARGE_OPEN_NOT_CONFIRMED = (
    "Not discharged. Still open: {steps}. Complete them, or confirm the discharge with them open."
)
DISCHARGED_WITH_OPEN_STEPS = "Discharged with steps open: {steps}"
CHECKLIST_LOCKED = (
    "Discharged at {when} by {who}. The checklist is locked: nothing can be ticked or un-ticked."
)
STAFF_NOT_RECORDED = "a user not on record"
STEP_LEFT_OPEN = "Not done before discharge."
