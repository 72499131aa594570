"""Messages of sign-in, cases, intake, the day-of checklist, follow-up, the schedule, board,
metrics, admin and audit screens (before the clinical revision of 2026-12)."""

# Sign-in
SIGN_IN_FAILED = "Username or password is not right. Check both and try again."
SIGN_IN_MISSING = "Enter your username and password."
SIGNED_OUT = "You are signed out."
ACCOUNT_DISABLED = SIGN_IN_FAILED  # never reveal which accounts exist or are disabled
NOT_ALLOWED_HERE = "Your role does not give access to this screen."
NO_OFFICES = "Your account is not assigned to any office yet. Ask an administrator."

# Staff administration
USERNAME_FORMAT = (
    "A username is 2-40 characters: lower-case letters, digits, dot, dash or underscore, "
    "starting with a letter."
)
USERNAME_TAKEN = "That username is already taken."
PASSWORD_TOO_SHORT = "A password needs at least {n} characters."
PASSWORDS_DIFFER = "The two passwords differ."
PASSWORD_TOO_LONG = "A password may have at most 256 characters."
ROLE_UNKNOWN = "Role must be one of: {roles}."
OFFICE_UNKNOWN = "No office with the code {code!r}."
OFFICE_CODE_FORMAT = "An office code is 2-12 upper-case letters or digits."
OFFICE_CODE_TAKEN = "An office with the code {code!r} already exists."
OFFICE_NAME_REQUIRED = "Give the office a name."
TIMEZONE_UNKNOWN = "Unknown time zone {tz!r}; use a name such as America/New_York."
OFFICES_REQUIRED = "Give at least one office for a nurse, coordinator or manager."

# Cases and lifecycle
CASE_NOT_FOUND = "That case does not exist or is not at one of your offices."
CASE_LOCKED = "This case is closed and locked. Corrections are added as new entries with a reason."
TRANSITION_NOT_ALLOWED = "A case cannot go from {frm} to {to}."
CANNOT_CANCEL = "A case that is {status} can no longer be cancelled."
CANCEL_REASON_REQUIRED = "Choose a cancellation reason."
CANCEL_OTHER_NEEDS_TEXT = "Say why when the reason is Other."
CHANGED_BY_SOMEONE_ELSE = (
    "This case was changed by someone else since you opened it. Reload to see their change, "
    "then try again."
)
OFFICE_NOT_YOURS = "You do not work at that office."

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
TEXT_TOO_LONG = "At most {limit} characters."

# Intake
DRUG_NEEDS_REVIEW = "Unknown drug: needs review by a nurse or the provider."
HEIGHT_RANGE = "Height must be between 3 ft 3.5 in and 8 ft 2 in (100 to 250 cm)."
WEIGHT_RANGE = "Weight must be between 55.2 and 771.6 lb (25 to 350 kg)."
ASA_RANGE = "ASA class must be 1 to 6."

# Scores
NPRS_RANGE = "Pain (NPRS) is a whole number from 0 to 10."
ODI_SECTION_RANGE = "Each ODI answer ({section}) is a whole number from 0 to 5."
ODI_UNKNOWN_SECTION = "There is no ODI section {section!r}."
ODI_TOO_FEW_SECTIONS = "Answer at least 8 of the 10 ODI sections to score it."

# Failures
DATABASE_UNAVAILABLE = (
    "The database cannot be reached right now. Your last saved work is safe. "
    "Try again in a minute; if this goes on, tell your administrator."
)
DATABASE_NOT_MIGRATED = (
    "The database has not been set up for this version of the app. "
    "An administrator must run: python manage.py migrate"
)
UNEXPECTED_ERROR = (
    "Something went wrong and nothing was saved. "
    "Try again; if it happens again, tell your administrator."
)

# Home
NO_CASES_TODAY = "No cases booked today at {office}."
# Today's counts table: what each follow-up column counts.
HOME_COUNTS_OPEN = "Choose a count to open its screen at that office."
HOME_FOLLOW_UPS_DUE_HELP = "Calls and visits due, not yet overdue"
HOME_FOLLOW_UPS_OVERDUE_HELP = "Calls and visits past due"
STATUS_VIA_CHECKLIST = 'This status is set by ticking "{step}" on the day-of checklist.'

# Follow-up
FOLLOW_UP_NOT_FOUND = "That follow-up does not exist or is not at one of your offices."
FOLLOW_UP_ALREADY_DONE = "This follow-up is already complete."

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

# Post-op follow-up screen
NPRS_REQUIRED = "Choose the pain score (NPRS 0-10)."
YES_NO_REQUIRED = "Answer {question}: yes or no."
INCISION_REQUIRED = "Choose how the incision looks: dry, redness or drainage."
TEMPERATURE_RANGE = (
    "A temperature must be between 34.0 and 43.0 °C (93.2 and 109.4 °F). Check the number and "
    "the unit."
)
RETURN_TO_WORK_IN_FUTURE = (
    "The return-to-work date cannot be in the future. Leave it empty if the patient is not "
    "back at work yet."
)
RETURN_TO_WORK_BEFORE_PROCEDURE = "The return-to-work date cannot be before the procedure ({day})."
TOLERANCE_RANGE = (
    "{what} tolerance is whole minutes from 0 to {limit}; leave it empty if not asked."
)
FOLLOW_UP_CASE_NOT_OPEN = "Follow-ups are recorded after discharge; this case is {status}."
FOLLOW_UP_IS_A_CALL = "This follow-up is the next-day call: record it as a call."
FOLLOW_UP_IS_A_VISIT = "This follow-up is a later visit: record its outcome scores."
ESCALATION_NOTE = "Escalated to {provider}: {flags}."
ESCALATION_NO_PROVIDER = "the office's provider"
NO_OPEN_ESCALATION = "This follow-up has no open escalation; someone may have resolved it already."
RESOLUTION_NOTE_REQUIRED = "Say how the escalation was resolved (who was told, what was done)."
CLOSE_NEEDS_12_MONTH_VISIT = "A case can be closed once its 12-month visit is recorded."
CLOSE_HAS_OPEN_ESCALATION = "Resolve the open escalation before closing the case."
FU_ATTEMPT_SAVED = "Attempt recorded ({outcome}): {attempts} so far."
FU_MISSED_VISIT = "Not seen: record an attempt (no answer, did not attend...)"
FU_ATTEMPT_OUTCOME_REQUIRED = "Choose how the attempt went."
FU_CALL_NOT_ATTENDED = "A call cannot be missed in person: choose how the call went."
FU_VISIT_DATE_REQUIRED = "Enter the day of the visit."
FU_VISIT_DATE_IN_FUTURE = "The visit date cannot be in the future."
FU_VISIT_DATE_BEFORE_DISCHARGE = "The visit date cannot be before discharge ({day})."
FU_WORKLIST_SHOWN = (
    "Showing the {shown} most urgent of {total}. Choose an office or a kind to see the others."
)
FU_CALL_SAVED = "Next-day call saved."
FU_CALL_ESCALATED = "Next-day call saved and escalated to the provider: {flags}."
FU_ESCALATION_PREVIEW = "Saving this call escalates the case to the provider at once: {flags}."
FU_VISIT_SAVED = "{kind} saved: ODI {odi}."
FU_VISIT_CLOSE_OFFERED = "{kind} saved: ODI {odi}. The case can now be closed (Ready to close)."
FU_ESCALATION_RESOLVED = "Escalation for case {code} resolved."
FU_CASE_CLOSED = "Case {code} closed."
FU_NOTHING_DUE = "No follow-ups due or overdue at your offices."
FU_NOTHING_MATCHES = "No follow-ups due or overdue match these filters."
FU_NO_LONGER_OPEN = "That follow-up is no longer open; it may have been recorded by someone else."

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

# Daily schedule (schedule screen)
SCHED_READY = "Ready"
SCHED_NO_CASES = "No cases booked at {office} on {day}."
# Pre-op call worklist (schedule screen)
PREOP_EMPTY = "Nobody is booked at {office} for {days}: no pre-op calls to make."
PREOP_ALL_REACHED = "Everyone booked for {days} has been reached."
PREOP_CALLER_ROLE = "Pre-op calls are recorded by nurses and coordinators."
PREOP_NOT_CALLABLE = "This case is {status}: the pre-op call is for cases still to come."
PREOP_OUTCOME_REQUIRED = "Choose how the call went."
PREOP_CALL_BACK_REQUIRED = "Enter the day and time to call back."
PREOP_CALL_BACK_PAST = "The call-back time has to be later than now."
PREOP_CALL_BACK_AFTER_DAY = "The call-back time has to be before the procedure starts."
PREOP_RECORDED = "Call recorded for {code}: {outcome}."
PREOP_CHOOSE_CASE = "Choose a row above to open the case, its calls and the call script."
PREOP_NO_HELD_DRUGS = "No drug is held before the day: nothing to ask about last doses."
PREOP_HELP = (
    "Everyone booked from the day after the day chosen to {ahead} ahead (a practice "
    "setting). Call-backs that are due come first, then the cases not reached by day and "
    "time. Choose a row to open the case."
)
PREOP_CASE_LINE = "{start} (arrive {arrive}) · {status} · patient phone {phone} · escort {escort}"
PREOP_MISSING = "Still missing: {items}"
PREOP_NO_CALLS = "No call made yet."
PREOP_ARRIVAL_TOLD = (
    "Arrival time told: {arrive}, {minutes} minutes before the {start} start (practice setting)"
)
PREOP_FASTING_EXPLAINED = (
    "Fasting explained (ASA): no fatty or fried meal or meat in the 8 hours before anesthesia, "
    "no light meal in the 6 hours before, clear liquids up to 2 hours before"
)
PREOP_LAST_DOSES = "Held drugs: the last dose as the patient reports it"
PREOP_HELD_DRUG = "{drug}: last dose by {by}; reported {reported}"
PREOP_NOT_ASKED = "not yet"
PREOP_ESCORT_CONFIRMED = "Escort confirmed: the adult taking the patient home, name and phone"
PREOP_VIEW_ONLY = "Pre-op calls are recorded by nurses and coordinators; you can read them here."
SCHED_NO_WEEK_CASES = "No cases booked at {office} in the week of {day}."
SCHED_CHOOSE_CASE = "Choose a case above to reschedule or cancel it."
SCHED_RESCHEDULED = "Case {code} moved to {day} at {time}."
SCHED_CANCELLED = "Case {code} cancelled: {reason}."
SCHED_CANNOT_RESCHEDULE = "A case that is {status} can no longer be rescheduled."

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

# Office metrics screen
METRICS_PICK_OFFICES = "Pick at least one office to see its metrics."
METRICS_PICK_RANGE_END = "Pick the last day of the range as well."
METRICS_RANGE_BACKWARDS = "The last day is before the first day. Pick the range again."
# Too many points for a chart: what helps depends on the grouping (months are already the
# coarsest one).
METRICS_WEEKS_TOO_MANY = (
    "That range has {count} weeks; a chart shows at most {limit}. Pick a shorter range, "
    "or group by month."
)
METRICS_MONTHS_TOO_MANY = (
    "That range has {count} months; a chart shows at most {limit}. Pick a range of at most "
    "{limit} months."
)
METRICS_NO_CASES = "No cases in this range at the offices chosen."
METRICS_NO_CANCELLATIONS = "No same-day cancellations in this range."
METRICS_NO_OUTCOMES = "No follow-up scores yet for cases discharged in this range."

# Lifecycle (lead)
STATUS_VIA_ITS_ACTION = (
    "A case becomes {status} only through its own action (confirming for the day, recording "
    "a follow-up, closing, cancelling with a reason), where its checks run."
)

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

# Closing a follow-up as not reached (follow-up screen)
FU_GIVE_UP_TOO_SOON = (
    "Make at least {needed} call attempts before closing this follow-up as not reached "
    "({attempts} so far)."
)
FU_GIVE_UP_NOTE_REQUIRED = "Say what was done instead (e.g. letter sent, provider told)."
FU_GIVE_UP_HINT = (
    "After {needed} attempts this follow-up can be closed as not reached ({attempts} so far)."
)
FU_CLOSED_NOT_REACHED = "{kind} closed as not reached after {attempts} attempts."

# Day-of checklist: steps still open at discharge, and the lock once discharged
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

# Sessions and sign-in lockout
SETTING_RANGE = "{name} must be a whole number from {low} to {high} (it is {value!r})."
SIGN_IN_LOCKED = (
    "Too many failed sign-ins for this username: wait {minutes} min and try again, "
    "or ask an admin."
)
SESSION_ENDED = "Your session has ended: sign in again. Nothing was saved."
SESSION_LOCKED_TITLE = "Screen locked"
SESSION_LOCKED = (
    "Locked after {minutes} min without activity. {name}: enter your password to go back "
    "to where you were; nothing you typed is lost."
)
SESSION_LOCK_WARNING = (
    "This screen locks in under a minute for lack of activity. Press \"Stay signed in\" to "
    "keep working."
)
SESSION_STAY = "Stay signed in"
SESSION_NOT_ME = "Not {name}? Sign out"
SESSION_LOCKED_NOT_SAVED = (
    "The screen locked for lack of activity: unlock it and save again. Nothing was saved."
)
UNLOCK_SSO = (
    "You signed in with single sign-on, so no password here can unlock this screen: sign out "
    "and sign in again with single sign-on (what was typed on the screen is then lost)."
)
UNLOCK_PASSWORD_REQUIRED = "Enter your password to unlock the screen."
UNLOCK_PASSWORD_WRONG = "That password is not right: the screen stays locked."
SESSION_IDLE_ENDED = (
    "You were signed out: the screen stayed locked for more than {hours} h. Anything typed "
    "was not saved."
)
SESSION_REVOKED = "Your session was ended ({reason}). Sign in again."

# --- Office metrics: how fresh the figures are (issue 4) ---
METRICS_AS_OF = (
    "Figures as of {time} {zone}. A change saved in the app shows when you next open or "
    "filter the screen; Refresh recomputes them now."
)

# --- Admin screen: offices, users, sessions, the hold table (issue 5) ---
ADMIN_ONLY = "Only an admin may do this."
NOTHING_CHANGED = "Nothing to save: the values are the same as before."
ROLE_REQUIRED = "Choose a role."
OFFICE_NOT_FOUND = "That office does not exist."
OFFICE_INACTIVE = "Office {code} is deactivated: reactivate it first, or choose another."
OFFICE_ALREADY_ACTIVE = "This office is already active."
OFFICE_ALREADY_INACTIVE = "This office is already deactivated."
OFFICE_HAS_OPEN_CASES = (
    "{code} still has {n} open case(s) (requested, booked or in follow-up). Finish, close or "
    "cancel them first: a deactivated office leaves every screen, so they would drop off every "
    "worklist."
)
ADMIN_OFFICE_CODE_HELP = (
    "The code is shown on boards and in every case code, so it cannot be changed later."
)
ADMIN_OFFICE_CREATED = "Office added. Give staff access to it under Users."
ADMIN_OFFICE_SAVED = "Office {code} saved."
ADMIN_TIMEZONE_CHANGE_HELP = (
    "The time zone decides what 'today' is at this office and how its times are shown. "
    "Times already recorded stay as they were; only how they are shown changes."
)
ADMIN_OFFICE_DEACTIVATE_HELP = (
    "Deactivating hides the office from every screen, list and booking; its closed cases, "
    "staff links and audit trail are kept, and reactivating brings it all back. Staff who work "
    "only there see no office until given another."
)
ADMIN_OFFICE_OPEN_CASES = "Open cases here now: {n}. They must be finished first."
ADMIN_OFFICE_INACTIVE_HELP = (
    "This office is deactivated: it shows on no screen and takes no bookings. Reactivating "
    "brings back its cases and its staff's access."
)
ADMIN_OFFICE_DEACTIVATED = "Office {code} deactivated."
ADMIN_OFFICE_REACTIVATED = "Office {code} reactivated."
USER_NOT_FOUND = "That account does not exist."
EMAIL_FORMAT = "Enter an email address such as name@example.org, or leave it empty."
EMAIL_TAKEN = "Another account already uses that email for single sign-on."
CANNOT_DISABLE_SELF = (
    "This is your own account: you cannot disable it (you would lock yourself out). "
    "Another admin can."
)
CANNOT_DEMOTE_SELF = (
    "You cannot take away your own admin role: you would lock yourself out of this screen. "
    "Another admin can."
)
USER_ALREADY_ACTIVE = "This account is already enabled."
USER_ALREADY_DISABLED = "This account is already disabled."
ADMIN_YOUR_OWN_ACCOUNT = "This is your own account: your admin role stays."
ADMIN_TEMPORARY_PASSWORD_HELP = (
    "Give the temporary password to the person directly (never by email), and ask them to "
    "choose their own."
)
ADMIN_USER_CREATED = "Account added. Give the person their username and temporary password."
ADMIN_USER_SAVED = "Account {username} saved."
ADMIN_EMAIL_HELP = (
    "Single sign-on signs a person in when the identity provider vouches for this address; "
    "their role and offices still come from here. Leave it empty for password sign-in only."
)
ADMIN_EMAIL_SAVED = "Single sign-on email of {username} saved."
ADMIN_RESET_HELP = (
    "Sets a new temporary password, ends their open sessions and lifts a sign-in lock. "
    "The password is not recorded anywhere but as a hash."
)
ADMIN_PASSWORD_RESET = "Temporary password set for {username}; their open sessions were ended."
ADMIN_DISABLE_HELP = (
    "They can no longer sign in, and their {n} open session(s) end at once. Their name stays "
    "on everything they recorded."
)
ADMIN_ENABLE_HELP = "This account is disabled. Enabling it lets them sign in again."
ADMIN_USER_DISABLED = "Account {username} disabled; their open sessions were ended."
ADMIN_USER_ENABLED = "Account {username} enabled."
SESSION_IS_YOURS = "This is your own session: use Sign out to end it."
SESSION_ALREADY_ENDED = "That session has already ended."
SESSIONS_NONE_OPEN = "This user has no other open session."
ADMIN_SESSIONS_HELP = (
    "Everyone signed in now. Times are shown in {tz}. Ending a session signs that browser "
    "out on its next click; what was typed there and not saved is lost."
)
ADMIN_NO_OPEN_SESSIONS = "Nobody else is signed in."
ADMIN_THIS_BROWSER = "This browser (use Sign out)"
ADMIN_SESSION_ENDED = "Session of {username} ended."
ADMIN_SESSIONS_ENDED = "Every session of {username} ended."
HOLD_CLASS_REQUIRED = "Choose the drug's class."
HOLD_CLEARANCE_REQUIRED = (
    "Stopping an anticoagulant or a P2Y12 inhibitor always needs the prescriber's clearance."
)
HOLD_DRUG_TAKEN = "{drug} is already in the hold table: change it below instead."
HOLD_DRUG_NOT_FOUND = "That drug is not in the hold table."
HOLD_RULE_CHANGED_BY_SOMEONE_ELSE = (
    "Someone changed this drug since you opened it. Press Discard changes to see their "
    "change, then make yours again."
)
ADMIN_HOLD_TABLE_HELP = (
    "Intake matches every drug added to a case to one row of this table, by its row name, "
    "generic or brand name. Saving a row re-classes the drugs of open cases (before anesthesia) "
    "that follow it, each audited, and lists those cases. A change to a row's class, hours or "
    "clearance asks for it to be confirmed again."
)
ADMIN_HOLD_CSV = "Download the table as CSV"
HOLD_NOT_CONFIRMED = "Not yet confirmed by the practice"
HOLD_CONFIRMED_ON = "Confirmed by {who} on {when}"
ADMIN_HOLD_INACTIVE_HELP = (
    "A drug not in use is treated by intake as unknown: it needs review by a nurse."
)
ADMIN_HOLD_ADDED = "Drug added to the hold table."
ADMIN_HOLD_SAVED = "Hold table entry for {drug} saved."

# --- Audit screen and audited reads (issue 5) ---
AUDIT_PICK_RANGE_END = "Pick the last day of the range as well."
AUDIT_RANGE_BACKWARDS = "The last day is before the first day. Pick the range again."
AUDIT_ACTION_UNKNOWN = "Choose one of the listed kinds of action."
AUDIT_CASE_UNKNOWN = "No case with the code {code} at your offices."
AUDIT_NOTHING_MATCHES = "Nothing in the audit trail matches these filters."
AUDIT_MATCHED = "{matched:,} rows match, newest first."
AUDIT_SHOWING_NEWEST = (
    "{matched:,} rows match: the newest {shown:,} are shown. The CSV holds all of them "
    "(up to {cap:,}); narrow the filters to see others here."
)
AUDIT_PREPARE = "Prepare CSV ({rows:,} rows)"
AUDIT_DOWNLOAD = "Download CSV ({rows:,} rows)"
AUDIT_EXPORT_CAPPED = (
    "An export holds the newest {cap:,} rows: narrow the dates or filters for the rest."
)
AUDIT_VIEW_NOT_RECORDED = (
    "The audit trail is not shown: opening it could not be recorded. Try again; if it keeps "
    "happening, tell an administrator."
)
CASE_VIEW_NOT_RECORDED = (
    "This case is not shown: opening it could not be recorded in the audit trail. Try again; "
    "if it keeps happening, tell an administrator."
)

# --- Hostile input: text no database can keep (issue 5) ---
TEXT_NOT_STORABLE = (
    "This text holds a character that cannot be saved (a NUL or a broken character, often "
    "from pasting). Retype it and try again."
)

# --- Backup and restore of the SQLite database (manage.py backup / restore, issue 5) ---
BACKUP_SQLITE_ONLY = (
    "backup and restore copy a SQLite database; DATABASE_URL points at {backend}: "
    "use pg_dump and pg_restore for PostgreSQL."
)
BACKUP_NO_DATABASE = "there is no database file at {path}."
BACKUP_NOT_MILD = "{path} is not a MILD database (it has no schema revision)."
BACKUP_TARGET_EXISTS = "{path} already exists: name a new file, or a folder to put it in."
BACKUP_FOLDER_MISSING = "the folder {path} does not exist."
BACKUP_ONTO_DATABASE = "{path} is the database itself: back up to another file."
BACKUP_COPY_FAILED = "the copy at {path} failed SQLite's integrity check ({detail}); nothing kept."
RESTORE_NEEDS_YES = (
    "restore replaces everything in {path} with the backup (a safety copy is kept first): "
    "run it again with --yes."
)
RESTORE_NO_FILE = "there is no backup file at {path}."
NOT_A_SQLITE_DATABASE = "{path} is not a SQLite database, or is damaged beyond opening."
RESTORE_DAMAGED = "{path} fails SQLite's integrity check ({detail}); nothing was restored."
RESTORE_UNKNOWN_REVISION = (
    "{path} is at schema revision {revision}, which this version of the app does not know "
    "(made by a newer version?); nothing was restored."
)
RESTORE_SAME_FILE = "{path} is the database itself; nothing to restore."
RESTORE_FAILED = "restoring failed ({detail}); the database is as it was."
BACKUP_CANNOT_WRITE = "cannot write the copy at {path} ({detail})."

# Single sign-on (OIDC)
SSO_BUTTON = "Sign in with single sign-on"
SSO_NO_EMAIL = "Single sign-on did not say who you are (no email address): ask an admin."
SSO_NOT_A_USER = (
    "{email} signed in with single sign-on, but no active account here carries that address. "
    "Ask an admin to add it to your account."
)
SSO_OTHER_ACCOUNT = "Use another single sign-on account"

# --- Hostile input: a booking day with a mistyped year (issue 5) ---
BOOKING_TOO_FAR_AHEAD = "That day is more than {days} days ahead: check the year."
ADMIN_SESSION_LOCKED = "locked (idle)"
ADMIN_SESSIONS_IDLE_NOTE = (
    "A session idle for more than {minutes} min is locked until its user's password opens it "
    "again; locked for more than {hours} h it has ended and is not listed."
)
ADMIN_OFFICES_FOR_ADMIN = "An admin sees every office; offices listed here are optional."
METRICS_NO_SAFETY_EVENTS = "No safety event recorded for these offices and days."
TARGET_TEXT = "target {target} {sign} (amber {edge} {amber})"
TARGET_UNKNOWN = "This KPI has no target."
SETTING_UNKNOWN = "There is no such practice setting."
SETTING_VALUE_RANGE = "A whole number from {low} to {high} {unit}."
SETTING_CHANGED_BY_SOMEONE_ELSE = (
    "Someone else changed this setting since you opened it: it now shows their change."
)
SETTING_SAVED = "Setting saved: {label}."
SETTINGS_HELP = (
    "Practice settings with their source. A change takes effect at once for every office "
    "and is kept in the audit trail with before and after."
)
TARGET_RANGE = "Enter a number from {low} to {high} ({unit})."
TARGET_AMBER_SIDE_HIGHER = "Higher is better here: the amber edge must be at or below the target."
TARGET_AMBER_SIDE_LOWER = "Lower is better here: the amber edge must be at or above the target."
TARGET_CHANGED_BY_SOMEONE_ELSE = (
    "Someone changed this target since your screen showed it: look at it again."
)
TARGET_SAVED = "Target saved: {label}."
TARGETS_HELP = (
    "Each office metric with a target shows green (on target), amber (near) or red (off "
    "target) beside its value, and the target as a line on its chart. The numbers are the "
    "practice's policy; every change is audited with before and after."
)
METRICS_COMPARISON_NOTE = (
    "Rates are totals over the range, not averages of weeks or months. A value with a target "
    "is green on target, amber near it, red off it (targets: Admin, KPI targets)."
)
METRICS_OFF_TARGET_SUMMARY = "Off target, by office:"
TARGET_BETTER = {"higher": "Higher is better.", "lower": "Lower is better."}
PROVIDER_NAME_REQUIRED = "Enter the physician's name."
PROVIDER_NOT_FOUND = "That provider no longer exists."
PROVIDER_NAME_TAKEN = "{name} is already a provider at this office."
PROVIDER_OFFICE_INACTIVE = "Providers are added to an active office."
PROVIDER_ALREADY_ACTIVE = "This provider is already active."
PROVIDER_ALREADY_INACTIVE = "This provider is already deactivated."
PROVIDER_UPCOMING_CASES = (
    "{name} still has {n} case(s) booked from today on: move them to another provider first."
)
ADMIN_PROVIDER_CREATED = "Provider added."
ADMIN_PROVIDER_SAVED = "Provider saved: {name}."
ADMIN_PROVIDER_DEACTIVATED = "Provider deactivated: {name}. New cases cannot be booked with them."
ADMIN_PROVIDER_REACTIVATED = "Provider reactivated: {name}."
ADMIN_PROVIDERS_HELP = (
    "The physicians who perform MILD at each office: booking lists the active ones; their email "
    "and phone are where escalations reach them. A provider with cases booked from today on "
    "cannot be deactivated until those cases move."
)

# The day sheet (mild.day_sheet)
SHEET_TITLE = "Day sheet · {day}"
SHEET_DAY_TITLE = "The day's cases ({count})"
SHEET_NO_CASES = "No case is booked for this day."
SHEET_PROCEDURE = "MILD {procedure} · provider {provider} · status {status}"
SHEET_ESCORT = "Escort: {escort}"
SHEET_ALLERGIES = "Allergies: {allergies}"
SHEET_HELD = "Held: {drug}, {stop}"
SHEET_HELD_BY = "; last dose by {by}"
SHEET_NO_HELD = "No drug held."
SHEET_READINESS = "Before the day: {readiness}"
SHEET_NOT_RECORDED = "not recorded"
SHEET_NOT_ARRANGED = "NOT ARRANGED"
SHEET_NONE_RECORDED = "none recorded"
SHEET_HARD_STOP = "Hard stop: not before {needs}."
SHEET_DOWNTIME_TITLE = "Downtime checklist · {time} · {patient} · case {code}"
SHEET_DOWNTIME_HOW_TO = (
    "For a network or power outage: tick each step by hand with the time and your initials; "
    "enter them in the app when it is back (a step's time can be set to when it happened)."
)
SHEET_FOOTER = "Printed {when} by {who} · {version} · contains patient information: shred after use"
SHEET_PRINTED = "Day sheet ready: download it below."
FILE_EXISTS = "{path} already exists: choose another file, or add --force to replace it."
SHEET_PREPARE = "Prepare the day sheet (PDF, for an outage)"
SHEET_DOWNLOAD = "Download the day sheet"
SHEET_NOT_PREPARED = "The day sheet could not be prepared: try again, or ask an admin."
CHART_TARGET = "target"
CHART_AMBER_EDGE = "amber edge"
CHART_SO_FAR = "so far"
METRICS_TARGETS_CHART = "KPIs on, near and off target, by office"
METRICS_TARGETS_AXIS = "KPIs with a target"
METRICS_EVERY_SAFETY_EVENT = "Every event in the range"
