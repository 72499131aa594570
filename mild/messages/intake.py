"""Messages of the intake screen: the request, the patient, readiness to confirm for the day,
booking, medications and their holds, conditions and clearances; its forms of issue 13 (the
request form's age, the medication table and its one form, the clearance day, US units, the
baseline ODI grid) first."""

# The patient
AGE_TODAY = "Age {age}"
BORN_WITH_AGE = "{born} (age {age})"

# Medications: the table and its one form to add a drug or change a row
MEDICATION_PICK_LABEL = "Add or change"
MEDICATION_NEW = "New medication"
MEDICATION_ADDED = "{drug} added."
MEDICATION_SAVED = "{drug} saved."
MEDICATION_REMOVED = "{drug} removed."
MEDICATION_TABLE_LABEL = "Medications and their holds"
MEDICATION_MATCHED = "Matched: {drug} · {facts}"
MEDICATION_CLEARANCE_NEEDED = "needed"
MEDICATION_CLEARANCE_NOT_NEEDED = "not needed"
MEDICATION_TOLD_NO = "not yet"
MEDICATION_NOT_HELD = "no hold"
MEDICATION_TOLD_LABEL = "Hold instructions confirmed with the patient"
MEDICATION_LAST_DOSE_HELP = "As the patient reports it (office time); leave blank if not asked yet."
PRESCRIBER_CLEARED_ON = "Prescriber clearance: {prescriber}, agreed {day}"
CLEARED_ON_REQUIRED = "Enter the day the prescriber agreed."
CLEARED_ON_IN_FUTURE = "The day the prescriber agreed cannot be in the future."
CLEARED_ON_TOO_OLD = "That clearance is more than a year old: ask the prescriber again."
CLEARANCE_ALREADY_RECORDED = "{drug}'s clearance is already recorded."

# Assessment in US units (stored metric: mild.units)
HEIGHT_WEIGHT_SHOWN = "Height {height} · weight {weight} · BMI {bmi}"

# Baseline ODI: one grid of ten sections, one save
ODI_FOLD = "Baseline ODI (Oswestry Disability Index)"
ODI_FOLD_SCORE = "score {score}"
ODI_SCORE_ANSWERED = "Baseline ODI {score} ({answered} of 10 sections answered)"
ODI_ANSWERS_NOT_KEPT = (
    "The saved score is kept, not each answer: to change it, answer the sections again."
)

# Intake
DRUG_NEEDS_REVIEW = "Unknown drug: needs review by a nurse or the provider."
HEIGHT_RANGE = "Height must be between 3 ft 3.5 in and 8 ft 2 in (100 to 250 cm)."
WEIGHT_RANGE = "Weight must be between 55.2 and 771.6 lb (25 to 350 kg)."
ASA_RANGE = "ASA class must be 1 to 6."

# Intake screen (readiness, booking, intake forms)
READY_ASA_CLASS = "ASA class"
READY_PROVIDER = "Provider chosen"
READY_BOOKED = "Booked day and start time"
READY_CLEARANCE = "{clearance} ({condition})"
READY_DRUG_REVIEW = "Review unknown drug: {drug}"
READY_PRESCRIBER_CLEARANCE = "Prescriber clearance to stop {drug}"
READY_HOLD_CONFIRMED = "Hold instructions confirmed with the patient: {drug}"
READY_ESCORT = "Escort arranged"
NOT_READY = "Not ready to confirm for its day. Missing: {missing}."
CASE_ALREADY_CONFIRMED = "This case is already confirmed for its day."
BOOKING_NOT_OPEN = "A case that is {status} cannot be booked or re-booked."
BOOKING_IN_PAST = "That day and time have already passed at the office."
BOOKING_MINUTES_RANGE = "Planned minutes must be between {low} and {high}."
BOOKING_PROVIDER_REQUIRED = "Choose the provider."
BOOKING_PROVIDER_NOT_AT_OFFICE = "That provider does not work at this office."
BOOKING_CLASH = "{provider} is already booked then: case {code} at {start} for {minutes} min."
INTAKE_NOT_OPEN = 'Intake details cannot be changed while the case\'s status is "{status}".'
INTAKE_NOT_STARTED = 'Press "Start intake" before recording intake details.'
MRN_FORMAT = "An MRN is 4-20 letters, digits or dashes."
PATIENT_NAME_REQUIRED = "Enter the patient's first and last name."
PATIENT_DOB_REQUIRED = "Enter the patient's date of birth."
PATIENT_DOB_RANGE = "The date of birth must be in the past and less than 120 years ago."
LIKELY_DUPLICATE_PATIENT = (
    "Likely duplicate: patient {mrn} has the same name and date of birth. Use MRN {mrn}, or "
    "tick that this is a different person."
)
REQUEST_CHANNEL_REQUIRED = "Choose how the request came in."
OFFICE_REQUIRED = "Choose the office."
DRUG_REQUIRED = "Enter the drug name."
DRUG_ALREADY_LISTED = "{drug} is already on this case's list."
MEDICATION_NOT_FOUND = "That medication is no longer on this case."
CLEARANCE_NOT_NEEDED = "{drug} does not need the prescriber's clearance."
PRESCRIBER_REQUIRED = "Enter the name of the prescriber who agreed."
HOLD_NOT_NEEDED = "{drug} needs no hold or dose instruction to confirm."
HOLD_NEEDS_BOOKING = "Book the day first: the patient must be told the last-dose date."
HOLD_NEEDS_CLEARANCE = (
    "Record the prescriber's clearance before telling the patient to stop {drug}."
)
HOLD_NEEDS_REVIEW = "Review this drug before confirming instructions with the patient."
DRUG_REVIEW_NOT_NEEDED = "{drug} is in the hold table and needs no review."
DRUG_REVIEW_ROLE = "Only a nurse (or the provider) may review an unknown drug."
CONDITION_ALREADY_FLAGGED = "{condition} is already flagged."
CONDITION_NOT_FLAGGED = "That condition is not flagged on this case."
CONDITION_NO_CLEARANCE = "{condition} needs no clearance before booking."
CLEARANCE_ALREADY_ON_FILE = "That clearance is already on file."
HEIGHT_WEIGHT_TOGETHER = "Enter both height and weight, or neither."
MINUTES_RANGE = "Minutes must be a whole number from 0 to 600."
ESCORT_NAME_AND_PHONE = "Enter the escort's name and phone together."
PHONE_FORMAT = "A phone number needs 7 to 15 digits."
ASA_NEEDS_REVIEW = "ASA {asa}: above {limit}, the anesthesiologist must review before booking."
CASE_REQUESTED = "Consult request {code} created."
INTAKE_SAVED = "Saved."
CASE_BOOKED = "Booked."
CASE_CONFIRMED = "Confirmed for the day."
READY_TO_CONFIRM = "Ready: nothing is missing."
BOOKING_DAY_REQUIRED = "Choose the day."
BOOKING_START_REQUIRED = "Choose the start time."
DRUG_NAME_CHARACTERS = "A drug name may use letters, digits, spaces and - / . , % ( ) + ' only."
PATIENT_NAME_CHARACTERS = "A name may use letters, spaces, hyphens, apostrophes and periods only."
LIKELY_DUPLICATE_SEEN = "Same name and date of birth as patient {mrn}: probably the same person."
DIFFERENT_PERSON_LABEL = "This is a different person: create a new patient anyway"
NO_OPEN_CASES = "No open consult requests or intake cases at your offices."
NO_HOLD = "not set"
CLEARANCE_NOT_ON_FILE = "needed, not on file"
MISSING_COUNT = "{n} missing before this case can be confirmed for its day:"
HOLD_NOT_YET_TOLD = "Not yet told to the patient."
HOLD_INSTRUCTION = "Instructions: {instruction}"
NO_MEDICATIONS = "No medications recorded."
ODI_HOW_TO = "Each section 0 (no difficulty) to 5; leave a section blank if it was not answered."
REBOOK_NOTE = (
    "Re-booking moves the last-dose dates and withdraws the hold confirmations and the "
    "confirmation for the day: the patient must be told the new dates."
)
EXISTING_PATIENT = "Existing patient: {name}, born {born}"
CONFIRMED_ON = "Confirmed for the day on {when}."
BOOKED_AS = "Booked: {when}, {minutes} min with {provider}"
CONDITION_BRINGS_CLEARANCE = "Before booking: {need}"
CONDITION_BRINGS_DAY_OF = "On the day: {need}"
CLEARANCE_MISSING = "Before booking: {need} — missing"
CLEARANCE_ON_FILE = "Before booking: {need} — on file ({who}, {when})"
PRESCRIBER_CLEARED = "Prescriber clearance: {prescriber}, {when}"
HOLD_TOLD = "Confirmed with the patient by {who}, {when}"

# Holds whose last-dose date is already past (short-notice booking)
READY_HOLD_LATE = (
    "Hold for {drug}: the last dose was due {day}, already past. Check the patient stopped in "
    "time, or book a later day"
)
BOOKED_HOLDS_LATE = (
    "The last dose of {drugs} was due before today: check with the patient that they stopped "
    "in time, or book a later day."
)
LAST_DOSE_PAST = "already past: check the patient stopped in time"

# A booking day with a mistyped year (issue 5)
BOOKING_TOO_FAR_AHEAD = "That day is more than {days} days ahead: check the year."
