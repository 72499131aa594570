"""Every message a user reads, in one place: consistent wording that tests can assert on."""

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
CHECKLIST_NOT_OPEN = "The checklist cannot be changed while the case is {status}."
STEP_ALREADY_DONE = "{step} is already ticked."
STEP_NOT_DONE = "{step} is not ticked."
HARD_STOP = "{step} is blocked. Missing: {missing}."
UNTICK_REASON_REQUIRED = "Give a reason for un-ticking."
STATUS_STEP_CANNOT_BE_UNDONE = (
    "{step} moved the case on and cannot be un-ticked; cancel or correct the case instead."
)
STEP_VALUE_REQUIRED = "Enter a value for {step}."
STEP_VALUE_NOT_A_CHOICE = "Choose one of the listed options for {step}."
STEP_VALUE_NOT_A_NUMBER = "{step} must be a number."
DISCHARGE_SCORE_RANGE = "The discharge score is a whole number from 0 to 10."
DISCHARGE_SCORE_NOT_PASSING = "Discharge score of {min} or more"
GLUCOSE_RANGE = "Glucose must be between 10 and 1000 mg/dL."
TEXT_TOO_LONG = "At most {limit} characters."

# Intake
DRUG_NEEDS_REVIEW = "Unknown drug: needs review by a nurse or the provider."
HEIGHT_RANGE = "Height must be between 100 and 250 cm."
WEIGHT_RANGE = "Weight must be between 25 and 350 kg."
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
STATUS_VIA_CHECKLIST = 'This status is set by ticking "{step}" on the day-of checklist.'

# Follow-up
FOLLOW_UP_NOT_FOUND = "That follow-up does not exist or is not at one of your offices."
FOLLOW_UP_ALREADY_DONE = "This follow-up is already complete."
