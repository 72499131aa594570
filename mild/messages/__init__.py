"""Every message a user reads, in one place: consistent wording that tests can assert on.

Kept in one module a screen or topic (mild/messages/intake.py, checklist.py, clinical.py, ...)
and read as one: `from mild import messages; messages.HARD_STOP`. A name is defined in one
module only: with the star imports below, a second would silently replace the first."""

from mild.messages.account import *  # noqa: F403
from mild.messages.admin import *  # noqa: F403
from mild.messages.audit import *  # noqa: F403
from mild.messages.backup import *  # noqa: F403
from mild.messages.board import *  # noqa: F403
from mild.messages.booking import *  # noqa: F403
from mild.messages.cases import *  # noqa: F403
from mild.messages.checklist import *  # noqa: F403
from mild.messages.clinical import *  # noqa: F403
from mild.messages.day_sheet import *  # noqa: F403
from mild.messages.escalations import *  # noqa: F403
from mild.messages.followup import *  # noqa: F403
from mild.messages.intake import *  # noqa: F403
from mild.messages.metrics import *  # noqa: F403
from mild.messages.schedule import *  # noqa: F403
from mild.messages.sign_in import *  # noqa: F403
