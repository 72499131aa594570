"""Messages of the "My account" screen (every signed-in user: their own password) and of the
admin's sessions list (issue 13)."""

ACCOUNT_TITLE = "My account"
ACCOUNT_LINK = "My account"
ACCOUNT_PASSWORD_HEADING = "Change your password"
ACCOUNT_PASSWORD_HELP = (
    "At least {n} characters. Changing it signs out every other browser signed in as you; "
    "this one stays signed in."
)
ACCOUNT_CURRENT_REQUIRED = "Type your current password."
ACCOUNT_CURRENT_WRONG = "That is not your current password."
ACCOUNT_REPEAT_REQUIRED = "Type the new password again."
ACCOUNT_SAME_PASSWORD = "The new password is your current one: choose another."
ACCOUNT_PASSWORD_CHANGED = "Password changed."
ACCOUNT_PASSWORD_CHANGED_ONE = "Password changed; your other session was signed out."
ACCOUNT_PASSWORD_CHANGED_MANY = "Password changed; your {n} other sessions were signed out."
ACCOUNT_SSO = (
    "You signed in with single sign-on: your password is the one your organisation's sign-on "
    "keeps, and you change it there. (The password for signing in here with your username "
    "can be changed after signing in that way, or set by an admin.)"
)
ACCOUNT_SIGNED_IN_AS = "{name} · {username} · {role}"

# The admin's sessions list.
ADMIN_SESSION_NO_ADDRESS = "address not recorded"
ADMIN_SESSION_VIA_SSO = "single sign-on"
ACCOUNT_LANDING_HEADING = "Screen after signing in"
ACCOUNT_LANDING_LABEL = "Open this screen when I sign in"
ACCOUNT_LANDING_SAVED = "From your next sign-in you land on {screen}."
LANDING_NOT_ALLOWED = "Choose one of the screens your role may open."
