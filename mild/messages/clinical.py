"""Messages of the clinical rules revised to the published standard (2026-12): the hold table
per drug, the day-of checklist, discharge instructions, comorbidity values."""

# --- Clinical rules to the published standard (issue 9): holds per drug ---
DRUG_AMBIGUOUS = "The name alone cannot tell which row applies: pick {options}."
STOP_BEFORE = "stop {duration} before"
NO_DOSE_ON_THE_DAY = "no dose on the morning of the procedure"
NO_TIMED_STOP = "no timed stop"
HOLD_STILL_UNDER_REVIEW = "{drug}: still needs review (pick its class from the hold table)"
HOLD_LAST_DOSE_NOT_REPORTED = "{drug}: ask and record the patient's last dose"
HOLD_LAST_DOSE_TOO_RECENT = (
    "{drug}: last dose {taken}, later than the hold allows ({stop}; no dose after {allowed})"
)
LAST_DOSE_BY = "last dose by {when}"
LAST_DOSE_REPORTED = "Last dose taken {when} (reported {via}, {who})"
LAST_DOSE_NOT_REPORTED = "Last dose: not yet reported"
LAST_DOSE_REQUIRED = "Enter the date and time of the last dose as the patient reports it."
LAST_DOSE_IN_FUTURE = "The last dose cannot be in the future."
LAST_DOSE_TOO_OLD = "That last dose is more than a year ago: check the date."
LAST_DOSE_NOT_HELD = "{drug} has no hold: there is no last dose to record."
LAST_DOSE_WINDOW_CLOSED = "Last doses are recorded until anesthesia starts; this case is {status}."
LAST_DOSE_SAVED = "Last dose of {drug} recorded."
DRUG_REVIEW_WINDOW_CLOSED = (
    "A drug is placed in the hold table until anesthesia starts; this case is {status}."
)
DRUG_PLACED = "{drug} placed."
REPORTED_VIA_LABELS = {
    "pre_op_call": "at the pre-op call",
    "day_of": "on the day",
    "intake": "at intake",
}
REVIEW_CLASS_REQUIRED = (
    "Pick the hold-table row this drug follows, or 'no bleeding or fasting relevance'."
)
REVIEW_REASON_REQUIRED = "Say why (for example: the pharmacist confirmed it is a statin)."
REVIEW_ROW_UNKNOWN = "That row is not in the hold table (or not in use)."
DRUG_REVIEWED_AS = "Placed by {who}, {when}: {choice}. Why: {reason}"
NO_RELEVANCE_CHOICE = "No bleeding or fasting relevance"
HOLD_STOP_RANGE = "Stop before is a whole number of hours from 0 to {max}, or empty."
HOLD_RESTART_RANGE = "Restart after is a whole number of hours from 0 to {max}, or empty."
HOLD_NO_RELEVANCE_HAS_NO_STOP = (
    "A drug with no bleeding or fasting relevance has no stop: leave the hours empty."
)
HOLD_BRANDS_FORMAT = "Brand names are separated by ';' and use the characters a drug name may."
HOLD_SOURCE_REQUIRED = "Name the source of this row (guideline, label, or the practice's decision)."
HOLD_CONFIRMED_BY_REQUIRED = "Enter who at the practice confirmed this row."
HOLD_RULE_CONFIRMED = "Row {drug} confirmed by {who}."
HOLD_TABLE_RECLASSED = "Re-classed on open cases: {cases}."
HOLD_TABLE_NOTHING_RECLASSED = "No open case lists this drug."
RESTART_AT = "restart {when}"
RESTART_BY_INSTRUCTION = "restart as instructed: {instruction}"
PLANNED_LEVELS_FORMAT = (
    "Levels are adjacent lumbar interspaces such as L3-L4, separated by commas (L5-S1 included)."
)
PLANNED_SIDE_CHOICE = "Choose bilateral, left or right."
LAST_DOSE_SET_WHEN_BOOKED = "last dose: set when booked"
NAME_GIVEN = "Given as: {name}"
PLACE_CHOICE = "{drug} ({med_class}; {stop})"
RESTART_AFTER = "restart {duration} after the procedure"


# --- Day-of checklist (issue 9) ---
ESCORT_OR_EXEMPTION = "{step}, or the attending physician's exemption"
STEP_HAS_ITS_OWN_FORM = '"{step}" is recorded with its own form on the checklist.'
NOT_APPLICABLE_ESCORT_EXEMPT = "exempted from the escort rule by the attending physician"
EVENT_TIME_NOT_TIMED = '"{step}" has no event time to correct.'
EVENT_TIME_REQUIRED = "Enter the time the event happened."
EVENT_TIME_IN_FUTURE = "An event time cannot be in the future."
EVENT_TIME_TOO_OLD = "That time is more than 24 hours ago: check the time."
EVENT_TIME_BEFORE = '"{step}" cannot be before "{other}" ({at}).'
EVENT_TIME_AFTER = '"{step}" cannot be after "{other}" ({at}).'
EVENT_TIME_REASON_REQUIRED = (
    "Say why the time is corrected (for example: ticked after the patient came in)."
)
EVENT_TIME_CORRECTED = "{step}: time corrected to {at}."
EVENT_TIME_CHARTED = "happened {event}, charted {charted}"
TIME_CORRECTED_ROW = "Time corrected to {at}"
LEVEL_SIDE_AS_BOOKED = "As booked: {booked}"
LEVEL_SIDE_NOT_BOOKED = (
    "The booking has no levels or side: enter the levels and side the team confirmed."
)
BOOKED_LEVEL_SIDE = "Booked: {booked}"
NO_LEVEL_SIDE_BOOKED = (
    "The booking names no levels or side: type the levels and side the team confirmed."
)
ANTIBIOTIC_CHOICE_REQUIRED = "Say whether antibiotic prophylaxis was given or not used."
ANTIBIOTIC_TIME_REQUIRED = "Enter the time the antibiotic was given."
ANTIBIOTIC_IN_FUTURE = "The antibiotic time cannot be in the future."
ANTIBIOTIC_TOO_EARLY = (
    "Given at {at}: more than 60 minutes before the time-out. Re-dose as ordered and record "
    "the new time."
)
ANTIBIOTIC_NOT_USED = "Not used"
ANTIBIOTIC_GIVEN = "Given at {at}"
ANTIBIOTIC_OPTIONS = ("Given", "Not used")
ESCORT_HIRED_DRIVER = (
    "A taxi or rideshare driver alone is not an escort: the patient needs a responsible adult "
    "to go home with (42 CFR 416.52(c)(3); AANA). Ask for another adult, or for the attending "
    "physician's exemption."
)
ESCORT_RELATIONSHIP_OTHER = "Relationship, in words"
EXEMPTION_PHYSICIAN_REQUIRED = "Enter the name of the attending physician who exempts the patient."
EXEMPTION_REASON_REQUIRED = "Say why the physician exempts the patient from the escort rule."
EXEMPTION_ALREADY = "The patient is already exempted from the escort rule by {who}."
EXEMPTION_SAVED = "Escort exemption by {who} recorded."
ESCORT_EXEMPTED = (
    "Exempted from the escort rule by {who}, {when}: {reason} (recorded by {recorder})"
)
EXEMPTION_HELP = (
    "Only the attending physician may exempt a patient from the escort rule; the exemption, "
    "who gave it and why are kept on the case and in the audit trail."
)
DISCHARGE_SCORE_AGAIN = "Score again"
INTAKE_LEFT_OPEN = "Missing from intake ({n}):"  # the items name what is still to do
HEADER_IDENTITY = "{age} years · born {born} · MRN {mrn} · Case {code}"
# The code the display shows (mild.waiting_codes), kept on one line with its words.
HEADER_WAITING_CODE = " · Waiting\u00a0room\u00a0{code}"
NO_ALLERGY_RECORDED = "No allergy recorded at intake"
ALLERGIES_LINE = "**Allergies:** {allergies}"
CASE_DETAILS = "Case details: provider, booking, drugs and holds, escort"
DAY_TABLE = "Today's cases at {office}: tap a row to open it"
# The day-of header's flags (mild.case_flags), each a short badge
FLAG_ANTICOAGULANT_HELD = "Anticoagulant held: {drugs}"
FLAG_ANTICOAGULANT_CONTINUED = "Anticoagulant continued: {drugs}"
FLAG_ANTIPLATELET_HELD = "Antiplatelet held: {drugs}"
FLAG_ANTIPLATELET_CONTINUED = "Antiplatelet continued: {drugs}"
FLAG_GLP1 = "GLP-1 agonist: {drugs}"
FLAG_UNDER_REVIEW = "Drug under review: {drugs}"
HELD_DRUGS_NONE = "No drug on this case is held or still under review."
HELD_DRUG_NAME_GIVEN = "{drug} (given as {name})"
HELD_DRUG_STOP = "Required: {stop}"
HELD_DRUG_LAST_DOSE_BY = "Latest allowed last dose: {when}"
HELD_DRUG_NO_DEADLINE = "Latest allowed last dose: not set (no timed stop, or not booked)"
HELD_DRUG_UNDER_REVIEW = "Still under review: intake must place this drug in the hold table."
LAST_DOSE_RECORD = "Record the last dose reported today"
RESTART_NOT_YET = "restart time follows the procedure end ({after} after it)"
RESTART_NONE = "No held drug to restart."
RESTART_HEADING = "Restart of held drugs (from the procedure end):"

# --- Discharge instructions (issue 9) ---
INSTRUCTIONS_PREPARE = "Prepare discharge instructions"
INSTRUCTIONS_DOWNLOAD = "Download discharge instructions (PDF)"
INSTRUCTIONS_PREPARED = "Discharge instructions prepared (version {version}): download and print."
INSTRUCTIONS_NO_OFFICE_PHONE = (
    "This office has no phone number on file: write it on the printout by hand, and ask an "
    "admin to add it."
)
INSTRUCTIONS_NOT_PREPARED = "The discharge instructions could not be prepared: try again."
GLP1_SCREEN_UNKNOWN = "That is not one of the GLP-1 risk questions."
GLP1_DECISION_REQUIRED = "Choose the decision: continue, continue with a liquid diet, or hold."
GLP1_ELEVATED_NEEDS_DIET = (
    "The screen found elevated risk: continue with a 24 h liquid diet, or hold if the "
    "anesthesia team decides."
)
GLP1_HOLD_NEEDS_ANESTHESIA = "Name the anesthesia clinician who decided to hold the drug."
GLP1_NOT_SCREENED = "GLP-1 risk screen and decision: not yet recorded."
GLP1_RISK_ELEVATED = "Elevated risk ({factors})."
GLP1_RISK_NOT_ELEVATED = "No risk factor found."
GLP1_NOT_A_GLP1 = "{drug} is not a GLP-1 agonist."
READY_GLP1 = "GLP-1 risk screen and decision: {drug}"
GLP1_SCREEN_TITLE = "GLP-1 risk screen and decision (2024 guidance)"
GLP1_DECIDED_BY = "Hold decided by {who} (anesthesia)"

# --- Comorbidity values (issue 9) ---
CLEARANCE_DATE_REQUIRED = "Enter the date."
CLEARANCE_DATE_FUTURE = "The date cannot be in the future."
CLEARANCE_DATE_TOO_OLD = "A value older than {years} years is no clearance: enter a recent one."
HBA1C_RANGE = "HbA1c is a percentage from {low} to {high}."
EGFR_RANGE = "eGFR is a number from {low} to {high} mL/min/1.73 m2."
NECK_RANGE = "Neck circumference is from {low} to {high} cm."
SEX_REQUIRED = "Choose the patient's sex (STOP-Bang counts male sex)."
STOP_BANG_UNKNOWN_ITEM = "That is not a STOP-Bang question."
DEVICE_TYPE_REQUIRED = "Choose the type of device."
DEVICE_FIELD_REQUIRED = "Required for a pacemaker or defibrillator (ASA advisory 2020)."
PACING_DEPENDENT_REQUIRED = "Say whether the patient is pacing-dependent."
CARDIOLOGIST_REQUIRED = "Name the cardiologist who cleared the patient."
CLEARANCE_NEEDS_CONDITION = "Flag {condition} first: this clearance belongs to it."
EGFR_NOT_ASKED = "eGFR is recorded for kidney disease or a patient on dabigatran."
CLEARANCE_HAS_VALUES = "{condition}: record the values of its clearance, not a tick."
MEDICARE_REQUIRED = "Say whether the patient's coverage is Medicare."
MEDICARE_STUDY_ONLY_FOR_MEDICARE = (
    "Study enrolment and NCT number are recorded for Medicare patients only."
)
NCT_FORMAT = "An NCT number is NCT followed by 8 digits, e.g. NCT03610737."
NCT_WITHOUT_ENROLMENT = "Tick the enrolment: an NCT number is recorded with it."
MEDICARE_SAVED = "Coverage saved."
MEDICARE_HELP = (
    "Medicare covers MILD only inside a CMS-approved study (coverage with evidence development, "
    "NCD 150.13): record the enrolment and the study's NCT number."
)
READY_MEDICARE_STUDY = "Study enrolment and NCT number (Medicare)"
READY_MEDICARE_ANSWER = "Medicare coverage: yes or no (Medicare covers MILD only inside a study)"
LIMIT_HBA1C_HIGH = (
    "HbA1c {value}% is above the practice's limit of {limit}%: elective surgery is usually "
    "postponed"
)
# {age}: the limit in months, worded (messages.words.counted)
LIMIT_HBA1C_OLD = "HbA1c measured {day} is older than {age} on the procedure day"
LIMIT_EGFR_CONTRAST = "eGFR {value} is below {limit} {unit}: iodinated contrast needs a plan"
LIMIT_EGFR_DABIGATRAN = (
    "eGFR {value} is below {limit} {unit}: dabigatran is stopped {days} days before"
)
LIMIT_EGFR_OLD = "eGFR measured {day} is older than {age} on the procedure day"
LIMIT_DEVICE_OLD = "{device} last interrogated {day}: older than {age} on the procedure day"
LIMIT_CARDIOLOGY_OLD = "Cardiology clearance of {day} is older than {age} on the procedure day"
LIMIT_UNKNOWN = "That limit does not exist."
LIMIT_RANGE = "Enter a value from {low} to {high} {unit}."
LIMIT_WHOLE_MONTHS = "Months are whole numbers."
LIMIT_ACTION_REQUIRED = "Choose whether the limit blocks confirmation or warns."
LIMIT_SOURCE_REQUIRED = 'Name the source, or write "practice policy (no published number)".'
LIMIT_CHANGED_BY_SOMEONE_ELSE = (
    "Someone else changed this limit meanwhile: discard your changes to see theirs."
)
LIMIT_SAVED = "Limit saved: {label}."
LIMITS_HELP = (
    "Limits intake checks comorbidity values against. Block: the case cannot be confirmed for "
    "its day while the value is over the limit; warn: intake shows it and the clinicians "
    "decide. Every change is audited."
)
INTAKE_WARNINGS = "To look at ({n}):"
STOP_BANG_RESULT = "STOP-Bang {score} of 8: {band} risk"
STOP_BANG_HIGH_BY_ALTERNATIVE = (
    "High by the alternative rule: 2 or more STOP answers with male sex, BMI over 35 or a "
    "thick neck"
)
STOP_BANG_NECK_AND_SEX = "Neck over 40 cm: {neck}; male: {male} (from the neck and sex below)"
VALUES_ON_FILE = "On file: {values} ({who}, {when})"
EGFR_FOR_DABIGATRAN = "Kidney function for dabigatran (its stop follows the eGFR)"
ON_FILE_HBA1C = "HbA1c {percent}% measured {day}"
ON_FILE_EGFR = "eGFR {value} mL/min/1.73 m2 measured {day}"
ON_FILE_STOP_BANG = "yes to: {yes}; neck {neck} cm; {sex}"
ON_FILE_DEVICE = (
    "{device}, {maker}, for {indication}; pacing-dependent: {dependent}; last interrogated "
    "{day}; plan: {plan}"
)
ON_FILE_CARDIOLOGY = "cleared by {who} on {day}"
INSTRUCTIONS_PRINT_FIRST = (
    "Prepare and print this patient's discharge instructions first: the tick records the "
    "version printed."
)
INSTRUCTIONS_GIVEN_BUTTON = "Instructions given to the patient"
LEVEL_SIDE_AS_BOOKED_BUTTON = "Level and side confirmed as booked"
ADMIN_OFFICE_PHONE_LABEL = "Phone for patients (printed on discharge instructions)"
LAST_DOSE_REPORTED_TOO_LATE = (
    "the last dose reported is later than the hold allows: tell the provider, or book a later day"
)
AGREED_STOP_RANGE = (
    "Enter the stop agreed with the prescriber in whole hours, 0 (continue the drug) to {max}."
)
AGREED_STOP_LABEL = "Stop agreed with the prescriber (hours before; 0: continue)"
INSTRUCTIONS_NOT_LATEST = (
    "That is not this patient's latest print on the current template: prepare the instructions "
    "again and give the patient the new sheet."
)
SITE_MARKED_BY_OTHER = (
    "The site is marked by the physician who will operate: {booked}, as booked. If another "
    "physician operates, change the case's provider first."
)
EXEMPTION_NOT_ATTENDING = (
    "Only the attending physician may exempt the patient from the escort rule: {booked}, as booked."
)
STOP_BANG_HOW_TO = "STOP-Bang: tick each answer that is yes"

# Fasting (mild.fasting: ASA 2017/2023)
FASTING_TIME_REQUIRED = "Enter the day and time (office time)."
FASTING_TIME_IN_FUTURE = "That time is in the future."
FASTING_TIME_TOO_OLD = "That is more than 3 days ago: check the day."
FASTING_FOOD_KIND_REQUIRED = "Say what the last food was: a light meal (or milk), or a fatty meal."
FASTING_CLEAR_LIQUID_REQUIRED = (
    "Enter the last clear liquid's time, or tick that none was taken since the last food."
)
FASTING_NO_CLEAR_LIQUID = "no clear liquid since"
FASTING_CLEAR_LIQUID_AT = "clear liquid {at}"
FASTING_REPORT = "Last {food} {food_at}; {clear}. Fasted for anesthesia from {fasted_from}"
FASTING_TIMES_MISSING = (
    "Fasting: the last clear liquid and food times are not recorded; ask the patient and record "
    "them"
)
FASTING_NOT_LONG_ENOUGH = "Fasting not long enough: {report}"
FASTING_HOW_TO = (
    "Ask the patient: the last clear liquid (water, clear juice, black coffee or tea, "
    "carbohydrate drinks) and the last food. Clear liquids up to 2 h before, a light meal or "
    "milk 6 h, a fatty or fried meal or meat 8 h. Chewing gum alone does not cancel."
)

# Point-of-care glucose against the practice's limits for proceeding (mild.dayof_checks)
GLUCOSE_NOT_RECORDED = "Point-of-care glucose not recorded (the patient has diabetes)"
GLUCOSE_LOW = (
    "Glucose {value} mg/dL is below the practice's limit of {limit} mg/dL: treat, re-check and "
    "record the new reading"
)
GLUCOSE_HIGH = (
    "Glucose {value} mg/dL is above the practice's limit for proceeding of {limit} mg/dL: "
    "tell the anesthesia provider; re-check and record the new reading"
)

# Antibiotic prophylaxis within 60 minutes before the incision (WHO 2009)
ANTIBIOTIC_BEFORE_INCISION = (
    "Antibiotic prophylaxis was given at {given}, more than 60 minutes before the incision at "
    "{incision}: give it again and record the new time"
)

TIME_CORRECTION_BREAKS_CHECK = '"{step}" cannot have happened then: {problems}.'
TIMES_STILL_CORRECTABLE = "Event times may still be corrected, with a reason, until {until}."
RECORD_AGAIN = "Record again (the latest counts)"
# A step's history opens on demand (a done step is one line): its button names the step, so a
# screen reader hears which history it opens.
HISTORY_OPEN = "History"
# A tick button names its step ("Mark done · Consent signed"): a screen reader hears which step
# it ticks (issue 13). A done step's line says so in words, not by its icon alone.
TICK_BUTTON = "{verb} · {step}"
MARK_DONE = "Mark done"
SAVE_AND_MARK_DONE = "Save and mark done"
STEP_DONE_LINE = "Done · {when} · {who}"
HISTORY_CLOSE = "Close history"
HISTORY_HELP = "{step}: who ticked and un-ticked it, when; un-tick or correct the time here"

# Safety events (mild.safety: CMS ASC-1 to ASC-4; hospital visits within 7 days)
SAFETY_KIND_REQUIRED = "Pick what happened."
SAFETY_TIME_REQUIRED = "Enter the day and time it happened (office time)."
SAFETY_TIME_IN_FUTURE = "That time is in the future."
SAFETY_TIME_OUTSIDE = "{kind}: the time must be between {earliest} and {latest}."
SAFETY_DESCRIPTION_REQUIRED = "Say what happened and what was done."
SAFETY_NOT_CHECKED_IN = "The patient has not been checked in: no day-of event to record yet."
SAFETY_NOT_DISCHARGED = "The patient has not been discharged yet."
SAFETY_RECORDED = "Safety event recorded: {kind}."
SAFETY_NONE = "No safety event recorded for this case."
SAFETY_HOW_TO = (
    "Report every patient burn, fall, wrong site, side, patient, procedure or implant, and any "
    "transfer or admission to hospital before discharge (CMS ASC-1 to ASC-4, all patients). "
    "It is counted in the office's safety measures with who recorded it."
)
SAFETY_AFTER_HOW_TO = (
    "An emergency department visit or a hospital admission within 7 days of discharge, as the "
    "patient or family reports it: counted in the office's 7-day hospital visits."
)
SAFETY_RECORDED_BY = "Recorded {when} by {who}"

# FHIR R4 export (mild.fhir): the texts inside the Bundle, and the export on the screens
FHIR_PROCEDURE_TEXT = "MILD: percutaneous image-guided lumbar decompression"
FHIR_INDICATION_TEXT = "Lumbar spinal stenosis (the indication for MILD)"
FHIR_BODY_SITE_TREATED = "Lumbar spine, levels treated: {levels}"
FHIR_BODY_SITE_BOOKED = "Lumbar spine, levels booked: {levels}"
FHIR_ANESTHESIA = "Anesthesia: {}"
FHIR_IMAGING = "Imaging: {}"
FHIR_CANCELLED = "Cancelled: {reason}"
FHIR_BASELINE = "Baseline, recorded at intake"
FHIR_DISCHARGE_SCORE = "Discharge score"
FHIR_DISCHARGE_PASS = "{mark} or more: ready for discharge (practice pass mark)"
FHIR_NPRS = "Pain (NPRS 0-10)"
FHIR_ODI = "Disability (ODI, %)"
FHIR_WALK_MINUTES = "Walking tolerance (minutes)"
FHIR_STAND_MINUTES = "Standing tolerance (minutes)"
FHIR_MED_HOLD = "Hold before the procedure: {stop}."
FHIR_MED_LAST_DOSE_BY = "Last dose no later than {when}."
FHIR_MED_RESTART = "After the procedure: {restart}."
FHIR_MED_REPORTED = "Last dose as the patient reported it: {when}."
FHIR_MED_REPORTED_VIA = "Last dose as the patient reported it {via}: {when}."
FHIR_MED_CLEARED = "Stop agreed with the prescriber: {who}."
FHIR_MED_REVIEW = "Not placed in the hold table yet: under review."
FHIR_MED_TABLE_ROW = "Hold table row: {drug}."
FHIR_MED_GLP1 = "GLP-1 agonist: {decision}."
FHIR_ESCALATED = "Escalated to the provider"
FHIR_Q_PAIN = "Pain now (NPRS 0-10)"
FHIR_Q_TEMPERATURE = "Temperature"
FHIR_Q_SWELLING = "Swelling"
FHIR_Q_BRUISING = "Bruising"
FHIR_Q_INCISION = "Incision"
FHIR_Q_MEDICATION = "Medication taken as prescribed"
FHIR_Q_WORK = "Back at work since"
FHIR_Q_ANY_RED_FLAG = "Any red flag"
FHIR_Q_RED_FLAGS = "Red flags"
FHIR_Q_NOTES = "Notes"
FHIR_Q_ESCALATION = "Escalation"
FHIR_Q_RESOLUTION = "Escalation resolved"
FHIR_BASE_INVALID = (
    "{env} must be an http(s) or urn: address without spaces, e.g. https://fhir.example.org/mild."
)
FHIR_OFFICE_REQUIRED = "Pick the office."
FHIR_RANGE_REQUIRED = "Enter the first and the last day."
FHIR_RANGE_BACKWARDS = "The last day is before the first."
FHIR_RANGE_TOO_LONG = "At most {days} days per file: export a longer span in parts."
FHIR_CASE_PREPARE = "Prepare the FHIR export (JSON)"
FHIR_CASE_DOWNLOAD = "Download the FHIR export"
FHIR_OFFICE_PREPARE = "Prepare the FHIR export (NDJSON)"
FHIR_OFFICE_DOWNLOAD = "Download the FHIR export (NDJSON)"
FHIR_PREPARED = (
    "FHIR R4 export ready ({resources} resources); it holds patient data and is audited."
)
FHIR_OFFICE_PREPARED = (
    "FHIR R4 export ready: {count} case(s), one Bundle per line; it holds patient data and is "
    "audited."
)
FHIR_NOT_PREPARED = "The FHIR export could not be prepared: try again, or ask an admin."
FHIR_NOT_ALLOWED = "Your role cannot export patient records."
FHIR_OFFICE_HELP = (
    "Every case booked at the office on the days chosen (office time) as a FHIR R4 Bundle, one "
    "per line (NDJSON), for the electronic health record. The file holds patient data: keep it "
    "where patient records may be kept. Each export is audited."
)
