"""Messages of the status board, its alerts and the waiting-room display."""

# Live status board (board screen)
BOARD_UPDATED = "Updated {time} · refreshes by itself every {seconds} s"
BOARD_PUBLIC_NOTE = "Waiting-room mode: waiting-room codes and stages only, never a name."
BOARD_NO_CANCELLED = "No cancellations today."
# An alert as the case's row says it, beside its time in stage: the level in words beside its
# colour and icon (a long stay's minutes are the time in stage already shown).
BOARD_ALERT_AMBER = "Amber: {what}"
BOARD_ALERT_RED = "Red: {what}"
BOARD_ALERT_LATE_START = "{minutes} min late"
BOARD_ALERT_LONG_PROCEDURE = "{minutes} min over plan"
BOARD_ALERT_LONG_RECOVERY = "long recovery stay"
BOARD_ALERTS = "Alerts: {n}"
BOARD_ALERTS_RED = "Alerts: {n} ({red} red)"
# The overview of many offices (ui.board_view.overview_markdown): a row per office, then a fold
# per office, each opened by a tap.
BOARD_OVERVIEW = "All {n} offices at a glance; tap an office below for its cases."
BOARD_OVERVIEW_ALERTS_RED = "{n} ({red} red)"
BOARD_OVERVIEW_PAST_LIMIT = "{n} ({past} late)"

# Waiting-room display (board screen, kiosk)
DISPLAY_START_HELP = (
    "Turns this screen into the waiting-room display of one office: large waiting-room codes "
    "and stages, no names, no navigation. Any staff member of that office can end it with their "
    "own username and password."
)
DISPLAY_ONE_OFFICE = "Choose one office above: a waiting-room display shows one office."
DISPLAY_TITLE = "Today's procedures"
DISPLAY_HOW_TO_READ = "Your waiting-room code was given at check-in. No names are shown here."
DISPLAY_NOBODY = "No one is checked in at the moment."
DISPLAY_EXIT_LABEL = "Staff: end the waiting-room display"
DISPLAY_USERNAME_HELP = "Blank: the staff member who started this display."
DISPLAY_PASSWORD_REQUIRED = "Enter your username and password to end the waiting-room display."
DISPLAY_PASSWORD_WRONG = "That username and password do not end the display: it stays on."
DISPLAY_NOT_THIS_OFFICE = (
    "Only the staff of this office (or an admin) can end its display: it stays on."
)
DISPLAY_OFF = "Waiting-room display ended."
DISPLAY_RUNNING = "Waiting-room display of {office} on, started by {name}."
DISPLAY_END_HELP = "Ends that display from here: it shows the sign-in form within 15 s."
DISPLAY_ALREADY_ENDED = "That waiting-room display has already ended."

# Waiting-room codes (issued at check-in)
WAITING_CODES_USED_UP = "Every waiting-room code of today is used at this office."

# Practice settings that must stay in order (an alert's amber threshold before its red)
SETTING_BELOW = 'Must be less than "{label}", now {value}.'
SETTING_ABOVE = 'Must be more than "{label}", now {value}.'
