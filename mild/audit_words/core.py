"""What every renderer of the trail shares: the event as stored, the names its ids stand for,
and the small pieces of wording (a value, a change, a moment, a quote) they are told with."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mild.cases import CaseStatus
from mild.days import to_local
from mild.followup import FollowUpKind


@dataclass(frozen=True)
class Event:
    """One audit row as a renderer reads it: the detail parsed (empty when none), what it is
    about, and the zone in which times inside the detail are told (the row's office's)."""

    action: str
    detail: Mapping[str, Any] = field(default_factory=dict)
    entity: str = ""
    entity_id: int | None = None
    zone: str = "UTC"


def event(
    action: str,
    detail: str | None,
    entity: str | None = "",
    entity_id: int | float | None = None,
    zone: str = "UTC",
) -> Event:
    """An Event from a stored row; a detail that is not a JSON object (never written by the
    app) is kept as its text."""
    parsed: Any = {}
    if isinstance(detail, str) and detail:  # a missing one may come as None or NaN
        try:
            parsed = json.loads(detail)
        except ValueError:
            parsed = {"text": detail}
    if not isinstance(parsed, dict):
        parsed = {"value": parsed}
    entity = entity if isinstance(entity, str) else ""
    return Event(action, parsed, entity, _int(entity_id), zone or "UTC")


@dataclass(frozen=True)
class FollowUpName:
    kind: str
    case_code: str


@dataclass(frozen=True)
class Refs:
    """The ids inside a set of rows that the screen shows as names."""

    staff: frozenset[int] = frozenset()
    providers: frozenset[int] = frozenset()
    offices: frozenset[int] = frozenset()
    follow_ups: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Names:
    """The names of the ids in a set of rows, read in bulk (db.queries.audit)."""

    staff: Mapping[int, str] = field(default_factory=dict)
    providers: Mapping[int, str] = field(default_factory=dict)
    offices: Mapping[int, str] = field(default_factory=dict)
    follow_ups: Mapping[int, FollowUpName] = field(default_factory=dict)

    def person(self, user_id: Any, username: Any = None) -> str:
        """A staff member's display name; the username as stored when the id is unknown."""
        name = self.staff.get(_int(user_id) or 0)
        if name:
            return name
        return str(username) if username else "a staff member no longer on file"

    def provider(self, provider_id: Any) -> str:
        return self.providers.get(_int(provider_id) or 0) or "a provider no longer on file"

    def office(self, office_id: Any) -> str:
        return self.offices.get(_int(office_id) or 0) or "an office no longer on file"

    def follow_up(self, follow_up_id: Any, kind: Any = None) -> str:
        """ "the 2-week visit of NYC-00007"; the kind alone when the row is not found."""
        found = self.follow_ups.get(_int(follow_up_id) or 0)
        label = label_of(FollowUpKind, found.kind if found else kind) or "follow-up"
        text = f"the {lower_first(label)}"
        return f"{text} of {found.case_code}" if found else text


Renderer = Callable[[Event, Names], str]


# --- references: the ids a set of rows names ---------------------------------------------------

# Keys of the detail that hold an id, by what the id is of. The same key means the same thing
# in every action's detail (services write them so).
_STAFF_KEYS = frozenset({"user_id"})
_PROVIDER_KEYS = frozenset({"provider_id", "provider"})
_OFFICE_KEYS = frozenset({"office_id", "office_ids"})
_FOLLOW_UP_KEYS = frozenset({"follow_up"})


def references(events: Iterable[Event]) -> Refs:
    """Every id the rows name that the screen shows as a name, to be read in one go."""
    found: dict[str, set[int]] = {"staff": set(), "providers": set(), "offices": set(), "fu": set()}
    for e in events:
        if e.entity == "staff_user" and e.entity_id is not None:
            found["staff"].add(e.entity_id)
        if e.entity == "provider" and e.entity_id is not None:
            found["providers"].add(e.entity_id)
        _collect(e.detail, found)
    return Refs(
        frozenset(found["staff"]),
        frozenset(found["providers"]),
        frozenset(found["offices"]),
        frozenset(found["fu"]),
    )


_ID_KEYS = tuple(f'"{k}"' for k in _STAFF_KEYS | _PROVIDER_KEYS | _OFFICE_KEYS | _FOLLOW_UP_KEYS)


def may_name_ids(entity: Any, detail: Any) -> bool:
    """Whether a stored row can hold an id shown as a name: a row about an account or a
    provider, or a detail whose JSON has one of the keys (a cheap test before parsing)."""
    if entity in ("staff_user", "provider"):
        return True
    return isinstance(detail, str) and any(key in detail for key in _ID_KEYS)


def _collect(value: Any, found: dict[str, set[int]]) -> None:
    if isinstance(value, list):
        for v in value:
            _collect(v, found)
        return
    if not isinstance(value, Mapping):
        return
    for key, v in value.items():
        into = (
            "staff"
            if key in _STAFF_KEYS
            else "providers"
            if key in _PROVIDER_KEYS
            else "offices"
            if key in _OFFICE_KEYS
            else "fu"
            if key in _FOLLOW_UP_KEYS
            else None
        )
        ids = v if isinstance(v, list) else [v]
        if into is not None and all(_int(i) is not None for i in ids):
            found[into].update(_int(i) for i in ids)  # type: ignore[misc]
        else:
            _collect(v, found)


def _int(value: Any) -> int | None:
    """An id as stored (an int, or a float from pandas); None for anything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


# --- wording --------------------------------------------------------------------------------------


def lower_first(text: str) -> str:
    """A label inside a sentence: "Next-day call" -> "next-day call" (an acronym kept)."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def label_of(enum_type: type, value: Any) -> str | None:
    """The clinic's word for a stored enum value; None when the value is not one."""
    try:
        return enum_type(value).label
    except (ValueError, TypeError, KeyError):
        return None


def labelled(enum_type: type, value: Any) -> str:
    """The word for a stored value, or the value as stored when this version does not know it."""
    return label_of(enum_type, value) or plain(value)


def quoted(text: Any) -> str:
    """What someone typed, as typed, in quotes."""
    return f"“{text}”"


def plain(value: Any) -> str:
    """Any stored value in words: yes/no, none, a list joined, a mapping as 'key: value'."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Mapping):
        return "; ".join(f"{key_words(k)}: {plain(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(plain(v) for v in value)
    return str(value)


def key_words(name: object) -> str:
    return str(name).replace("_", " ")


def change(before: Any, after: Any, show: Callable[[Any], str] = plain) -> str:
    """ "A → B"."""
    return f"{show(before)} → {show(after)}"


def changes(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    labels: Mapping[str, str] | None = None,
    show: Callable[[str, Any], str] | None = None,
) -> str:
    """Each field that changed, "name: A → B", joined with "; " in the order stored."""
    before, after = before or {}, after or {}
    labels = labels or {}
    parts = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        fmt = (lambda v, k=key: show(k, v)) if show else plain
        parts.append(f"{labels.get(key, key_words(key))}: {change(old, new, fmt)}")
    return "; ".join(parts)


def status_move(value: Any) -> str:
    """A case's status change, stored as [from, to] or {"from", "to"}: "Discharged →
    Follow-up"; "" when the status did not change."""
    if isinstance(value, Mapping):
        value = [value.get("from"), value.get("to")]
    if not isinstance(value, list | tuple) or len(value) != 2 or value[0] == value[1]:
        return ""
    return change(value[0], value[1], lambda v: labelled(CaseStatus, v))


def moment(value: Any, zone: str) -> str:
    """A stored time (ISO text, UTC) in the row's zone: "Tue 10 Mar 2026 09:00 EDT"; a
    value that is not a time as stored."""
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, dt.datetime):
        return plain(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return f"{to_local(zone, value):%a %-d %b %Y %H:%M %Z}"


def day(value: Any) -> str:
    """A stored date (ISO text): "Tue 10 Mar 2026"."""
    try:
        return f"{dt.date.fromisoformat(str(value)):%a %-d %b %Y}"
    except ValueError:
        return plain(value)


def counted(n: Any, noun: str) -> str:
    """ "1 row", "3 rows"."""
    return f"{plain(n)} {noun}" + ("" if n == 1 else "s")


def joined(*parts: str) -> str:
    """Clauses of one sentence, the empty ones left out: "a; b"."""
    return "; ".join(p for p in parts if p)


def then(text: str, more: str) -> str:
    """ "text: more", or the text alone when there is no more to say."""
    return f"{text}: {more}" if more else text


def with_note(text: str, note: Any, lead: str = "") -> str:
    """A predicate with what someone typed after it, when they typed anything."""
    if not note or not str(note).strip():
        return text
    return f"{text}{lead or ': '}{quoted(str(note).strip())}"
