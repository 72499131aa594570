"""Is the database there and migrated? Checked before any page runs."""

from __future__ import annotations

from db.migrate import SchemaState, schema_state
from db.session import database_url
from mild import messages

_ready_urls: set[str] = set()


def database_problem() -> str | None:
    """A message for the user when the database cannot serve the app, else None.

    A database found ready stays trusted for the process; later failures surface where they
    happen, as short messages.
    """
    url = database_url()
    if url in _ready_urls:
        return None
    state = schema_state()
    if state == SchemaState.READY:
        _ready_urls.add(url)
        return None
    return (
        messages.DATABASE_UNAVAILABLE
        if state == SchemaState.UNREACHABLE
        else messages.DATABASE_NOT_MIGRATED
    )
