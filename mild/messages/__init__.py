"""Every message a user reads, in one place: consistent wording that tests can assert on.

Kept in two modules by when they were written (mild/messages/general.py, clinical.py) and read
as one: `from mild import messages; messages.HARD_STOP`."""

from mild.messages.account import *  # noqa: F403
from mild.messages.audit import *  # noqa: F403
from mild.messages.board import *  # noqa: F403
from mild.messages.booking import *  # noqa: F403
from mild.messages.clinical import *  # noqa: F403
from mild.messages.escalations import *  # noqa: F403
from mild.messages.general import *  # noqa: F403
from mild.messages.intake import *  # noqa: F403
