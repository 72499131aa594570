"""landing screen

- staff_user.landing_screen: the screen a sign-in lands on, each user's own choice on My
  account (issue 13); empty for everyone until chosen (Today, or a provider's escalations).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06 23:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.add_column(sa.Column("landing_screen", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff_user") as batch_op:
        batch_op.drop_column("landing_screen")
