"""Tiny builders for test data. Synthetic values only."""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Iterator

import pytest

from db.models import Case, Office, Patient, Provider, StaffUser
from db.session import transaction
from mild.cases import CaseStatus, RequestChannel
from mild.clearances import Sex, StopBangAnswers
from mild.days import local_today
from mild.errors import RuleViolation
from mild.staff import Role
from services.auth import hash_password
from services.common import Actor

PASSWORD = "correct-horse-1"
_seq = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _hash(password: str) -> str:
    # argon2 is slow on purpose; tests reuse one hash per password.
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def refusal(call, *args, **kwargs) -> tuple[str, str]:
    """The field and message of the rule `call` breaks (the test fails if it breaks none)."""
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return caught.value.field, caught.value.message


def refusals(call, *args, **kwargs) -> list[tuple[str, str]]:
    """Every (field, message) a form's call is refused with at once (RuleViolations), in the
    form's order; one for a plain RuleViolation."""
    with pytest.raises(RuleViolation) as caught:
        call(*args, **kwargs)
    return list(getattr(caught.value, "problems", [(caught.value.field, caught.value.message)]))


@contextlib.contextmanager
def numbered_after(n: int) -> Iterator[None]:
    """Patients and cases made inside are numbered from n + 1 (MRN T..., code T-...): the
    builders count from 1 in each process, so a database used before (a demo, a bench's copy,
    a server's own) takes numbers past every case it holds."""
    global _seq
    counter, _seq = _seq, itertools.count(n + 1)
    try:
        yield
    finally:
        _seq = counter


def office_today(timezone: str = "America/New_York") -> dt.date:
    """The calendar day it is now at an office in `timezone` (make_office's default zone).

    Tests date things by the office's day, never by the machine's: between midnight UTC and the
    office's midnight the machine is already on tomorrow, which the app calls "in the future".
    """
    return local_today(timezone, dt.datetime.now(dt.UTC))


def make_office(code: str | None = None, timezone: str = "America/New_York") -> int:
    code = code or f"O{next(_seq)}"
    with transaction() as s:
        office = Office(code=code, name=f"{code} Office", timezone=timezone, active=True)
        s.add(office)
        s.flush()
        return office.id


def make_user(
    username: str, role: Role, office_ids: list[int], password: str = PASSWORD, active: bool = True
) -> Actor:
    with transaction() as s:
        offices = [s.get(Office, i) for i in office_ids]
        user = StaffUser(
            username=username,
            display_name=username.title(),
            password_hash=_hash(password),
            role=role,
            active=active,
            created_at=dt.datetime.now(dt.UTC),
            offices=offices,
        )
        s.add(user)
        s.flush()
        return Actor(user.id, username, user.display_name, role, frozenset(office_ids))


def make_case(
    office_id: int,
    status: CaseStatus = CaseStatus.SCHEDULED,
    start: dt.datetime | None = None,
    provider: str | None = None,
    medicare: bool | None = False,
) -> int:
    """A case with its own patient and provider; Medicare answered "no" unless told (readiness
    asks for the answer: None leaves it open)."""
    now = dt.datetime.now(dt.UTC)
    n = next(_seq)
    with transaction() as s:
        patient = Patient(
            mrn=f"T{n:07d}",
            first_name="Test",
            last_name=f"Patient{n}",
            date_of_birth=dt.date(1950, 1, 1),
            phone=None,
            created_at=now,
        )
        physician = Provider(name=provider or f"Dr. Test {n}", office_id=office_id, active=True)
        s.add_all([patient, physician])
        s.flush()
        case = Case(
            code=f"T-{n:05d}",
            patient_id=patient.id,
            office_id=office_id,
            provider_id=physician.id,
            status=status,
            request_channel=RequestChannel.PHONE,
            consult_requested_at=now - dt.timedelta(days=30),
            scheduled_start=start or now,
            planned_minutes=60,
            medicare=medicare,
            version=1,
            updated_at=now,
        )
        s.add(case)
        s.flush()
        return case.id


def make_ward(code: str, timezone: str = "America/New_York") -> tuple[int, Actor, int]:
    """A procedure day: one office, its nurse (nina), one case booked at 09:00 today in the
    office's own time. Returns (office id, nurse, case id)."""
    from mild.days import at_local, local_today

    office = make_office(code, timezone)
    nurse = make_user("nina", Role.NURSE, [office])
    nine = at_local(timezone, local_today(timezone, dt.datetime.now(dt.UTC)), dt.time(9))
    return office, nurse, make_case(office, CaseStatus.SCHEDULED, nine, provider="Dr. Ames")


def make_follow_up(case_id: int, office_id: int) -> int:
    from db.models import FollowUp
    from mild.followup import FollowUpKind

    now = dt.datetime.now(dt.UTC)
    with transaction() as s:
        fu = FollowUp(
            case_id=case_id,
            office_id=office_id,
            kind=FollowUpKind.NEXT_DAY_CALL,
            due_at=now - dt.timedelta(hours=2),
            overdue_at=now + dt.timedelta(hours=22),
            attempts=0,
        )
        s.add(fu)
        s.flush()
        return fu.id


# --- Follow-up screen ---------------------------------------------------------------------------


def make_discharged_case(
    office_id: int,
    discharged_at: dt.datetime,
    *,
    status: CaseStatus = CaseStatus.DISCHARGED,
    phone: str | None = "555-0100",
    baseline: tuple[int | None, float | None, int | None, int | None] = (7, 46.0, 10, 15),
) -> tuple[int, dict]:
    """A case discharged at `discharged_at` with the follow-ups its schedule books.

    `baseline` is NPRS, ODI, walking and standing minutes at intake. Returns the case id and its
    follow-up ids by kind.
    """
    from db.models import FollowUp
    from mild.followup import follow_up_schedule

    case_id = make_case(office_id, status, discharged_at - dt.timedelta(hours=3))
    nprs, odi, walk, stand = baseline
    with transaction() as s:
        case = s.get(Case, case_id)
        case.discharged_at = discharged_at
        case.baseline_nprs, case.baseline_odi = nprs, odi
        case.baseline_walk_minutes, case.baseline_stand_minutes = walk, stand
        s.get(Patient, case.patient_id).phone = phone
        rows = [
            FollowUp(
                case_id=case_id,
                office_id=office_id,
                kind=due.kind,
                due_at=due.due_at,
                overdue_at=due.overdue_at,
                attempts=0,
            )
            for due in follow_up_schedule(discharged_at)
        ]
        s.add_all(rows)
        s.flush()
        return case_id, {r.kind: r.id for r in rows}


# --- Day-of checklist screen --------------------------------------------------------------------


def add_condition(case_id: int, condition, details: str | None = None) -> None:
    """Flag a comorbidity (a mild.intake.Condition) on a case, as intake would."""
    from db.models import CaseCondition

    with transaction() as s:
        s.add(CaseCondition(case_id=case_id, condition=condition, details=details))


def arrange_escort(case_id: int, name: str, relationship: str, phone: str) -> None:
    """The escort arranged at intake for the procedure day."""
    with transaction() as s:
        case = s.get(Case, case_id)
        case.escort_name, case.escort_relationship, case.escort_phone = name, relationship, phone


def book_levels(case_id: int, levels: str | None, side: str | None) -> None:
    """The levels and side booked for the procedure (what the time-out checks against)."""
    with transaction() as s:
        case = s.get(Case, case_id)
        case.planned_levels, case.planned_side = levels, side


def make_unbooked_case(office_id: int) -> int:
    """A case in intake at the office, not booked and with no provider yet."""
    case_id = make_case(office_id, CaseStatus.INTAKE)
    with transaction() as s:
        case = s.get(Case, case_id)
        case.scheduled_start, case.provider_id = None, None
    return case_id


def make_booked_case(
    office_id: int,
    provider_id: int,
    start: dt.datetime,
    minutes: int = 60,
    status: CaseStatus = CaseStatus.SCHEDULED,
) -> int:
    """A case of the provider at the office, booked from `start` (aware) for `minutes`."""
    case_id = make_case(office_id, status, start)
    with transaction() as s:
        case = s.get(Case, case_id)
        case.provider_id, case.planned_minutes = provider_id, minutes
    return case_id


def add_held_drug(
    case_id: int,
    drug: str = "apixaban",
    *,
    stop_before_hours: int | None = 72,
    skip_on_day: bool = False,
    restart_after_hours: int | None = 24,
    last_dose_taken_at: dt.datetime | None = None,
    needs_review: bool = False,
    name_given: str | None = None,
    med_class=None,
) -> int:
    """A drug on the case as intake left it (hold copied from the table), with the last dose
    the patient reported, if any. Returns the medication's id."""
    from db.models import CaseMedication
    from mild.medications import MedClass

    with transaction() as s:
        case = s.get(Case, case_id)
        med = CaseMedication(
            case_id=case_id,
            drug=drug,
            name_given=name_given,
            hold_rule=None if needs_review else drug,
            med_class=med_class or (MedClass.UNKNOWN if needs_review else MedClass.DOAC),
            stop_before_hours=stop_before_hours,
            skip_on_day=skip_on_day,
            restart_after_hours=restart_after_hours,
            last_dose_by=(
                case.scheduled_start - dt.timedelta(hours=stop_before_hours)
                if stop_before_hours is not None and case.scheduled_start
                else None
            ),
            needs_review=needs_review,
            needs_clearance=not needs_review and stop_before_hours is not None,
            last_dose_taken_at=last_dose_taken_at,
            last_dose_reported_at=last_dose_taken_at and dt.datetime.now(dt.UTC),
            last_dose_reported_via=last_dose_taken_at and "pre_op_call",
        )
        s.add(med)
        s.flush()
        return med.id


# --- Intake screen -------------------------------------------------------------------------------


def make_provider(office_id: int, name: str = "Dr. Ames") -> int:
    """A provider (physician) working at one office."""
    from db.models import Provider

    with transaction() as s:
        provider = Provider(name=name, office_id=office_id, active=True)
        s.add(provider)
        s.flush()
        return provider.id


# --- Admin screen --------------------------------------------------------------------------------


def make_user_session(
    user_id: int,
    *,
    display: bool = False,
    ended: bool = False,
    started: dt.datetime | None = None,
    user_agent: str | None = "Mozilla/5.0 (iPad)",
    client_address: str | None = None,
    signed_in_via: str | None = None,
    last_activity: dt.datetime | None = None,
) -> int:
    """A signed-in browser of a user (a user_session row), open unless `ended`, last active
    now unless `last_activity` says when."""
    from db.models import UserSession

    now = dt.datetime.now(dt.UTC)
    with transaction() as s:
        row = UserSession(
            user_id=user_id,
            token_hash=f"{next(_seq):064d}",
            created_at=started or now - dt.timedelta(minutes=5),
            last_activity_at=last_activity or now,
            ended_at=now if ended else None,
            end_reason="signed out" if ended else None,
            display_offices="1" if display else None,
            user_agent=user_agent,
            client_address=client_address,
            signed_in_via=signed_in_via,
        )
        s.add(row)
        s.flush()
        return row.id


# --- Audit screen --------------------------------------------------------------------------------


def add_audit_row(
    action: str,
    *,
    at: dt.datetime,
    actor: Actor | None = None,
    actor_name: str | None = None,
    entity: str = "case",
    entity_id: int | None = None,
    office_id: int | None = None,
    detail: dict | None = None,
) -> int:
    """An audit row as a service would write it, at a chosen moment (aware UTC)."""
    from services.common import audit

    with transaction() as s:
        row = audit(
            s,
            actor,
            action,
            entity,
            entity_id,
            office_id=office_id,
            detail=detail,
            actor_name=actor_name,
            at=at,
        )
        s.flush()
        return row.id


def hold_input(drug: str, **changes):
    """A hold-table row as the admin screen hands it to the services: the row as it stands in
    the database (or a new NSAID row when there is none), with `changes` to its fields."""
    from db.models import HoldRuleRow
    from db.queries.holds import rule_from_row
    from mild.admin import HoldRuleInput
    from mild.medications import HOURS, MedClass, normalize_drug

    with transaction() as s:
        row = s.get(HoldRuleRow, normalize_drug(drug))
        rule = rule_from_row(row) if row is not None else None
    values = {
        "drug": drug,
        "generic": rule.generic if rule else drug,
        "brands": "; ".join(rule.brands) if rule else "",
        "med_class": rule.med_class if rule else MedClass.NSAID,
        "stop_before_hours": (
            rule.stop_before / HOURS if rule and rule.stop_before is not None else None
        )
        if rule
        else 48,
        "skip_on_day": rule.skip_on_day if rule else False,
        "restart_after_hours": (
            rule.restart_after / HOURS if rule and rule.restart_after is not None else None
        )
        if rule
        else 24,
        "needs_clearance": rule.needs_clearance if rule else False,
        "instruction": rule.instruction if rule else "",
        "source": rule.source if rule else "Practice decision (test)",
    }
    return HoldRuleInput(**(values | changes))


def edit_hold_rule(
    drug: str, actor: Actor, *, active: bool = True, expected_updated_at=None, **changes
):
    """An admin's edit of one hold-table row through the service: the fields not in `changes`
    stay as they are, and no stale-screen check unless `expected_updated_at` is given."""
    from services.admin import update_hold_rule

    return update_hold_rule(
        hold_input(drug, **changes),
        active=active,
        expected_updated_at=expected_updated_at,
        actor=actor,
    )


# --- Discharge instructions (issue 9) -------------------------------------------------------------


def set_office_phone(office_id: int, phone: str | None) -> None:
    """The number patients call at once with a red flag."""
    with transaction() as s:
        s.get(Office, office_id).phone = phone


def set_patient_phone(case_id: int, phone: str | None) -> None:
    with transaction() as s:
        s.get(Patient, s.get(Case, case_id).patient_id).phone = phone


def rename_patient(case_id: int, first_name: str, last_name: str) -> None:
    """Give the case's patient a chosen name (hostile text included)."""
    with transaction() as s:
        patient = s.get(Patient, s.get(Case, case_id).patient_id)
        patient.first_name, patient.last_name = first_name, last_name


def record_procedure(
    case_id: int, started: dt.datetime, ended: dt.datetime, levels: str | None = None
) -> None:
    """The procedure's start and end (and levels treated) as the checklist keeps them."""
    with transaction() as s:
        case = s.get(Case, case_id)
        case.procedure_started_at, case.procedure_ended_at = started, ended
        case.levels_treated = levels


def add_medication(
    case_id: int,
    drug: str,
    *,
    hold_rule: str | None = None,
    name_given: str | None = None,
    stop_before_hours: int | None = None,
    skip_on_day: bool = False,
    restart_after_hours: int | None = None,
    med_class=None,
) -> int:
    """A drug on the case with the hold copied from its hold-table row (`hold_rule`);
    `med_class` a mild.hold_rules.MedClass (default: no bleeding or fasting relevance)."""
    from db.models import CaseMedication
    from mild.hold_rules import MedClass

    with transaction() as s:
        row = CaseMedication(
            case_id=case_id,
            drug=drug,
            name_given=name_given,
            hold_rule=hold_rule,
            med_class=med_class or MedClass.OTHER,
            stop_before_hours=stop_before_hours,
            skip_on_day=skip_on_day,
            restart_after_hours=restart_after_hours,
        )
        s.add(row)
        s.flush()
        return row.id


def exempt_from_escort(case_id: int, by: str, reason: str) -> None:
    """The attending physician's exemption from the escort rule, as recorded on the case."""
    with transaction() as s:
        case = s.get(Case, case_id)
        case.escort_exempted_by, case.escort_exempt_reason = by, reason
        case.escort_exempt_at = dt.datetime.now(dt.UTC)


# --- Day-of checklist (issue 9) -----------------------------------------------------------------

TIME_OUT_PLAIN_ITEMS = (
    "team_introduced",
    "patient_confirmed",
    "procedure_confirmed",
    "imaging_displayed",
    "critical_events_reviewed",
)


# What a short day leaves open, in the checklist's order: ticked only as far as the hard stops
# ask (arrival, holds, the time-out and its items, procedure start and end, recovery in, the
# score and the escort), so discharge must name and confirm every one of these.
OPEN_AFTER_A_SHORT_DAY = [
    "vitals_recorded",
    "iv_placed",
    "escort_on_file",
    "patient_in_room",
    "pre_anesthesia_check",
    "pulse_oximeter_on",
    "anesthesia_type",
    "imaging_modality",
    "levels_treated",
    "fluoroscopy_recorded",
    "sign_out",
    "anesthesia_end",
    "patient_out_of_room",
    "recovery_out",
    "instructions_given",
    "restart_dates_given",
]


def confirm_time_out_items(case_id: int, actor: Actor, *, levels: str = "L4-L5 bilateral") -> None:
    """Every time-out item confirmed through the services (antibiotic: not used); the level
    and side typed when the booking names none. The time-out itself is left to the caller."""
    from services.checklist import complete_step, record_antibiotic

    for step in TIME_OUT_PLAIN_ITEMS:
        complete_step(case_id, step, actor=actor)
    complete_step(case_id, "level_side_confirmed", actor=actor, value=levels)
    record_antibiotic(case_id, False, actor=actor)


def record_fast(
    case_id: int,
    actor: Actor,
    *,
    food_hours_ago: float = 14,
    clear_hours_ago: float | None = 6,
    kind: str = "light_meal",
    expected_version: int | None = None,
) -> int:
    """Tick "fasting confirmed" with the patient's report: by default a light meal 14 h and a
    clear liquid 6 h ago, long enough for anesthesia from 4 h ago (ASA: 6 h and 2 h), so event
    times may be corrected back that far."""
    from services.checklist import record_fasting

    now = dt.datetime.now(dt.UTC)
    clear = None if clear_hours_ago is None else now - dt.timedelta(hours=clear_hours_ago)
    return record_fasting(
        case_id,
        clear,
        now - dt.timedelta(hours=food_hours_ago),
        kind,
        no_clear_liquid=clear_hours_ago is None,
        actor=actor,
        expected_version=expected_version,
    )


def do_step(
    case_id: int,
    step: str,
    actor: Actor,
    value: str | None = None,
    *,
    expected_version: int | None = None,
) -> int:
    """Tick a step as a nurse would, through its own form where it has one (the fast: a report
    long enough for anesthesia now); returns the case version."""
    from services.checklist import complete_step

    if step == "fasting_confirmed":
        return record_fast(case_id, actor, expected_version=expected_version)
    return complete_step(case_id, step, actor=actor, value=value, expected_version=expected_version)


def to_incision(case_id: int, actor: Actor) -> None:
    """Through the hard stops only, up to the incision: identity, consent, fasting and holds;
    the site marked; anesthesia start; each time-out item, the time-out; procedure start."""
    from services.checklist import complete_step

    for step in ("checked_in", "identity_confirmed", "consent_signed", "fasting_confirmed"):
        do_step(case_id, step, actor)
    complete_step(case_id, "holds_confirmed", actor=actor)
    mark_site(case_id, actor)
    complete_step(case_id, "anesthesia_start", actor=actor)
    confirm_time_out_items(case_id, actor)
    complete_step(case_id, "time_out", actor=actor)
    complete_step(case_id, "procedure_start", actor=actor)


def mark_site(case_id: int, actor: Actor, physician: str | None = None) -> None:
    """The site marked by `physician` (default: the case's own, who will operate)."""
    from db.models import Provider
    from services.checklist import complete_step

    if physician is None:
        with transaction() as s:
            case = s.get(Case, case_id)
            physician = s.get(Provider, case.provider_id).name
    complete_step(case_id, "site_marked", actor=actor, value=physician)


# --- Comorbidity values (issue 9) ---------------------------------------------------------------

STOP_BANG_ITEMS = (
    "snoring",
    "tired",
    "observed_apnea",
    "high_blood_pressure",
    "bmi_over_35",
    "age_over_50",
)


def stop_bang_answers(*yes: str, neck_cm: float = 36, sex: Sex = Sex.FEMALE) -> StopBangAnswers:
    """STOP-Bang answers with only the items named in `yes` answered yes."""
    return StopBangAnswers(
        **{item: item in yes for item in STOP_BANG_ITEMS}, neck_cm=neck_cm, sex=sex
    )


def add_clearance(case_id: int, kind, **columns) -> None:
    """A comorbidity clearance's values on a case as intake would leave them (a
    mild.clearances.ClearanceKind; columns of db.models.CaseClearance)."""
    from db.models import CaseClearance

    with transaction() as s:
        s.add(
            CaseClearance(
                case_id=case_id, kind=kind, recorded_at=dt.datetime.now(dt.UTC), **columns
            )
        )


def set_clinical_limit(key, *, value: float | None = None, action=None) -> None:
    """Change a practice limit directly (the admin's edit has its own tests)."""
    from db.models import ClinicalLimit

    with transaction() as s:
        row = s.get(ClinicalLimit, str(key))
        if value is not None:
            row.value = value
        if action is not None:
            row.action = action


def give_instructions(case_id: int, actor: Actor, expected_version: int | None = None) -> int:
    """Print the case's discharge instructions (audited) and tick "instructions given" with the
    version printed, as the nurse does on the discharge step; returns the case version."""
    from services.checklist import record_instructions_given
    from services.documents import discharge_instructions

    printed = discharge_instructions(case_id, actor=actor)
    return record_instructions_given(
        case_id, printed.version, actor=actor, expected_version=expected_version
    )


def add_safety_event(case_id: int, kind, occurred_at: dt.datetime, text: str = "Fell") -> None:
    """A safety event on a case as the checklist or follow-up leaves it (mild.safety.SafetyKind)."""
    from db.models import SafetyEvent

    with transaction() as s:
        case = s.get(Case, case_id)
        s.add(
            SafetyEvent(
                case_id=case_id,
                office_id=case.office_id,
                kind=kind,
                occurred_at=occurred_at,
                description=text,
                recorded_at=occurred_at,
            )
        )


def add_preop_call(case_id: int, outcome, called_at: dt.datetime) -> None:
    """A pre-op call attempt charted at `called_at` (history, as the metrics read it)."""
    from db.models import PreopCall

    with transaction() as s:
        case = s.get(Case, case_id)
        s.add(
            PreopCall(
                case_id=case_id,
                office_id=case.office_id,
                called_at=called_at,
                outcome=outcome,
            )
        )


# --- Escalations that reach someone (issue 11) ----------------------------------------------------


def provider_of(case_id: int, *, email: str | None = None) -> str:
    """The name of the case's provider; with `email`, given that address first (where
    escalations reach them)."""
    with transaction() as s:
        provider = s.get(Provider, s.get(Case, case_id).provider_id)
        if email is not None:
            provider.email = email
        return provider.name


def red_flag_call(*flags):
    """A reached next-day call, quiet but for the red flags the patient reports."""
    from mild.followup import CallAnswers, Incision

    return CallAnswers(
        nprs=3,
        swelling=False,
        bruising=False,
        incision=Incision.DRY,
        meds_as_prescribed=True,
        reported_flags=tuple(flags),
    )


def escalate(follow_up_id: int, nurse: Actor, *flags):
    """The next-day call recorded with these red flags (it escalates); the service's result."""
    from services.followup import record_followup_call

    return record_followup_call(follow_up_id, red_flag_call(*flags), actor=nurse)


def make_provider_user(username: str, case_id: int) -> Actor:
    """A provider's own sign-in, for the case's provider, at the provider's office."""
    import dataclasses

    with transaction() as s:
        case = s.get(Case, case_id)
        provider_id, office_id = case.provider_id, case.office_id
    actor = make_user(username, Role.PROVIDER, [office_id])
    with transaction() as s:
        s.get(StaffUser, actor.id).provider_id = provider_id
    return dataclasses.replace(actor, provider_id=provider_id)


def set_on_call(office_id: int, *urls: str, name: str | None = "On-call RN") -> None:
    """The office's on-call contact and the notification URLs that reach it."""
    from db.models import OfficeNotification

    with transaction() as s:
        s.merge(
            OfficeNotification(
                office_id=office_id,
                on_call_name=name,
                urls="\n".join(urls) or None,
                updated_at=dt.datetime.now(dt.UTC),
            )
        )


def notifications_of(follow_up_id: int) -> list:
    """The outbox rows of one escalation, by round then recipient (db.models.Notification)."""
    from sqlalchemy import select

    from db.models import Notification

    with transaction() as s:  # rows stay readable after it (expire_on_commit=False)
        return list(
            s.scalars(
                select(Notification)
                .where(Notification.follow_up_id == follow_up_id)
                .order_by(Notification.round, Notification.recipient)
            )
        )
