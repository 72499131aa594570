"""What a backup or a restore leaves in the audit trail, and the sessions a restore ends.

The copying itself is db.backup (no transaction of ours is involved); these run right after it.
"""

from __future__ import annotations

from sqlalchemy import select

from db.backup import Copy, Restored
from db.models import StaffUser, UserSession
from db.session import transaction
from services.admin import end_open_sessions
from services.common import Actor, audit

RESTORED = "database restored"  # the end_reason of the sessions a restore ends


def record_backup(copy: Copy, *, actor: Actor) -> None:
    """Audit a backup: a copy of every patient's record now exists outside the app."""
    with transaction() as session:
        audit(
            session,
            actor,
            "database.backed_up",
            "database",
            None,
            detail={"path": str(copy.path), "bytes": copy.size_bytes, "rows": copy.rows},
        )


def record_restore(restored: Restored, *, actor: Actor) -> int:
    """Audit a restore and end every session open in the restored database; returns how many.

    The restored user_session rows are as they were at backup time: a session signed out or
    ended by an admin since would be open again, and every open screen is now stale. So
    everyone signs in again.
    """
    with transaction() as session:
        users = session.scalars(
            select(StaffUser)
            .where(
                StaffUser.id.in_(select(UserSession.user_id).where(UserSession.ended_at.is_(None)))
            )
            .order_by(StaffUser.id)
        ).all()
        ended = sum(end_open_sessions(session, user, RESTORED, actor) for user in users)
        audit(
            session,
            actor,
            "database.restored",
            "database",
            None,
            detail={
                "backup": str(restored.backup),
                "backup_revision": restored.backup_revision,
                "safety_copy": str(restored.safety_copy) if restored.safety_copy else None,
                "sessions_ended": ended,
            },
        )
        return ended
