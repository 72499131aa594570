"""Admin action on the practice's settings (mild.settings): one transaction, the admin checked
against the database, the change with its audit row (before and after)."""

from __future__ import annotations

import datetime as dt

from db.models import PracticeSetting
from db.queries.settings import setting_table
from db.session import transaction
from mild import messages
from mild.settings import SPECS, check_order, check_setting, value_of
from services.admin import PolicyEdit, change_policy_row, require_admin
from services.common import Actor


def update_practice_setting(
    key: str,
    *,
    value: int | float | None,
    source: str,
    expected_updated_at: dt.datetime | None,
    actor: Actor,
) -> dt.datetime:
    """Change one setting and its source; someone else's change since the admin's screen
    showed it is not overwritten. Returns the time of this change."""
    checked = check_setting(key, value, source)
    edit = PolicyEdit(
        checked.key,
        {"value": checked.value, "source": checked.source},
        expected_updated_at,
        "value",
        messages.SETTING_UNKNOWN,
        messages.SETTING_CHANGED_BY_SOMEONE_ELSE,
    )
    with transaction() as session:
        require_admin(session, actor)
        table = setting_table(session)
        check_order(checked, {k: value_of(table, k) for k in SPECS})
        _, at = change_policy_row(session, PracticeSetting, edit, actor, "practice_setting.changed")
        return at
