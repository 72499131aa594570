"""glucose limits for proceeding; Medicare coverage must be answered

- clinical_limit: two new policy rows, the point-of-care glucose below and above which
  anesthesia does not start (DOMAIN.md: "glucose limit for proceeding (policy)"), copied here
  so a later change of mild.clearances does not change this migration.
- mild_case: readiness now asks whether Medicare covers the patient (a Medicare case needs an
  approved study, NCD 150.13). A case not yet checked in, confirmed for its day with the
  question unanswered, is no longer confirmed (audited, actor "migration 0007").
- Fasting ticks without the times reported stay as they were (readable history); anesthesia
  start now asks for the times (mild.fasting), so an open case records them again.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 14:00:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (key, value, unit, action, source): the defaults as they stand at this revision.
GLUCOSE_LIMITS_0007 = (
    (
        "glucose_low",
        70.0,
        "mg/dL",
        "block",
        "ADA Standards of Care in Diabetes 2024, section 6 (Glycemic Goals and Hypoglycemia): "
        "level 1 hypoglycemia < 70 mg/dL; treat and re-check before proceeding",
    ),
    ("glucose_high", 250.0, "mg/dL", "block", "practice policy (no published number)"),
)

LIMITS = sa.table(
    "clinical_limit",
    sa.column("key", sa.String),
    sa.column("value", sa.Float),
    sa.column("unit", sa.String),
    sa.column("action", sa.String),
    sa.column("source", sa.Text),
    sa.column("updated_at", db.types.UTCDateTime()),
    sa.column("updated_by_id", sa.Integer),
)
AUDIT = sa.table(
    "audit_event",
    sa.column("at", db.types.UTCDateTime()),
    sa.column("actor_name", sa.String),
    sa.column("action", sa.String),
    sa.column("entity", sa.String),
    sa.column("entity_id", sa.Integer),
    sa.column("office_id", sa.Integer),
    sa.column("detail", sa.Text),
)


def upgrade() -> None:
    at = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        LIMITS,
        [
            {
                "key": key,
                "value": value,
                "unit": unit,
                "action": action,
                "source": source,
                "updated_at": at,
                "updated_by_id": None,
            }
            for key, value, unit, action, source in GLUCOSE_LIMITS_0007
        ],
    )
    conn = op.get_bind()
    cases = conn.execute(
        sa.text(
            "SELECT id, office_id FROM mild_case WHERE confirmed_at IS NOT NULL "
            "AND status IN ('intake', 'scheduled') AND medicare IS NULL"
        )
    ).all()
    if not cases:
        return
    conn.execute(
        sa.text(
            "UPDATE mild_case SET confirmed_at = NULL, confirmed_by_id = NULL WHERE id IN :ids"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": [c.id for c in cases]},
    )
    op.bulk_insert(
        AUDIT,
        [
            {
                "at": at,
                "actor_name": "migration 0007",
                "action": "case.confirmation_withdrawn",
                "entity": "case",
                "entity_id": c.id,
                "office_id": c.office_id,
                "detail": '{"why": "Medicare coverage must be answered (2026-12)"}',
            }
            for c in cases
        ],
    )


def downgrade() -> None:
    """Back to 0006: the glucose limits are removed (withdrawn confirmations stay withdrawn)."""
    op.execute(sa.text("DELETE FROM clinical_limit WHERE key IN ('glucose_low', 'glucose_high')"))
