"""Messages of signing in and out, single sign-on, and a session locked when idle or ended."""

# Sign-in
SIGN_IN_FAILED = "Username or password is not right. Check both and try again."
SIGN_IN_MISSING = "Enter your username and password."
SIGNED_OUT = "You are signed out."
ACCOUNT_DISABLED = SIGN_IN_FAILED  # never reveal which accounts exist or are disabled
NOT_ALLOWED_HERE = "Your role does not give access to this screen."
NO_OFFICES = "Your account is not assigned to any office yet. Ask an administrator."

# Sessions and sign-in lockout
SETTING_RANGE = "{name} must be a whole number from {low} to {high} (it is {value!r})."
SIGN_IN_LOCKED = (
    "Too many failed sign-ins for this username: wait {minutes} min and try again, or ask an admin."
)
SESSION_ENDED = "Your session has ended: sign in again. Nothing was saved."
SESSION_LOCKED_TITLE = "Screen locked"
SESSION_LOCKED = (
    "Locked after {minutes} min without activity. {name}: enter your password to go back "
    "to where you were; nothing you typed is lost."
)
SESSION_LOCK_WARNING = (
    'This screen locks in under a minute for lack of activity. Press "Stay signed in" to '
    "keep working."
)
SESSION_STAY = "Stay signed in"
SESSION_NOT_ME = "Not {name}? Sign out"
SESSION_LOCKED_NOT_SAVED = (
    "The screen locked for lack of activity: unlock it and save again. Nothing was saved."
)
UNLOCK_SSO = (
    "You signed in with single sign-on, so no password here can unlock this screen: sign out "
    "and sign in again with single sign-on (what was typed on the screen is then lost)."
)
UNLOCK_PASSWORD_REQUIRED = "Enter your password to unlock the screen."
UNLOCK_PASSWORD_WRONG = "That password is not right: the screen stays locked."
SESSION_IDLE_ENDED = (
    "You were signed out: the screen stayed locked for more than {hours} h. Anything typed "
    "was not saved."
)
SESSION_REVOKED = "Your session was ended ({reason}). Sign in again."

# Single sign-on (OIDC)
SSO_BUTTON = "Sign in with single sign-on"
SSO_NO_EMAIL = "Single sign-on did not say who you are (no email address): ask an admin."
SSO_NOT_A_USER = (
    "{email} signed in with single sign-on, but no active account here carries that address. "
    "Ask an admin to add it to your account."
)
SSO_OTHER_ACCOUNT = "Use another single sign-on account"
