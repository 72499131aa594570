"""comorbidity values, the practice's clinical limits, Medicare's study enrolment

- case_clearance: the values of a comorbidity clearance, one row per case and kind (HbA1c,
  eGFR, STOP-Bang, implanted device, cardiology clearance), with who recorded them and when.
  Old bare "on file" ticks on case_condition stay as they were (readable history); for these
  five conditions readiness now asks for the values.
- clinical_limit: the limits that block confirmation or warn, seeded with the defaults below
  (copied, so a later change of mild.clearances does not change this migration), each with its
  source.
- mild_case: Medicare coverage, enrolment in a CMS-approved study and its NCT number
  (NCD 150.13).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 12:00:00
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CROSSLEY = (
    "HRS/ASA expert consensus on the perioperative management of CIEDs (Crossley et al., "
    "Heart Rhythm 2011;8:1114-1154), referenced by the ASA practice advisory 2020 "
    "(Anesthesiology 2020;132:225-252)"
)
PRACTICE = "practice policy (no published number)"
EGFR = "mL/min/1.73 m2"

# (key, value, unit, action, source): the defaults as they stand at this revision.
DEFAULT_LIMITS_0006 = (
    (
        "hba1c_max",
        8.0,
        "%",
        "warn",
        "ADA Standards of Care in Diabetes 2024, section 16 (Diabetes Care in the Hospital): "
        "A1C goal for elective surgery < 8% whenever possible",
    ),
    (
        "hba1c_max_age",
        3.0,
        "months",
        "warn",
        "CPOC guideline for perioperative care of people with diabetes (UK Centre for "
        "Perioperative Care, 2021): HbA1c from the previous 3 months at referral",
    ),
    (
        "egfr_dabigatran_below",
        50.0,
        EGFR,
        "warn",
        "ASRA 2018 (Narouze et al., Reg Anesth Pain Med 2018;43:225-262): dabigatran 6 days "
        "with impaired kidney function, creatinine clearance < 50 mL/min; eGFR stands in for it",
    ),
    (
        "egfr_contrast_below",
        30.0,
        EGFR,
        "warn",
        "ACR-NKF consensus on iodinated contrast in kidney disease (Davenport et al., "
        "Radiology 2020;294:660-668): prophylaxis indicated below eGFR 30",
    ),
    ("egfr_max_age", 3.0, "months", "warn", PRACTICE),
    (
        "pacemaker_check_max_age",
        12.0,
        "months",
        "warn",
        f"{CROSSLEY}: pacemaker interrogated within 12 months",
    ),
    (
        "icd_check_max_age",
        6.0,
        "months",
        "warn",
        f"{CROSSLEY}: ICD interrogated within 6 months",
    ),
    (
        "crt_check_max_age",
        3.0,
        "months",
        "warn",
        f"{CROSSLEY}: CRT device within 3-6 months; the stricter end is the default",
    ),
    ("cardiology_max_age", 6.0, "months", "warn", PRACTICE),
)


def upgrade() -> None:
    op.create_table(
        "case_clearance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "hba1c",
                "egfr",
                "stop_bang",
                "device",
                "cardiology",
                name="clearancekind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("measured_on", sa.Date(), nullable=True),
        sa.Column("stop_bang_yes", sa.String(length=120), nullable=True),
        sa.Column("neck_cm", sa.Float(), nullable=True),
        sa.Column(
            "sex", sa.Enum("male", "female", name="sex", native_enum=False, length=8), nullable=True
        ),
        sa.Column(
            "device_type",
            sa.Enum(
                "pacemaker",
                "icd",
                "crt_p",
                "crt_d",
                "other",
                name="devicetype",
                native_enum=False,
                length=16,
            ),
            nullable=True,
        ),
        sa.Column("manufacturer", sa.String(length=80), nullable=True),
        sa.Column("indication", sa.String(length=200), nullable=True),
        sa.Column("pacing_dependent", sa.Boolean(), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.Column("cleared_by", sa.String(length=120), nullable=True),
        sa.Column("recorded_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["mild_case.id"],
            name=op.f("fk_case_clearance_case_id_mild_case"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["staff_user.id"],
            name=op.f("fk_case_clearance_recorded_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_clearance")),
        sa.UniqueConstraint("case_id", "kind", name="uq_case_clearance_case_kind"),
    )
    limits = op.create_table(
        "clinical_limit",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column(
            "action",
            sa.Enum("block", "warn", name="limitaction", native_enum=False, length=8),
            nullable=False,
        ),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["updated_by_id"],
            ["staff_user.id"],
            name=op.f("fk_clinical_limit_updated_by_id_staff_user"),
        ),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_clinical_limit")),
    )
    at = dt.datetime.now(dt.UTC)
    op.bulk_insert(
        limits,
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
            for key, value, unit, action, source in DEFAULT_LIMITS_0006
        ],
    )
    with op.batch_alter_table("mild_case") as b:
        b.add_column(sa.Column("medicare", sa.Boolean(), nullable=True))
        b.add_column(sa.Column("cms_study_enrolled", sa.Boolean(), nullable=True))
        b.add_column(sa.Column("cms_study_nct", sa.String(length=11), nullable=True))
    _withdraw_confirmations(at)


# The conditions whose clearance now needs its values (a bare tick no longer counts).
VALUE_CONDITIONS = (
    "heart_disease",
    "implanted_device",
    "diabetes",
    "sleep_apnea",
    "kidney_disease",
)


def _withdraw_confirmations(at: dt.datetime) -> None:
    """ "Confirmed for the day" always means ready: a case not yet checked in, confirmed on a
    bare tick of a condition that now needs its values, is no longer confirmed (audited)."""
    conn = op.get_bind()
    cases = conn.execute(
        sa.text(
            "SELECT DISTINCT c.id, c.office_id FROM mild_case c "
            "JOIN case_condition k ON k.case_id = c.id "
            "WHERE c.confirmed_at IS NOT NULL AND c.status IN ('intake', 'scheduled') "
            "AND k.condition IN :conditions"
        ).bindparams(sa.bindparam("conditions", expanding=True)),
        {"conditions": list(VALUE_CONDITIONS)},
    ).all()
    if not cases:
        return
    conn.execute(
        sa.text(
            "UPDATE mild_case SET confirmed_at = NULL, confirmed_by_id = NULL WHERE id IN :ids"
        ).bindparams(sa.bindparam("ids", expanding=True)),
        {"ids": [c.id for c in cases]},
    )
    audit = sa.table(
        "audit_event",
        sa.column("at", db.types.UTCDateTime()),
        sa.column("actor_name", sa.String),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.Integer),
        sa.column("office_id", sa.Integer),
        sa.column("detail", sa.Text),
    )
    op.bulk_insert(
        audit,
        [
            {
                "at": at,
                "actor_name": "migration 0006",
                "action": "case.confirmation_withdrawn",
                "entity": "case",
                "entity_id": c.id,
                "office_id": c.office_id,
                "detail": '{"why": "clearances now carry their values (2026-12)"}',
            }
            for c in cases
        ],
    )


def downgrade() -> None:
    """Back to 0005: the values, the limits and the Medicare columns are dropped (a backup
    taken before the upgrade is the faithful way back)."""
    with op.batch_alter_table("mild_case") as b:
        for column in ("cms_study_nct", "cms_study_enrolled", "medicare"):
            b.drop_column(column)
    op.drop_table("clinical_limit")
    op.drop_table("case_clearance")
