"""Messages of booking beside the provider's day (intake's booking, the schedule's reschedule)."""

# A start within the turnover of another case of the provider (mild.booking.check_no_clash).
BOOKING_TURNOVER_CLASH = (
    "{provider} has case {code} at {start} for {minutes} min: leave {turnover} min between "
    "two cases for the room to be turned over."
)

# The provider's day (ui.availability)
DAY_VIEW_TITLE = "{provider}'s day at {office}: {day}"
DAY_VIEW_HOURS = (
    "Procedure hours {opens}–{closes} {zone}, {days}; {turnover} min turnover between two cases."
)
DAY_VIEW_CLOSED = "{day} is not a procedure day: no slot is offered."
DAY_VIEW_PASSED = "This day has passed at the office: no slot is offered."
DAY_VIEW_NO_CASES = "No case booked with {provider} on this day."
DAY_VIEW_FREE = "Free"
DAY_VIEW_THIS_CASE = "{code} (this case)"
DAY_VIEW_CHOOSE_PROVIDER = "Choose the provider to see their day and its free slots."
DAY_VIEW_CHOOSE_DAY = (
    "Choose a day to see the provider's day and its free slots, or press {button}."
)
FREE_SLOTS_LABEL = "Free slots for {minutes} min: tap one to take its start"
FREE_SLOT_TAKEN = "✓ {time}"  # the slot the form's start stands at
FREE_SLOTS_NONE = "No free slot for {minutes} min on this day. Try “Next free slot”."
NEXT_FREE_BUTTON = "Next free slot for {minutes} min"
NEXT_FREE_HELP = (
    "The first free slot from the day chosen (today when none is) over the next {days} days, "
    "procedure days only."
)
NEXT_FREE_FOUND = "Next free slot: {when}. The day and start are set; press {action} to book it."
NEXT_FREE_NONE = (
    "No free slot for {minutes} min with {provider} in the {days} days from {day}. Try a "
    "shorter length, another provider or a later day."
)
