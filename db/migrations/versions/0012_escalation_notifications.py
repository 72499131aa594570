"""escalation notifications

- escalation_tier: the practice's time limit for each escalation tier (issue 11): an escalation
  still open this long after it was raised notifies again and turns red. Seeded with the
  defaults below (copied, so a later change of mild.escalations does not change this
  migration).
- red_flag_tier: which tier each red flag escalates at ("go to the emergency department now"
  or "provider today"), with its source; seeded likewise.
- follow_up.escalation_tier: the tier an escalation was raised at (the most urgent of its
  flags, by the mapping then in force). Escalations raised before this revision get theirs from
  the seeded mapping.
- office_notification: per office, the on-call contact's name and the Apprise URLs that reach
  it (secrets: the screens show them masked, the audit trail never holds them).
- notification: the outbox. The escalating write adds its notifications (the case's provider,
  the office's on-call contact) in its own transaction; a dispatcher outside any transaction
  claims, sends and records each: attempts, when to try again, the last error (short, never a
  URL), when it was sent. One row per escalation, recipient and round (round 1 the first, 2 and
  on the reminders of an escalation left open past its tier's limit).
- staff_user.provider_id: a provider's own sign-in (at most one per provider), to see and
  resolve the escalations of their cases.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 10:00:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRACTICE = "practice policy (no published number)"
ISSUE_11 = "Practice policy (issue 11); DOMAIN.md: red flags escalate to the provider at once"
# (tier, minutes, source) and (red flag, tier, source) as they stand at this revision.
TIER_LIMITS_0012 = (
    ("emergency", 15, PRACTICE),
    ("provider_today", 120, PRACTICE),
)
FLAG_TIERS_0012 = (
    ("fever", "provider_today", ISSUE_11),
    ("wound", "provider_today", ISSUE_11),
    ("weakness_numbness", "emergency", ISSUE_11),
    ("saddle_numbness", "emergency", ISSUE_11),
    ("bowel_bladder", "emergency", ISSUE_11),
    ("positional_headache", "provider_today", ISSUE_11),
    ("uncontrolled_pain", "provider_today", ISSUE_11),
    ("chest_pain_breathing", "emergency", ISSUE_11),
)


def _policy_table(name: str, key_length: int, value: sa.Column, rows) -> None:
    """A practice policy table (key, one value, source, who changed it when) with its rows."""
    table = op.create_table(
        name,
        sa.Column("key", sa.String(length=key_length), nullable=False),
        value,
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"], ["staff_user.id"], name=op.f(f"fk_{name}_updated_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("key", name=op.f(f"pk_{name}")),
    )
    at = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        table,
        [
            {"key": k, value.name: v, "source": s, "updated_at": at, "updated_by_id": None}
            for k, v, s in rows
        ],
    )


def upgrade() -> None:
    _policy_table(
        "escalation_tier",
        20,
        sa.Column("limit_minutes", sa.Integer(), nullable=False),
        TIER_LIMITS_0012,
    )
    _policy_table(
        "red_flag_tier",
        32,
        sa.Column("tier", sa.String(length=20), nullable=False),
        FLAG_TIERS_0012,
    )
    op.create_table(
        "office_notification",
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("on_call_name", sa.String(length=120), nullable=True),
        sa.Column("urls", sa.Text(), nullable=True),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_office_notification_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff_user.id"],
            name=op.f("fk_office_notification_updated_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("office_id", name=op.f("pk_office_notification")),
    )
    op.create_table(
        "notification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("follow_up_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("tier", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("recipient_name", sa.String(length=120), nullable=True),
        sa.Column("sent_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["follow_up_id"],
            ["follow_up.id"],
            name=op.f("fk_notification_follow_up_id_follow_up"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mild_case.id"],
            name=op.f("fk_notification_case_id_mild_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_notification_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification")),
        sa.UniqueConstraint(
            "follow_up_id", "recipient", "round", name="uq_notification_follow_up_recipient_round"
        ),
    )
    op.create_index("ix_notification_due", "notification", ["status", "next_attempt_at"])

    with op.batch_alter_table("follow_up") as b:
        b.add_column(sa.Column("escalation_tier", sa.String(length=20), nullable=True))
    _tier_the_existing_escalations()

    with op.batch_alter_table("staff_user") as b:
        b.add_column(sa.Column("provider_id", sa.Integer(), nullable=True))
        b.create_unique_constraint(b.f("uq_staff_user_provider_id"), ["provider_id"])
        b.create_foreign_key(
            b.f("fk_staff_user_provider_id_provider"), "provider", ["provider_id"], ["id"]
        )


def _tier_the_existing_escalations() -> None:
    """The most urgent tier of each escalated follow-up's flags, by the seeded mapping (a flag
    it does not know, or none, counts as an emergency)."""
    conn = op.get_bind()
    mapping = {flag: tier for flag, tier, _ in FLAG_TIERS_0012}
    rows = conn.execute(
        sa.text("SELECT id, red_flags FROM follow_up WHERE escalated_at IS NOT NULL")
    ).all()
    by_tier: dict[str, list[int]] = {"emergency": [], "provider_today": []}
    for follow_up_id, stored in rows:
        flags = [f for f in (stored or "").split(",") if f]
        tiers = {mapping.get(f, "emergency") for f in flags} or {"emergency"}
        by_tier["emergency" if "emergency" in tiers else "provider_today"].append(follow_up_id)
    for tier, ids in by_tier.items():
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            conn.execute(
                sa.text("UPDATE follow_up SET escalation_tier = :tier WHERE id IN :ids").bindparams(
                    sa.bindparam("ids", expanding=True)
                ),
                {"tier": tier, "ids": chunk},
            )


def downgrade() -> None:
    with op.batch_alter_table("staff_user") as b:
        b.drop_constraint(b.f("fk_staff_user_provider_id_provider"), type_="foreignkey")
        b.drop_constraint(b.f("uq_staff_user_provider_id"), type_="unique")
        b.drop_column("provider_id")
    with op.batch_alter_table("follow_up") as b:
        b.drop_column("escalation_tier")
    op.drop_index("ix_notification_due", table_name="notification")
    op.drop_table("notification")
    op.drop_table("office_notification")
    op.drop_table("red_flag_tier")
    op.drop_table("escalation_tier")
