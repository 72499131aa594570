"""Is the database there and migrated? Checked before any page runs."""

from __future__ import annotations

from db.migrate import SchemaState, database_state
from mild import messages


def database_problem() -> str | None:
    """A message for the user when the database cannot serve the app, else None.

    A database found ready stays trusted for the process (db.migrate.database_state); later
    failures surface where they happen, as short messages.
    """
    state = database_state()
    if state == SchemaState.READY:
        return None
    return (
        messages.DATABASE_UNAVAILABLE
        if state == SchemaState.UNREACHABLE
        else messages.DATABASE_NOT_MIGRATED
    )
