"""session address and sign-in method

- user_session.client_address: the client's address as the server saw it when the browser
  traded its sign-in ticket for the cookie (issue 13: the admin's sessions list tells sessions
  apart by browser, address and last activity). Sessions opened before have none.
- user_session.signed_in_via: "password" or "sso" (mild.account); a session signed in by
  single sign-on is told to change its password at the identity provider. Sessions opened
  before have none (read as a password sign-in).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.add_column(sa.Column("client_address", sa.String(length=45), nullable=True))
        batch_op.add_column(sa.Column("signed_in_via", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch_op:
        batch_op.drop_column("signed_in_via")
        batch_op.drop_column("client_address")
