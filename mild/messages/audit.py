"""What the audit screen says (issue 13: readable by a manager): times in each row's office's
zone, a case code however it is typed, a named case's whole history told as a story."""

AUDIT_CASE_CODE_FORMAT = (
    "A case code is an office's code and the case's number, typed any way: AA-12, AA-00012 or aa12."
)
AUDIT_CASE_AMBIGUOUS = (
    "{typed} could be any of {codes}. Type it with the dash between the office's code and "
    "the number."
)
AUDIT_CASE_STORY = (
    "The whole history of {code}, oldest first: {matched:,} events. A named case is shown "
    "whatever the days and office chosen."
)
AUDIT_CASE_STORY_NARROWED = (
    "The whole history of {code} that matches the user and action chosen, oldest first: "
    "{matched:,} events. A named case is shown whatever the days and office chosen."
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
