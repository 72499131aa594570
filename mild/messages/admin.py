"""Messages of the Admin screen (issue 5 and after): staff accounts, offices, sessions, the hold
table, practice settings and providers."""

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

# Offices, users, sessions, the hold table (issue 5)
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

# Sessions locked when idle; the offices of an admin
ADMIN_SESSION_LOCKED = "locked (idle)"
ADMIN_SESSIONS_IDLE_NOTE = (
    "A session idle for more than {minutes} min is locked until its user's password opens it "
    "again; locked for more than {hours} h it has ended and is not listed."
)
ADMIN_OFFICES_FOR_ADMIN = "An admin sees every office; offices listed here are optional."

# Practice settings
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

# Providers
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
