"""pre-op calls

- practice_setting: whole-number practice policies with their source, edited by admins
  (audited); seeded with preop_call_days = 3 (how many working days ahead the pre-op call
  worklist reaches; 1 to 7).
- preop_call: every attempt of the scripted pre-op call (issue 11), with who and when, its
  outcome (reached, voicemail, no answer, wrong number, call back at a time) and, when the
  patient was reached, the script's answers. Rows are only ever added.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 16:10:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PREOP_SOURCE_0011 = (
    "Practice policy; a scripted nurse call three business days before surgery cut day-of "
    "cancellations by about half (published ASC practice, issue 11)"
)


def upgrade() -> None:
    settings = op.create_table(
        "practice_setting",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff_user.id"],
            name=op.f("fk_practice_setting_updated_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_practice_setting")),
    )
    op.bulk_insert(
        settings,
        [
            {
                "key": "preop_call_days",
                "value": 3,
                "source": PREOP_SOURCE_0011,
                "updated_at": dt.datetime.now(dt.UTC),
                "updated_by_id": None,
            }
        ],
    )
    op.create_table(
        "preop_call",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("called_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("called_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("call_back_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("arrival_time_told", sa.Boolean(), nullable=True),
        sa.Column("fasting_explained", sa.Boolean(), nullable=True),
        sa.Column("escort_confirmed", sa.Boolean(), nullable=True),
        sa.Column("questions", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mild_case.id"],
            name=op.f("fk_preop_call_case_id_mild_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_preop_call_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["called_by_id"],
            ["staff_user.id"],
            name=op.f("fk_preop_call_called_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_preop_call")),
    )
    op.create_index("ix_preop_call_case_id_id", "preop_call", ["case_id", "id"])
    op.create_index("ix_preop_call_office_called", "preop_call", ["office_id", "called_at"])


def downgrade() -> None:
    op.drop_index("ix_preop_call_office_called", table_name="preop_call")
    op.drop_index("ix_preop_call_case_id_id", table_name="preop_call")
    op.drop_table("preop_call")
    op.drop_table("practice_setting")
