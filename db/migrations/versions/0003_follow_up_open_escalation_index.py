"""follow-up: a partial index of the open escalations

The follow-up screen, the schedule and the board ask for the escalated, unresolved follow-ups
of the user's offices on every rerun. With only ix_follow_up_office_due that read visited every
follow-up the offices ever had (7.9 ms for two offices at 25 offices x 5 years, 0.08 ms at one
month). This index holds the open escalations alone (a handful at any time), so the read costs
the same at any length of history, and the follow-ups never escalated cost it nothing.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 13:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "escalated_at IS NOT NULL AND escalation_resolved_at IS NULL"


def upgrade() -> None:
    op.create_index(
        "ix_follow_up_open_escalation",
        "follow_up",
        ["office_id", "escalated_at"],
        unique=False,
        sqlite_where=sa.text(OPEN),
        postgresql_where=sa.text(OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_follow_up_open_escalation", table_name="follow_up")
