"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 08:59:58.366194
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "office",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office")),
        sa.UniqueConstraint("code", name=op.f("uq_office_code")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mrn", sa.String(length=32), nullable=False),
        sa.Column("first_name", sa.String(length=80), nullable=False),
        sa.Column("last_name", sa.String(length=80), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("mrn", name=op.f("uq_patient_mrn")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_name_dob", ["last_name", "first_name", "date_of_birth"], unique=False
        )

    op.create_table(
        "staff_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=40), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "nurse",
                "coordinator",
                "manager",
                "admin",
                name="role",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_user")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_user_username")),
    )
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=80), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=True),
        sa.Column("office_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["staff_user.id"], name=op.f("fk_audit_event_actor_id_staff_user")
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_audit_event_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_at"), ["at"], unique=False)
        batch_op.create_index("ix_audit_event_entity", ["entity", "entity_id"], unique=False)

    op.create_table(
        "provider",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_provider_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider")),
    )
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_office_id"), ["office_id"], unique=False)

    op.create_table(
        "staff_office",
        sa.Column("staff_user_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"],
            ["office.id"],
            name=op.f("fk_staff_office_office_id_office"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_user_id"],
            ["staff_user.id"],
            name=op.f("fk_staff_office_staff_user_id_staff_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("staff_user_id", "office_id", name=op.f("pk_staff_office")),
    )
    op.create_table(
        "mild_case",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "requested",
                "intake",
                "scheduled",
                "checked_in",
                "in_procedure",
                "recovery",
                "discharged",
                "follow_up",
                "closed",
                "cancelled",
                name="casestatus",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "request_channel",
            sa.Enum(
                "online_form",
                "phone",
                "referral",
                name="requestchannel",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("consult_requested_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("intake_started_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("booked_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("scheduled_start", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("planned_minutes", sa.Integer(), nullable=False),
        sa.Column("checked_in_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("anesthesia_started_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("procedure_started_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("procedure_ended_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recovery_in_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("recovery_out_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("discharged_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column(
            "cancellation_reason",
            sa.Enum(
                "patient_illness",
                "no_driver",
                "medication_not_held",
                "not_fasting",
                "clearance_missing",
                "vitals_out_of_range",
                "no_show",
                "patient_declined",
                "provider_or_equipment",
                "other",
                name="cancelreason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("cancellation_note", sa.Text(), nullable=True),
        sa.Column("asa_class", sa.Integer(), nullable=True),
        sa.Column("height_cm", sa.Float(), nullable=True),
        sa.Column("weight_kg", sa.Float(), nullable=True),
        sa.Column("anesthesia_type", sa.String(length=40), nullable=True),
        sa.Column("imaging_modality", sa.String(length=40), nullable=True),
        sa.Column("levels_treated", sa.String(length=80), nullable=True),
        sa.Column("baseline_nprs", sa.Integer(), nullable=True),
        sa.Column("baseline_odi", sa.Float(), nullable=True),
        sa.Column("baseline_walk_minutes", sa.Integer(), nullable=True),
        sa.Column("baseline_stand_minutes", sa.Integer(), nullable=True),
        sa.Column("works", sa.Boolean(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_mild_case_office_id_office")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_mild_case_patient_id_patient")
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"], ["provider.id"], name=op.f("fk_mild_case_provider_id_provider")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mild_case")),
        sa.UniqueConstraint("code", name=op.f("uq_mild_case_code")),
    )
    with op.batch_alter_table("mild_case", schema=None) as batch_op:
        batch_op.create_index(
            "ix_mild_case_office_discharged", ["office_id", "discharged_at"], unique=False
        )
        batch_op.create_index(
            "ix_mild_case_office_requested", ["office_id", "consult_requested_at"], unique=False
        )
        batch_op.create_index(
            "ix_mild_case_office_start", ["office_id", "scheduled_start"], unique=False
        )
        batch_op.create_index("ix_mild_case_office_status", ["office_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_mild_case_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "case_condition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "condition",
            sa.Enum(
                "heart_disease",
                "implanted_device",
                "diabetes",
                "sleep_apnea",
                "kidney_disease",
                "bleeding_disorder",
                "high_bmi",
                "contrast_allergy",
                "latex_allergy",
                "other_allergy",
                "pregnancy_possible",
                "active_infection",
                "anxiety_claustrophobia",
                name="condition",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.Column("cleared_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mild_case.id"],
            name=op.f("fk_case_condition_case_id_mild_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["cleared_by_id"],
            ["staff_user.id"],
            name=op.f("fk_case_condition_cleared_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_condition")),
        sa.UniqueConstraint("case_id", "condition", name="uq_case_condition_case_condition"),
    )
    with op.batch_alter_table("case_condition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_condition_case_id"), ["case_id"], unique=False)

    op.create_table(
        "case_medication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("drug", sa.String(length=120), nullable=False),
        sa.Column(
            "med_class",
            sa.Enum(
                "vitamin_k_antagonist",
                "doac",
                "direct_thrombin_inhibitor",
                "lmwh",
                "p2y12_inhibitor",
                "aspirin",
                "nsaid",
                "glp1_agonist",
                "sglt2_inhibitor",
                "diabetes",
                "supplement",
                "other",
                "unknown",
                name="medclass",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("hold_days", sa.Integer(), nullable=True),
        sa.Column("last_dose_on", sa.Date(), nullable=True),
        sa.Column("needs_review", sa.Boolean(), nullable=False),
        sa.Column("needs_clearance", sa.Boolean(), nullable=False),
        sa.Column("cleared_by", sa.String(length=120), nullable=True),
        sa.Column("cleared_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("hold_confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("hold_confirmed_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mild_case.id"],
            name=op.f("fk_case_medication_case_id_mild_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["hold_confirmed_by_id"],
            ["staff_user.id"],
            name=op.f("fk_case_medication_hold_confirmed_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_medication")),
    )
    with op.batch_alter_table("case_medication", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_medication_case_id"), ["case_id"], unique=False)

    op.create_table(
        "checklist_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=40), nullable=False),
        sa.Column("done_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("done_by_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("undone", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mild_case.id"],
            name=op.f("fk_checklist_entry_case_id_mild_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["staff_user.id"], name=op.f("fk_checklist_entry_done_by_id_staff_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_entry")),
    )
    with op.batch_alter_table("checklist_entry", schema=None) as batch_op:
        batch_op.create_index("ix_checklist_entry_case_id_id", ["case_id", "id"], unique=False)

    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "next_day_call",
                "weeks_2",
                "months_3",
                "months_6",
                "months_12",
                name="followupkind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("due_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("overdue_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=True),
        sa.Column("completed_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("completed_by_id", sa.Integer(), nullable=True),
        sa.Column("nprs", sa.Integer(), nullable=True),
        sa.Column("odi", sa.Float(), nullable=True),
        sa.Column("walk_minutes", sa.Integer(), nullable=True),
        sa.Column("stand_minutes", sa.Integer(), nullable=True),
        sa.Column("swelling", sa.Boolean(), nullable=True),
        sa.Column("bruising", sa.Boolean(), nullable=True),
        sa.Column("incision", sa.String(length=40), nullable=True),
        sa.Column("meds_as_prescribed", sa.Boolean(), nullable=True),
        sa.Column("returned_to_work_on", sa.Date(), nullable=True),
        sa.Column("red_flags", sa.Text(), nullable=True),
        sa.Column("escalated_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalation_resolved_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("escalation_resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mild_case.id"],
            name=op.f("fk_follow_up_case_id_mild_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["completed_by_id"],
            ["staff_user.id"],
            name=op.f("fk_follow_up_completed_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["escalation_resolved_by_id"],
            ["staff_user.id"],
            name=op.f("fk_follow_up_escalation_resolved_by_id_staff_user"),
        ),
        sa.ForeignKeyConstraint(
            ["office_id"], ["office.id"], name=op.f("fk_follow_up_office_id_office")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint("case_id", "kind", name="uq_follow_up_case_kind"),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_up_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_follow_up_office_due", ["office_id", "completed_at", "due_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_follow_up_office_due")
        batch_op.drop_index(batch_op.f("ix_follow_up_case_id"))

    op.drop_table("follow_up")
    with op.batch_alter_table("checklist_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_checklist_entry_case_id_id")

    op.drop_table("checklist_entry")
    with op.batch_alter_table("case_medication", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_medication_case_id"))

    op.drop_table("case_medication")
    with op.batch_alter_table("case_condition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_condition_case_id"))

    op.drop_table("case_condition")
    with op.batch_alter_table("mild_case", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mild_case_patient_id"))
        batch_op.drop_index("ix_mild_case_office_status")
        batch_op.drop_index("ix_mild_case_office_start")
        batch_op.drop_index("ix_mild_case_office_requested")
        batch_op.drop_index("ix_mild_case_office_discharged")

    op.drop_table("mild_case")
    op.drop_table("staff_office")
    with op.batch_alter_table("provider", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_provider_office_id"))

    op.drop_table("provider")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_entity")
        batch_op.drop_index(batch_op.f("ix_audit_event_at"))

    op.drop_table("audit_event")
    op.drop_table("staff_user")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index("ix_patient_name_dob")

    op.drop_table("patient")
    op.drop_table("office")
