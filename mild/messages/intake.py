"""The intake screen's forms (issue 13): the request form's age, the medication table and its
one form, the clearance day, US units, the baseline ODI grid."""

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
