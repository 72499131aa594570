"""provider contact

- provider: the email and phone of each physician, for the escalations that must reach them
  (issue 11); admins now add, change and deactivate providers. Existing providers keep their
  name, office and active flag, with no contact yet.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 14:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("provider") as batch_op:
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("provider") as batch_op:
        batch_op.drop_column("phone")
        batch_op.drop_column("email")
