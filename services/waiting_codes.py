"""Waiting-room codes kept with the case's status (mild.waiting_codes), in the transaction of the
action that moved the case: a check-in issues one (named in the check-in's own audit row), a
discharge or a cancellation clears it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import Case, Office, WaitingCode
from mild.days import local_today
from mild.waiting_codes import holds_waiting_code, new_waiting_code

# A code drawn at the same moment by another check-in at the same office (PostgreSQL; SQLite
# writes one at a time) is refused by the table's key: draw again, this many times at most.
_ATTEMPTS = 5


def keep_waiting_code(session: Session, case: Case, at: dt.datetime) -> str | None:
    """After the case's status changed: a patient now on site gets a code, one who left loses
    theirs. Returns the code issued now, if one was, for the action's own audit row. The
    caller has locked the case."""
    if not holds_waiting_code(case.status):
        case.waiting_code = None
    elif case.waiting_code is None:
        case.waiting_code = _issue(session, case.office_id, at)
        return case.waiting_code
    return None


def _issue(session: Session, office_id: int, at: dt.datetime) -> str:
    """A code the office has not issued today, recorded as issued."""
    day = local_today(session.get(Office, office_id).timezone, at)
    taken = set(
        session.scalars(
            select(WaitingCode.code).where(
                WaitingCode.office_id == office_id, WaitingCode.issued_on == day
            )
        )
    )
    session.flush()  # the action's own changes stay whatever the savepoint below does
    for attempt in range(1, _ATTEMPTS + 1):
        code = new_waiting_code(taken)
        try:
            with session.begin_nested():
                session.add(
                    WaitingCode(office_id=office_id, issued_on=day, code=code, issued_at=at)
                )
            return code
        except IntegrityError:
            if attempt == _ATTEMPTS:
                raise
            taken.add(code)
    raise AssertionError("unreachable")
