"""arrival setting

- practice_setting: arrival_minutes_before = 60, how long before the booked start the pre-op
  call tells the patient to arrive (15 to 180; practice policy, no published number).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 17:05:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ARRIVAL_SOURCE_0013 = (
    "Practice policy (no published number): time for check-in and the day-of checks"
)


def upgrade() -> None:
    settings = sa.table(
        "practice_setting",
        sa.column("key", sa.String),
        sa.column("value", sa.Integer),
        sa.column("source", sa.Text),
        sa.column("updated_at", db.types.UTCDateTime(timezone=True)),
        sa.column("updated_by_id", sa.Integer),
    )
    op.bulk_insert(
        settings,
        [
            {
                "key": "arrival_minutes_before",
                "value": 60,
                "source": ARRIVAL_SOURCE_0013,
                "updated_at": dt.datetime.now(dt.UTC),
                "updated_by_id": None,
            }
        ],
    )


def downgrade() -> None:
    op.execute("DELETE FROM practice_setting WHERE key = 'arrival_minutes_before'")
