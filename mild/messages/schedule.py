"""Messages of the schedule screen: the day's and the week's cases, and the pre-op call worklist."""

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

# Weekly schedule: reschedule or cancel (schedule screen)
SCHED_NO_WEEK_CASES = "No cases booked at {office} in the week of {day}."
SCHED_CHOOSE_CASE = "Choose a case above to reschedule or cancel it."
SCHED_RESCHEDULED = "Case {code} moved to {day} at {time}."
SCHED_CANCELLED = "Case {code} cancelled: {reason}."
SCHED_CANNOT_RESCHEDULE = "A case that is {status} can no longer be rescheduled."
