"""What the audit screen says (issue 13: readable by a manager): times in each row's office's
zone, a case code however it is typed, a named case's whole history told as a story; then its
filters, its CSV export and the reads it records (issue 5)."""

AUDIT_CASE_CODE_FORMAT = (
    "A case code is an office's code and the case's number, typed any way: AA-12, AA-00012 or aa12."
)
AUDIT_CASE_AMBIGUOUS = (
    "{typed} could be any of {codes}. Type it with the dash between the office's code and "
    "the number."
)
AUDIT_CASE_STORY = (
    "The whole history of {code}, oldest first: {events}. A named case is shown "
    "whatever the days and office chosen."
)
AUDIT_CASE_STORY_NARROWED = (
    "The whole history of {code} that matches the user and action chosen, oldest first: "
    "{events}. A named case is shown whatever the days and office chosen."
)
AUDIT_CASE_STORY_CAPPED = (
    "The first {shown:,} are told here; the CSV holds all of them (up to {cap:,})."
)
AUDIT_STORY_TABLE = "The same events as a table"
AUDIT_TIMES_EACH = (
    "Each row's time is its office's, with the zone's abbreviation. Rows without an office "
    "(sign-ins, accounts, settings) are in your zone, {zone}. Days run from midnight to "
    "midnight at each office. At most {shown:,} rows are shown here; the CSV also gives each "
    "row in UTC."
)
AUDIT_TIMES_EACH_UTC = (
    "Each row's time is its office's, with the zone's abbreviation. Rows without an office "
    "(sign-ins, accounts, settings) are in UTC: you work at no office. Days run from midnight "
    "to midnight at each office. At most {shown:,} rows are shown here; the CSV also gives "
    "each row in UTC."
)

# Audit screen and audited reads (issue 5)
AUDIT_PICK_RANGE_END = "Pick the last day of the range as well."
AUDIT_RANGE_BACKWARDS = "The last day is before the first day. Pick the range again."
AUDIT_ACTION_UNKNOWN = "Choose one of the listed kinds of action."
AUDIT_CASE_UNKNOWN = "No case with the code {code} at your offices."
AUDIT_NOTHING_MATCHES = "Nothing in the audit trail matches these filters."
AUDIT_MATCHED = "Matching: {rows}, newest first."
AUDIT_SHOWING_NEWEST = (
    "{matched:,} rows match: the newest {shown:,} are shown. The CSV holds all of them "
    "(up to {cap:,}); narrow the filters to see others here."
)
# {events}, {rows}: counted(n, "event"), counted(n, "row") (mild.messages.words)
AUDIT_PREPARE = "Prepare CSV ({rows})"
AUDIT_DOWNLOAD = "Download CSV ({rows})"
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
