"""The audit trail in words a manager reads: one renderer per action, grouped by family
(access, cases, intake, day_of, follow_up, admin), each a pure function of the stored row
and the names its ids stand for (read in bulk by db.queries.audit).

A renderer returns a predicate, "ticked “Time-out”", that the screen puts after who did it
("Nina Nurse ticked “Time-out”.") and, capitalised, in the table's "What" column."""

from __future__ import annotations

import datetime as dt
import logging

from mild.audit import action_label, detail_words
from mild.audit_words import access, admin, cases, day_of, follow_up, intake
from mild.audit_words.core import (
    Event,
    FollowUpName,
    Names,
    Refs,
    Renderer,
    event,
    lower_first,
    may_name_ids,
    references,
    upper_first,
)
from mild.days import to_local

log = logging.getLogger(__name__)

FAMILIES = (access, cases, intake, day_of, follow_up, admin)
RENDERERS: dict[str, Renderer] = {a: r for f in FAMILIES for a, r in f.RENDERERS.items()}

# Who acted when no account did: the names services and scripts write in actor_name.
SYSTEM_ACTORS = {
    "notify": "The notifier",
    "seed": "The demo seed",
    "anonymous": "Someone not signed in",
}


def tell(e: Event, names: Names) -> str:
    """What happened, as a predicate ("cancelled the case (No escort)"). An action this
    version has no words for, or a detail in a shape its renderer does not know (a row from
    an older version), reads as the action's name and its detail in plain words."""
    render = RENDERERS.get(e.action)
    if render is not None:
        try:
            return render(e, names)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            log.warning("audit row %s: detail in an unexpected shape", e.action, exc_info=True)
    text = lower_first(action_label(e.action))
    detail = detail_words(e.detail) if e.detail else ""
    return f"{text}: {detail}" if detail else text


def what(e: Event, names: Names) -> str:
    """The table's "What" cell: the predicate, capitalised."""
    return upper_first(tell(e, names))


def who(actor_name: str | None, display_name: str | None) -> str:
    """Who acted, as the story names them: an account's display name; the command line's
    user ("root at the command line"); the app's own workers; else the name as stored (a
    username typed at a failed sign-in), quoted."""
    if display_name:
        return display_name
    name = actor_name or "anonymous"
    if name in SYSTEM_ACTORS:
        return SYSTEM_ACTORS[name]
    if name.startswith("cli:"):
        return f"{name[4:] or 'someone'} at the command line"
    if name.startswith("migration "):
        return f"The upgrade ({name})"
    return f"“{name}”"


def when(moment: dt.datetime, zone: str, today: dt.date) -> str:
    """A story's time in `zone`: "Mon 2 Mar 09:14 EST", with the year when it is not this
    year's."""
    local = to_local(zone, moment)
    year = "" if local.year == today.year else f" {local.year}"
    return f"{local:%a %-d %b}{year} {local:%H:%M %Z}"


def sentence(when_text: str, who_text: str, predicate: str) -> str:
    """One event of a case's story: "Mon 2 Mar 09:14 EST — Nina Nurse checked in."."""
    return f"{when_text} — {upper_first(who_text)} {predicate}."


__all__ = [
    "RENDERERS",
    "Event",
    "FollowUpName",
    "Names",
    "Refs",
    "event",
    "may_name_ids",
    "references",
    "sentence",
    "tell",
    "what",
    "when",
    "who",
]
