"""follow-up attempt outcome and visit date

- follow_up.last_attempt_outcome: how the last try that did not reach the patient went
  (mild.followup.AttemptOutcome: no answer, voicemail, call back, wrong number, did not attend),
  shown on the worklist (issue 13). Existing attempts keep no outcome: none was recorded.
- follow_up.visited_on: the office-local day a later visit took place (issue 13). Existing
  recorded visits take the day they were recorded, in UTC (the nearest known day).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 22:30:00
"""

from collections.abc import Sequence

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
    follow_up = sa.table(
        "follow_up",
        sa.column("kind", sa.String),
        sa.column("reached", sa.Boolean),
        sa.column("completed_at", sa.DateTime),
        sa.column("visited_on", sa.Date),
    )
    op.execute(
        follow_up.update()
        .where(
            follow_up.c.kind != "next_day_call",
            follow_up.c.reached.is_(True),
            follow_up.c.completed_at.is_not(None),
        )
        .values(visited_on=sa.func.date(follow_up.c.completed_at))
    )


def downgrade() -> None:
    with op.batch_alter_table("follow_up") as batch_op:
        batch_op.drop_column("visited_on")
        batch_op.drop_column("last_attempt_outcome")
