"""kpi targets

- kpi_target: the practice's target for each office metric that has one, with the far edge
  of its amber band and its source (mild.targets), seeded with the defaults below (copied, so
  a later change of mild.targets does not change this migration). Practice policy: the admin
  changes them, audited.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 14:10:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRACTICE = "practice policy (no published number)"
DURATION = "practice's patient page: 60 minutes or less (DOMAIN.md)"
# (key, target, amber, source): the defaults as they stand at this revision.
DEFAULT_TARGETS_0009 = (
    ("on_time_pct", 90.0, 80.0, PRACTICE),
    ("duration_mean", 60.0, 70.0, DURATION),
    ("over_long_pct", 10.0, 20.0, PRACTICE),
    ("recovery_mean", 90.0, 120.0, PRACTICE),
    ("same_day_pct", 5.0, 10.0, PRACTICE),
    ("turnover_mean", 20.0, 30.0, PRACTICE),
    ("call_pct", 95.0, 85.0, PRACTICE),
    ("resolution_median", 24.0, 48.0, PRACTICE),
    ("asc_per_1000", 0.0, 5.0, PRACTICE),
    ("hospital_visits_per_1000", 10.0, 20.0, PRACTICE),
    ("nprs_improved_pct", 60.0, 50.0, PRACTICE),
    ("odi_improved_pct", 50.0, 40.0, PRACTICE),
)


def upgrade() -> None:
    targets = op.create_table(
        "kpi_target",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("target", sa.Float(), nullable=False),
        sa.Column("amber", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff_user.id"],
            name=op.f("fk_kpi_target_updated_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_kpi_target")),
    )
    at = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        targets,
        [
            {
                "key": key,
                "target": target,
                "amber": amber,
                "source": source,
                "updated_at": at,
                "updated_by_id": None,
            }
            for key, target, amber, source in DEFAULT_TARGETS_0009
        ],
    )


def downgrade() -> None:
    op.drop_table("kpi_target")
