"""intake driver, confirmation, follow-up details

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 09:20:38.153318
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    with op.batch_alter_table("case_medication", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dose", sa.String(length=120), nullable=True))

    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.add_column(sa.Column("temperature_c", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("odi_answers", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("escalation_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("resolution_note", sa.Text(), nullable=True))

    with op.batch_alter_table("mild_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("driver_name", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("driver_relationship", sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column("driver_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("confirmed_at", db.types.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("confirmed_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_mild_case_confirmed_by_id_staff_user"),
            "staff_user",
            ["confirmed_by_id"],
            ["id"],
        )


def downgrade() -> None:

    with op.batch_alter_table("mild_case", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_mild_case_confirmed_by_id_staff_user"), type_="foreignkey"
        )
        batch_op.drop_column("confirmed_by_id")
        batch_op.drop_column("confirmed_at")
        batch_op.drop_column("driver_phone")
        batch_op.drop_column("driver_relationship")
        batch_op.drop_column("driver_name")

    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_column("resolution_note")
        batch_op.drop_column("escalation_note")
        batch_op.drop_column("odi_answers")
        batch_op.drop_column("temperature_c")

    with op.batch_alter_table("case_medication", schema=None) as batch_op:
        batch_op.drop_column("dose")
