"""safety events

- safety_event: CMS ASC-1 to ASC-4 recorded from the day-of checklist, and hospital visits
  within 7 days of discharge recorded from follow-up (mild.safety), each with the case, the
  office, when it happened, what happened, and who recorded it when. Indexed by office and
  time for the managers' measures.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 13:54:38
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "safety_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "burn",
                "fall",
                "wrong_site",
                "wrong_side",
                "wrong_patient",
                "wrong_procedure",
                "wrong_implant",
                "transfer",
                "ed_visit",
                "admission",
                name="safetykind",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("occurred_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mild_case.id"],
            name=op.f("fk_safety_event_case_id_mild_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_safety_event_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_user.id"],
            name=op.f("fk_safety_event_recorded_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safety_event")),
    )
    with op.batch_alter_table("safety_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_event_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_safety_event_office_occurred", ["office_id", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("safety_event", schema=None) as batch_op:
        batch_op.drop_index("ix_safety_event_office_occurred")
        batch_op.drop_index(batch_op.f("ix_safety_event_case_id"))

    op.drop_table("safety_event")
