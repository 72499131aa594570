"""Messages of escalation tiers, notifications (what is sent and how it went), the Admin
"Notifications" and "Escalation tiers" tabs, and the provider's Escalations screen (issue 11)."""

# What a notification says: the case code, the tier and a link, nothing about the patient.
NOTIFY_TITLE = "MILD escalation, case {code}: {tier}"
NOTIFY_REMINDER_TITLE = "Reminder, still open: MILD escalation, case {code}: {tier}"
NOTIFY_STILL_OPEN = "Still open after {minutes} minutes. "
NOTIFY_BODY = (
    "Case {code}, escalated after its follow-up call. Tier: {tier}. {still}"
    "Open it in the MILD dashboard (sign-in needed): {link}"
)
NOTIFY_TEST_TITLE = "MILD dashboard: test notification"
NOTIFY_TEST_BODY = (
    "A test from the MILD dashboard for office {office}. It carries no patient information; "
    "nothing to do."
)

# Why a notification did not go (kept on the notification, shown beside the escalation).
NOTIFY_NOT_DELIVERED = "{services} did not accept the message"
NOTIFY_SEND_ERROR = "the notification could not be sent ({kind})"
NOTIFY_NO_PROVIDER = "no provider on the case"
NOTIFY_NO_PROVIDER_EMAIL = "the provider has no email address (Admin, Providers)"
NOTIFY_NO_SMTP = "no email server set (MILD_SMTP_URL)"
NOTIFY_NO_ON_CALL_URLS = "no notification URL for the office (Admin, Notifications)"
NOTIFY_URL_UNUSABLE = "a notification URL could not be used"
NOTIFY_LOST = "the notification could not be recorded; it will be tried again"

NOTIFY_SMTP_URL_FORMAT = (
    "{name} must be an Apprise email URL: mailtos://user:password@smtp.example.org?from=..."
)
NOTIFY_BASE_URL_FORMAT = "{name} must be the app's address, e.g. https://mild.example.org"

# Tiers and their limits (Admin, "Escalation tiers").
TIER_UNKNOWN = "There is no such escalation tier."
TIER_REQUIRED = "Choose the tier this red flag escalates at."
TIER_LIMIT_RANGE = "The time limit is whole minutes from {low} to {high}."
RED_FLAG_UNKNOWN = "There is no such red flag."
TIER_CHANGED_BY_SOMEONE_ELSE = (
    "Someone else changed this row since you opened it. Reload to see their change."
)
TIER_LIMIT_SAVED = "Time limit of “{tier}” saved."
FLAG_TIER_SAVED = "Tier of “{flag}” saved."
TIERS_HELP = (
    "Each red flag escalates at a tier; an escalation takes the most urgent tier of its flags. "
    "One still open after its tier's time limit notifies again and shows red on the board. "
    "Practice policy: every change is audited with before and after."
)

# Admin, "Notifications".
NOTIFY_TOO_MANY_URLS = "At most {n} notification URLs for an office."
NOTIFY_URL_MALFORMED = "One URL a line, without spaces, at most {n} characters each."
NOTIFY_URL_UNKNOWN = "Line {line} is not a notification URL Apprise knows (see the README)."
NOTIFY_SETTINGS_SAVED = "Notification settings of {office} saved."
NOTIFY_SETTINGS_CHANGED_BY_SOMEONE_ELSE = (
    "Someone else changed this office's notification settings since you opened them. Reload."
)
NOTIFY_NOTHING_TO_TEST = "There is no notification URL to test: type one or save one first."
NOTIFY_TEST_SENT = "Test message sent to {n} service(s) for {office}."
NOTIFY_TEST_FAILED = "The test did not arrive: {reason}."
NOTIFY_HELP = (
    "An escalation notifies the case's provider by email and the office's on-call contact "
    "through the URLs below (email over SMTP, Microsoft Teams, Slack, an SMS gateway: any "
    "Apprise URL, one a line). A message carries the case code, the tier and a link, never "
    "who the patient is. The URLs hold passwords and tokens: they are shown masked and never "
    "written to the audit trail. Typing new URLs replaces all the saved ones."
)
NOTIFY_SMTP_SET = "Provider emails go through {url} (MILD_SMTP_URL)."
NOTIFY_SMTP_UNSET = (
    "MILD_SMTP_URL is not set: provider emails are not sent (the escalations say so)."
)
NOTIFY_CONFIG_SET = "Also read: the Apprise configuration file {path} (MILD_NOTIFY_CONFIG)."
NOTIFY_CONFIG_BROKEN = "MILD_NOTIFY_CONFIG names {path}, which cannot be read."
NOTIFY_NO_URLS = "none"

# What an escalation shows about its notifications.
NOTIFY_STATUS_LINE = "Notice to {recipient}{name}: {state}"
NOTIFY_STATUS_SENT = "sent {when}"
NOTIFY_STATUS_RETRYING = "failed ({reason}); trying again at {when}"
NOTIFY_STATUS_FAILED = "failed after {attempts} attempts: {reason}"
NOTIFY_STATUS_NOT_CONFIGURED = "not configured: {reason}"
NOTIFY_STATUS_NONE = "No notification was sent for this escalation (raised before notifications)."
NOTIFY_REMINDER = "reminder {n}"
BOARD_PAST_LIMIT = "Open past its time limit ({n})"
ESCALATION_PAST_LIMIT = "Open past its {minutes}-minute limit"
FU_ESCALATIONS_TITLE = "Escalated to the provider"
FU_NOTIFIED = "Notifications: {summary}."
ESCALATIONS_TITLE = "Open escalations"
ESCALATIONS_NONE = "No open escalation for you."
ESCALATIONS_HELP = (
    "Open escalations of your cases, the most urgent first. Resolve one once you have dealt "
    "with it: say what was decided or done."
)
ESCALATION_NOT_YOURS = "This escalation is not one of your cases."

# Provider sign-ins (Admin, Users; manage.py create-user --provider).
PROVIDER_SIGN_IN_NEEDS_PROVIDER = "Choose the provider this sign-in is for."
PROVIDER_ONLY_FOR_PROVIDER_ROLE = "Only a provider sign-in is linked to a provider."
PROVIDER_SIGN_IN_INACTIVE = (
    "That provider is deactivated: bring them back first (Admin, Providers)."
)
PROVIDER_ALREADY_SIGNS_IN = "{name} already has a sign-in."
PROVIDER_ROLE_FIXED = (
    "A provider sign-in keeps its role: disable it and add a new account for another role."
)
PROVIDER_SIGN_IN_HELP = (
    "A provider signs in to see and resolve the escalations of their own cases; their office "
    "is the provider's."
)
