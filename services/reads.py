"""Reads that leave a trace: opening a patient's case, opening and exporting the audit trail.

A clinical read that cannot be recorded is not shown (ui.safe): these functions raise rather
than return quietly, and each writes its audit row in a transaction of its own.
"""

from __future__ import annotations

from db.models import Case
from db.queries.audit import AuditFilter, AuditPage, audit_events
from db.session import transaction
from mild import messages
from mild.audit import AUDIT_EXPORTED, AUDIT_VIEWED, CASE_VIEWED, EXPORT_ROWS, audit_scope
from mild.errors import RuleViolation
from mild.staff import Screen, may_open
from services.common import Actor, audit


def record_case_view(actor: Actor, case_id: int, screen: Screen) -> None:
    """One "case.viewed" row: who opened which case, at which office, on which screen.
    A case outside the actor's offices (or a screen their role may not open) is refused."""
    if not may_open(actor.role, screen):
        raise RuleViolation("case", messages.NOT_ALLOWED_HERE)
    with transaction() as session:
        case = session.get(Case, case_id)
        if case is None or not actor.may_touch(case.office_id):
            raise RuleViolation("case", messages.CASE_NOT_FOUND)
        audit(
            session,
            actor,
            CASE_VIEWED,
            "case",
            case.id,
            office_id=case.office_id,
            detail={"screen": screen.value},
        )


def record_audit_view(actor: Actor) -> None:
    """One "audit.viewed" row when a manager or admin opens the audit trail (which names
    cases and holds what staff typed about patients)."""
    audit_scope(actor.role, actor.office_ids)
    with transaction() as session:
        audit(session, actor, AUDIT_VIEWED, "audit_event", None)


def export_audit(actor: Actor, f: AuditFilter) -> AuditPage:
    """The rows of an export (the newest EXPORT_ROWS that match; a named case's first, oldest
    first), how many matched, and the names of the ids they hold.

    Read first, then recorded with the filters and the row count: if the record cannot be
    written, the rows are not handed out. Rows about the audit trail itself carry no office:
    admins read who opened or exported it.
    """
    page = audit_events(actor.role, actor.office_ids, f, limit=EXPORT_ROWS)
    with transaction() as session:
        audit(
            session,
            actor,
            AUDIT_EXPORTED,
            "audit_event",
            None,
            detail={"filters": f.described(), "rows": len(page.rows), "matched": page.matched},
        )
    return page
