"""Typed ORM models. Tables are created only by Alembic migrations (db/migrations)."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db.types import UTCDateTime
from mild.cases import CancelReason, CaseStatus, RequestChannel
from mild.clearances import ClearanceKind, DeviceType, LimitAction, Sex
from mild.escalations import Delivery, Recipient, Tier
from mild.followup import AttemptOutcome, FollowUpKind
from mild.intake import Condition
from mild.medications import MedClass
from mild.preop import CallOutcome
from mild.safety import SafetyKind
from mild.staff import Role

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def str_enum(cls: type[enum.Enum], length: int = 32) -> Enum:
    """Store an enum's values as plain strings: identical on SQLite and PostgreSQL."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


staff_office = Table(
    "staff_office",
    Base.metadata,
    Column("staff_user_id", ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True),
    Column("office_id", ForeignKey("office.id", ondelete="CASCADE"), primary_key=True),
)


class Office(Base):
    __tablename__ = "office"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="America/New_York")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The number patients call at once with a red flag (printed on discharge instructions).
    phone: Mapped[str | None] = mapped_column(String(40))


class StaffUser(Base):
    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, 16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime]
    # The address single sign-on (OIDC) vouches for; the role still comes from this table.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # A provider's own sign-in (role provider): the provider whose escalations they resolve.
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"), unique=True)
    # The screen a sign-in lands on (mild.staff.Screen value; None: Today), the user's choice.
    landing_screen: Mapped[str | None] = mapped_column(String(32))

    offices: Mapped[list[Office]] = relationship(secondary=staff_office, order_by=Office.code)


class UserSession(Base):
    """A signed-in browser: the cookie holds a random token, this row only its SHA-256.

    A fresh sign-in first gets a one-time ticket (also stored hashed, valid for seconds) that
    the browser trades at /session/adopt for the HttpOnly cookie. A session ends when revoked
    (sign-out, an admin, the idle timeout, the account disabled): `ended_at` and `end_reason`.
    """

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_user.id"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    ticket_expires_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    last_activity_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(32))
    # A waiting-room display: the office ids it shows (comma-separated); no idle timeout.
    display_offices: Mapped[str | None] = mapped_column(String(200))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    # The client's address as the server saw it when the browser took its cookie (behind a
    # proxy uvicorn trusts, the proxy's X-Forwarded-For), and how the user proved who they
    # are (mild.account: a password or single sign-on); the admin's sessions list shows both.
    client_address: Mapped[str | None] = mapped_column(String(45))
    signed_in_via: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (Index("ix_user_session_open", "ended_at", "last_activity_at"),)


class SignInThrottle(Base):
    """Failed sign-ins per typed username, known or not (so a lock says nothing about which
    usernames exist); a success clears the row."""

    __tablename__ = "sign_in_throttle"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[dt.datetime | None]
    locked_until: Mapped[dt.datetime | None]


class HoldRuleRow(Base):
    """The practice's medication hold table, one row per drug (seeded from
    mild.medications.DEFAULT_RULES); admins edit it and confirm each row, every edit audited.
    Durations are whole hours; brand names are kept "; "-separated."""

    __tablename__ = "hold_rule"

    drug: Mapped[str] = mapped_column(String(80), primary_key=True)
    generic: Mapped[str] = mapped_column(String(80))
    brands: Mapped[str] = mapped_column(Text, default="")
    med_class: Mapped[MedClass] = mapped_column(str_enum(MedClass, 32))
    stop_before_hours: Mapped[int | None]
    skip_on_day: Mapped[bool] = mapped_column(Boolean, default=False)
    restart_after_hours: Mapped[int | None]
    needs_clearance: Mapped[bool] = mapped_column(Boolean, default=False)
    instruction: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    confirmed_by: Mapped[str | None] = mapped_column(String(120))
    confirmed_on: Mapped[dt.date | None] = mapped_column(Date)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class Provider(Base):
    """A physician who performs MILD at an office, with the contact escalations reach; not a
    user of the app. Added, changed and deactivated by admins (audited)."""

    __tablename__ = "provider"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))


class Patient(Base):
    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    mrn: Mapped[str] = mapped_column(String(32), unique=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    date_of_birth: Mapped[dt.date] = mapped_column(Date)
    phone: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime]

    __table_args__ = (Index("ix_patient_name_dob", "last_name", "first_name", "date_of_birth"),)


class Case(Base):
    """One MILD case from consult request to the last follow-up."""

    __tablename__ = "mild_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # de-identified, for public screens
    patient_id: Mapped[int] = mapped_column(ForeignKey("patient.id"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("provider.id"))
    status: Mapped[CaseStatus] = mapped_column(str_enum(CaseStatus, 16))
    request_channel: Mapped[RequestChannel] = mapped_column(str_enum(RequestChannel, 16))
    consult_requested_at: Mapped[dt.datetime]
    intake_started_at: Mapped[dt.datetime | None]
    booked_at: Mapped[dt.datetime | None]
    scheduled_start: Mapped[dt.datetime | None]
    planned_minutes: Mapped[int] = mapped_column(Integer, default=60)
    # What the time-out checks against: the levels and side booked ("L3-L4, L4-L5"; bilateral).
    planned_levels: Mapped[str | None] = mapped_column(String(40))
    planned_side: Mapped[str | None] = mapped_column(String(16))
    checked_in_at: Mapped[dt.datetime | None]
    patient_in_room_at: Mapped[dt.datetime | None]
    anesthesia_started_at: Mapped[dt.datetime | None]
    procedure_started_at: Mapped[dt.datetime | None]
    procedure_ended_at: Mapped[dt.datetime | None]
    patient_out_of_room_at: Mapped[dt.datetime | None]
    recovery_in_at: Mapped[dt.datetime | None]
    recovery_out_at: Mapped[dt.datetime | None]
    discharged_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    cancellation_reason: Mapped[CancelReason | None] = mapped_column(str_enum(CancelReason, 32))
    cancellation_note: Mapped[str | None] = mapped_column(Text)
    asa_class: Mapped[int | None]
    height_cm: Mapped[float | None] = mapped_column(Float)
    weight_kg: Mapped[float | None] = mapped_column(Float)
    anesthesia_type: Mapped[str | None] = mapped_column(String(40))
    imaging_modality: Mapped[str | None] = mapped_column(String(40))
    levels_treated: Mapped[str | None] = mapped_column(String(80))
    baseline_nprs: Mapped[int | None]
    baseline_odi: Mapped[float | None] = mapped_column(Float)
    baseline_walk_minutes: Mapped[int | None]
    baseline_stand_minutes: Mapped[int | None]
    works: Mapped[bool | None] = mapped_column(Boolean)
    # The escort arranged at intake; confirmed in person on the day by the checklist step.
    escort_name: Mapped[str | None] = mapped_column(String(120))
    escort_relationship: Mapped[str | None] = mapped_column(String(60))
    escort_phone: Mapped[str | None] = mapped_column(String(40))
    # The attending physician may exempt a patient from the escort rule: who and why.
    escort_exempted_by: Mapped[str | None] = mapped_column(String(120))
    escort_exempt_reason: Mapped[str | None] = mapped_column(Text)
    escort_exempt_at: Mapped[dt.datetime | None]
    escort_exempt_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # Medicare covers MILD only inside a CMS-approved study (NCD 150.13): coverage (None: not
    # recorded yet), enrolment and the study's NCT number.
    medicare: Mapped[bool | None] = mapped_column(Boolean)
    cms_study_enrolled: Mapped[bool | None] = mapped_column(Boolean)
    cms_study_nct: Mapped[str | None] = mapped_column(String(11))
    # A coordinator confirms the case for its day once the readiness summary is clear.
    confirmed_at: Mapped[dt.datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    # What the waiting-room display shows for this patient (mild.waiting_codes): issued at
    # check-in, cleared at discharge.
    waiting_code: Mapped[str | None] = mapped_column(String(4))
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime]

    patient: Mapped[Patient] = relationship()
    office: Mapped[Office] = relationship()
    provider: Mapped[Provider | None] = relationship()

    __table_args__ = (
        Index("ix_mild_case_office_start", "office_id", "scheduled_start"),
        Index("ix_mild_case_office_status", "office_id", "status"),
        Index("ix_mild_case_office_discharged", "office_id", "discharged_at"),
        Index("ix_mild_case_office_requested", "office_id", "consult_requested_at"),
    )


class CaseMedication(Base):
    """One drug the patient takes, with the hold-table row it was matched to (copied, so a
    later table edit re-classes it knowingly), the latest allowed last dose for the booked start,
    and the last dose the patient actually reported (pre-op call or on the day)."""

    __tablename__ = "case_medication"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mild_case.id", ondelete="CASCADE"), index=True)
    drug: Mapped[str] = mapped_column(String(120))
    name_given: Mapped[str | None] = mapped_column(String(120))  # as typed: "Eliquis 5 mg"
    hold_rule: Mapped[str | None] = mapped_column(String(80))  # the hold table row applied
    dose: Mapped[str | None] = mapped_column(String(120))
    med_class: Mapped[MedClass] = mapped_column(str_enum(MedClass, 32))
    stop_before_hours: Mapped[int | None]
    skip_on_day: Mapped[bool] = mapped_column(Boolean, default=False)
    restart_after_hours: Mapped[int | None]
    last_dose_by: Mapped[dt.datetime | None]
    needs_review: Mapped[bool] = mapped_column(Boolean, default=False)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    reviewed_at: Mapped[dt.datetime | None]
    review_reason: Mapped[str | None] = mapped_column(Text)
    needs_clearance: Mapped[bool] = mapped_column(Boolean, default=False)
    cleared_by: Mapped[str | None] = mapped_column(String(120))  # the prescriber who agreed
    cleared_at: Mapped[dt.datetime | None]
    hold_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    hold_confirmed_at: Mapped[dt.datetime | None]
    last_dose_taken_at: Mapped[dt.datetime | None]  # as the patient reported it
    last_dose_reported_at: Mapped[dt.datetime | None]  # when it was charted
    last_dose_reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    last_dose_reported_via: Mapped[str | None] = mapped_column(String(16))
    # GLP-1 agonists (2024 multi-society guidance): the risk screen's answers (JSON) and the
    # decision (continue; continue with a 24 h liquid diet; hold as the anesthesia team decides).
    glp1_screen: Mapped[str | None] = mapped_column(Text)
    glp1_decision: Mapped[str | None] = mapped_column(String(24))
    glp1_decided_by: Mapped[str | None] = mapped_column(String(120))
    glp1_recorded_at: Mapped[dt.datetime | None]
    glp1_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    note: Mapped[str | None] = mapped_column(Text)


class CaseCondition(Base):
    __tablename__ = "case_condition"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mild_case.id", ondelete="CASCADE"), index=True)
    condition: Mapped[Condition] = mapped_column(str_enum(Condition, 32))
    details: Mapped[str | None] = mapped_column(Text)
    cleared_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    cleared_at: Mapped[dt.datetime | None]

    __table_args__ = (
        UniqueConstraint("case_id", "condition", name="uq_case_condition_case_condition"),
    )


class CaseClearance(Base):
    """The values of one comorbidity clearance on a case (mild.clearances), one row per kind,
    replaced as a whole when recorded again (the audit rows keep before and after): HbA1c or
    eGFR (`value`, `measured_on`), STOP-Bang (the items answered yes, neck, sex), the implanted
    device (type, manufacturer, indication, pacing-dependent, `measured_on` = last
    interrogation, plan), the cardiology clearance (`cleared_by`, `measured_on`)."""

    __tablename__ = "case_clearance"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mild_case.id", ondelete="CASCADE"))
    kind: Mapped[ClearanceKind] = mapped_column(str_enum(ClearanceKind, 16))
    value: Mapped[float | None] = mapped_column(Float)
    measured_on: Mapped[dt.date | None] = mapped_column(Date)
    stop_bang_yes: Mapped[str | None] = mapped_column(String(120))  # comma-separated items
    neck_cm: Mapped[float | None] = mapped_column(Float)
    sex: Mapped[Sex | None] = mapped_column(str_enum(Sex, 8))
    device_type: Mapped[DeviceType | None] = mapped_column(str_enum(DeviceType, 16))
    manufacturer: Mapped[str | None] = mapped_column(String(80))
    indication: Mapped[str | None] = mapped_column(String(200))
    pacing_dependent: Mapped[bool | None] = mapped_column(Boolean)
    plan: Mapped[str | None] = mapped_column(Text)
    cleared_by: Mapped[str | None] = mapped_column(String(120))
    recorded_at: Mapped[dt.datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    __table_args__ = (UniqueConstraint("case_id", "kind", name="uq_case_clearance_case_kind"),)


class ClinicalLimit(Base):
    """A practice limit on comorbidity values that blocks confirmation or warns (seeded from
    mild.clearances.DEFAULT_LIMITS by migration 0006; admins edit it, every edit audited)."""

    __tablename__ = "clinical_limit"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    action: Mapped[LimitAction] = mapped_column(str_enum(LimitAction, 8))
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class KpiTarget(Base):
    """The practice's target for one office metric (mild.targets): the target, the far edge of
    the amber band, the source; seeded from mild.targets.DEFAULT_TARGETS by migration 0009,
    edited by admins, every edit audited."""

    __tablename__ = "kpi_target"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    target: Mapped[float] = mapped_column(Float)
    amber: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class PracticeSetting(Base):
    """A whole-number practice policy with its source (e.g. how many working days ahead the
    pre-op call worklist reaches, mild.preop); seeded by migration, edited by admins, audited."""

    __tablename__ = "practice_setting"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class WaitingCode(Base):
    """A waiting-room code an office issued on a day (office-local), kept so that it is never
    issued there again that day (mild.waiting_codes). It names no case: the case carries its
    code (mild_case.waiting_code) only while the patient is on site; the audit row of the issue
    says which case had it."""

    __tablename__ = "waiting_code"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    issued_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    issued_at: Mapped[dt.datetime]


class PreopCall(Base):
    """One attempt of the scripted pre-op call (mild.preop), with who and when; the script's
    answers only when the patient was reached. Rows are only ever added."""

    __tablename__ = "preop_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mild_case.id", ondelete="CASCADE"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    called_at: Mapped[dt.datetime]
    called_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    outcome: Mapped[CallOutcome] = mapped_column(str_enum(CallOutcome, 16))
    call_back_at: Mapped[dt.datetime | None]
    arrival_time_told: Mapped[bool | None] = mapped_column(Boolean)
    fasting_explained: Mapped[bool | None] = mapped_column(Boolean)
    escort_confirmed: Mapped[bool | None] = mapped_column(Boolean)
    questions: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_preop_call_case_id_id", "case_id", "id"),
        Index("ix_preop_call_office_called", "office_id", "called_at"),
    )


class ChecklistEntry(Base):
    """One tick (or un-tick, with its reason) of a day-of step; history is never rewritten.

    `done_at` is when it was charted; `event_at` when it happened (None: the same moment). A
    corrected event time is a new row for the step (`corrects_time`), with who and why."""

    __tablename__ = "checklist_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mild_case.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(40))
    done_at: Mapped[dt.datetime]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    value: Mapped[str | None] = mapped_column(Text)
    undone: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    event_at: Mapped[dt.datetime | None]
    corrects_time: Mapped[bool] = mapped_column(Boolean, default=False)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON: score items and scale, time-out items

    __table_args__ = (Index("ix_checklist_entry_case_id_id", "case_id", "id"),)


class FollowUp(Base):
    __tablename__ = "follow_up"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mild_case.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    kind: Mapped[FollowUpKind] = mapped_column(str_enum(FollowUpKind, 16))
    due_at: Mapped[dt.datetime]
    overdue_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # How the last try that did not reach the patient went (mild.followup.AttemptOutcome).
    last_attempt_outcome: Mapped[AttemptOutcome | None] = mapped_column(
        str_enum(AttemptOutcome, 20)
    )
    reached: Mapped[bool | None] = mapped_column(Boolean)
    completed_at: Mapped[dt.datetime | None]
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    nprs: Mapped[int | None]
    odi: Mapped[float | None] = mapped_column(Float)
    walk_minutes: Mapped[int | None]
    stand_minutes: Mapped[int | None]
    visited_on: Mapped[dt.date | None] = mapped_column(Date)  # a later visit's day, office-local
    swelling: Mapped[bool | None] = mapped_column(Boolean)
    bruising: Mapped[bool | None] = mapped_column(Boolean)
    incision: Mapped[str | None] = mapped_column(String(40))
    meds_as_prescribed: Mapped[bool | None] = mapped_column(Boolean)
    returned_to_work_on: Mapped[dt.date | None] = mapped_column(Date)
    red_flags: Mapped[str | None] = mapped_column(Text)  # comma-separated RedFlag values
    temperature_c: Mapped[float | None] = mapped_column(Float)
    odi_answers: Mapped[str | None] = mapped_column(Text)  # JSON: ODI section -> 0-5 or null
    escalated_at: Mapped[dt.datetime | None]
    escalation_note: Mapped[str | None] = mapped_column(Text)
    # The tier it was raised at (mild.escalations.Tier): the most urgent of its red flags.
    escalation_tier: Mapped[str | None] = mapped_column(String(20))
    escalation_resolved_at: Mapped[dt.datetime | None]
    escalation_resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("case_id", "kind", name="uq_follow_up_case_kind"),
        Index("ix_follow_up_office_due", "office_id", "completed_at", "due_at"),
        # Only the open escalations (a handful at any time): the screens that flag them read
        # these rows alone, whatever the years of resolved ones (migration 0003).
        Index(
            "ix_follow_up_open_escalation",
            "office_id",
            "escalated_at",
            sqlite_where=text("escalated_at IS NOT NULL AND escalation_resolved_at IS NULL"),
            postgresql_where=text("escalated_at IS NOT NULL AND escalation_resolved_at IS NULL"),
        ),
    )


class SafetyEvent(Base):
    """A patient safety event (mild.safety): CMS ASC-1 to ASC-4 from the day-of checklist, or a
    hospital visit within 7 days of discharge from follow-up; with who recorded it and when.
    Rows are only ever added."""

    __tablename__ = "safety_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("mild_case.id", ondelete="CASCADE"), index=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    kind: Mapped[SafetyKind] = mapped_column(str_enum(SafetyKind, 24))
    occurred_at: Mapped[dt.datetime]
    description: Mapped[str] = mapped_column(Text)
    recorded_at: Mapped[dt.datetime]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))

    __table_args__ = (Index("ix_safety_event_office_occurred", "office_id", "occurred_at"),)


class AuditEvent(Base):
    """Who did what to which record when. Written only by services; never updated or deleted."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))
    actor_name: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int | None]
    office_id: Mapped[int | None] = mapped_column(ForeignKey("office.id"))
    detail: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)


# --- escalations that reach someone (issue 11, migration 0012) ----------------------------------


class EscalationTier(Base):
    """A tier's time limit (mild.escalations.TierLimit): still open this long after it was
    raised, an escalation notifies again and shows red. Policy, edited by admins, audited."""

    __tablename__ = "escalation_tier"

    key: Mapped[str] = mapped_column(String(20), primary_key=True)
    limit_minutes: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class RedFlagTier(Base):
    """The tier a red flag escalates at (mild.escalations.FlagTier). Policy, audited."""

    __tablename__ = "red_flag_tier"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)  # a RedFlag value
    tier: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class OfficeNotification(Base):
    """An office's on-call contact and the Apprise URLs that reach it, one a line. The URLs
    hold passwords and tokens: shown masked, never audited."""

    __tablename__ = "office_notification"

    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"), primary_key=True)
    on_call_name: Mapped[str | None] = mapped_column(String(120))
    urls: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[dt.datetime]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("staff_user.id"))


class Notification(Base):
    """The outbox: one notification of an escalation to one recipient (mild.escalations
    Recipient) in one round, added with the escalation, sent by a dispatcher outside any
    transaction (services.notify), with its attempts and the last error."""

    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(ForeignKey("follow_up.id", ondelete="CASCADE"))
    case_id: Mapped[int] = mapped_column(ForeignKey("mild_case.id", ondelete="CASCADE"))
    office_id: Mapped[int] = mapped_column(ForeignKey("office.id"))
    recipient: Mapped[Recipient] = mapped_column(str_enum(Recipient, 16))
    round: Mapped[int] = mapped_column(Integer)
    tier: Mapped[Tier] = mapped_column(str_enum(Tier, 20))
    status: Mapped[Delivery] = mapped_column(str_enum(Delivery, 16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    recipient_name: Mapped[str | None] = mapped_column(String(120))
    sent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]

    __table_args__ = (
        UniqueConstraint(
            "follow_up_id", "recipient", "round", name="uq_notification_follow_up_recipient_round"
        ),
        Index("ix_notification_due", "status", "next_attempt_at"),
    )
