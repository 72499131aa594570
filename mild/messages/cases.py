"""Messages every case screen shares: a case and its lifecycle, the home screen, typed text, and
the failures any screen may meet."""

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

# Lifecycle (lead)
STATUS_VIA_ITS_ACTION = (
    "A case becomes {status} only through its own action (confirming for the day, recording "
    "a follow-up, closing, cancelling with a reason), where its checks run."
)

# Home
NO_CASES_TODAY = "No cases booked today at {office}."
# Today's counts table: what each follow-up column counts.
HOME_COUNTS_OPEN = "Choose a count to open its screen at that office."
HOME_FOLLOW_UPS_DUE_HELP = "Calls and visits due, not yet overdue"
HOME_FOLLOW_UPS_OVERDUE_HELP = "Calls and visits past due"
STATUS_VIA_CHECKLIST = 'This status is set by ticking "{step}" on the day-of checklist.'

# Typed text: too long, or holding what no database can keep (issue 5)
TEXT_TOO_LONG = "At most {limit} characters."
TEXT_NOT_STORABLE = (
    "This text holds a character that cannot be saved (a NUL or a broken character, often "
    "from pasting). Retype it and try again."
)

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
