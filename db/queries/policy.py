"""The practice's policy tables (clinical limits, KPI targets) as the Admin screen lists them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import StaffUser
from db.session import read_session


def policy_table(session: Session, model: type, to_domain, key_of) -> dict:
    """A practice policy table as the rules read it, by key (rows this version does not know
    are left out)."""
    found = (to_domain(row) for row in session.scalars(select(model)))
    return {key_of(value): value for value in found if value is not None}


def policy_rows(model: type, to_domain, key_of) -> dict:
    """The rows of a practice policy table (clinical limits, KPI targets) as the rules see them,
    with when and by whom (username) each was last changed: key -> (value, at, by). Rows this
    version does not know are left out."""
    with read_session() as s:
        rows = s.execute(
            select(model, StaffUser.username).outerjoin(
                StaffUser, StaffUser.id == model.updated_by_id
            )
        ).all()
        return {
            key_of(value): (value, row.updated_at, username)
            for row, username in rows
            if (value := to_domain(row)) is not None
        }
