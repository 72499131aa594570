"""follow-up attempt outcome and visit date

- follow_up.last_attempt_outcome: how the last try that did not reach the patient went
  (mild.followup.AttemptOutcome: no answer, voicemail, call back, wrong number, did not attend),
  shown on the worklist (issue 13). Existing attempts keep no outcome: none was recorded.
- follow_up.visited_on: the office-local day a later visit took place (issue 13). Existing
  recorded visits take the day they were recorded, in their office's time zone (the nearest
  known day).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 22:30:00
"""

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("follow_up") as batch_op:
        batch_op.add_column(sa.Column("last_attempt_outcome", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("visited_on", sa.Date(), nullable=True))
    # The day each recorded visit was recorded, as its office reads it (a visit recorded at
    # 19:30 in New York is that day's, not the next UTC day's), row by row in Python so both
    # backends give the same day whatever the server's own time zone.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT f.id, f.completed_at, o.timezone FROM follow_up f "
            "JOIN office o ON o.id = f.office_id "
            "WHERE f.kind <> 'next_day_call' AND f.reached = :yes "
            "AND f.completed_at IS NOT NULL"
        ),
        {"yes": True},
    ).all()
    for follow_up_id, completed_at, timezone in rows:
        bind.execute(
            sa.text("UPDATE follow_up SET visited_on = :day WHERE id = :id"),
            {"day": _local_day(completed_at, timezone), "id": follow_up_id},
        )


def _local_day(moment, timezone: str) -> dt.date:
    """A stored moment (aware, or naive UTC as SQLite keeps it; or its text) as a local day."""
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(ZoneInfo(timezone)).date()


def downgrade() -> None:
    with op.batch_alter_table("follow_up") as batch_op:
        batch_op.drop_column("visited_on")
        batch_op.drop_column("last_attempt_outcome")
