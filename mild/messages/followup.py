"""Messages of post-op follow-up: the worklist, the next-day call, the later visits and their
scores, escalation to the provider, closing a follow-up or the case."""

# Follow-up
FOLLOW_UP_NOT_FOUND = "That follow-up does not exist or is not at one of your offices."
FOLLOW_UP_ALREADY_DONE = "This follow-up is already complete."

# Scores (NPRS and ODI: the baseline at intake, then each follow-up)
NPRS_RANGE = "Pain (NPRS) is a whole number from 0 to 10."
ODI_SECTION_RANGE = "Each ODI answer ({section}) is a whole number from 0 to 5."
ODI_UNKNOWN_SECTION = "There is no ODI section {section!r}."
ODI_TOO_FEW_SECTIONS = "Answer at least 8 of the 10 ODI sections to score it."

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
