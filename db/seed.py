"""A synthetic demo: offices, staff, about a year of history and a live today. Faker, fixed seed.

No real person's data: every name, date of birth, phone and MRN is generated. The same seed and
the same day give the same database. Rows are written with bulk inserts, so 25 offices and
5 years take minutes, not hours.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from faker import Faker
from sqlalchemy import Engine, Select, func, insert, select, text, update

from db.models import (
    AuditEvent,
    Case,
    CaseClearance,
    CaseCondition,
    CaseMedication,
    ChecklistEntry,
    FollowUp,
    Notification,
    Office,
    Patient,
    PreopCall,
    Provider,
    SafetyEvent,
    StaffUser,
    WaitingCode,
    staff_office,
)
from mild import messages
from mild.cases import CancelReason, CaseStatus, RequestChannel
from mild.checklist import STEPS, Step
from mild.clearances import (
    CONDITION_VALUES,
    STOP_BANG_ITEMS,
    ClearanceKind,
    DeviceType,
    Sex,
)
from mild.days import at_local, local_today, to_local
from mild.discharge import (
    DISCHARGE_COMPONENTS,
    DischargeScale,
    discharge_score_detail,
    discharge_score_note,
)
from mild.escalations import DEFAULT_FLAG_TIER_TABLE, Delivery, Recipient
from mild.event_times import moment_text, time_text
from mild.fasting import FOOD_KINDS, FastingReport, report_text
from mild.followup import (
    MIN_ATTEMPTS_TO_CLOSE_UNREACHED,
    AttemptOutcome,
    DueFollowUp,
    FollowUpKind,
    RedFlag,
    follow_up_schedule,
)
from mild.glp1 import Glp1Decision, screen_json
from mild.intake import Condition
from mild.medications import DEFAULT_HOLD_TABLE, MedClass, medication_hold, whole_hours
from mild.preop import CallOutcome, working_days_before
from mild.safety import AFTER_DISCHARGE_WINDOW, SafetyKind
from mild.staff import Role
from mild.time_out import booked_level_side
from mild.waiting_codes import LETTERS, holds_waiting_code, new_waiting_code

DEMO_SEED = 20261124
DEFAULT_DEMO_PASSWORD = "mild-demo"
TIMEZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
)
# Today's live board at every office: one case at each point of the day.
# One procedure room per office: a case every 90 minutes (about 80 in the room, then the
# turnover), from 07:30 on a procedure day and from 07:00 today, office time.
SLOT_MINUTES = 90
# Today's list at every office, 07:00 to 14:30 (procedures run 07:00-17:00 with recovery).
# Each case stands where the clock says: scheduled until 40 min before its start, then checked
# in, in procedure from 10 min after, in recovery from 70 min, discharged from 150 min. Before
# office hours all are scheduled; late in the day all are done.
TODAY_SLOTS = tuple(
    (dt.datetime(2000, 1, 1, 7) + dt.timedelta(minutes=SLOT_MINUTES * n)).time() for n in range(6)
)
TODAY_STAGES: tuple[tuple[int, CaseStatus], ...] = (
    (150, CaseStatus.DISCHARGED),
    (70, CaseStatus.RECOVERY),
    (10, CaseStatus.IN_PROCEDURE),
    (-40, CaseStatus.CHECKED_IN),
)
# Staff work office hours: calls, visits, requests and reviews are placed in them.
OPEN_HOUR, CLOSE_HOUR = 8, 18
# The pre-op call (mild.preop): most patients are reached; missed tries before they are.
PREOP_REACHED = 0.82
MISSED_CALLS = (
    CallOutcome.NO_ANSWER,
    CallOutcome.NO_ANSWER,
    CallOutcome.VOICEMAIL,
    CallOutcome.VOICEMAIL,
    CallOutcome.WRONG_NUMBER,
)
PREOP_QUESTIONS = (None, None, None, "Asked where to park", "Asked about the bandage and showering")

SAME_DAY_REASONS = (
    CancelReason.NO_ESCORT,
    CancelReason.NOT_FASTING,
    CancelReason.MEDICATION_NOT_HELD,
    CancelReason.VITALS_OUT_OF_RANGE,
    CancelReason.NO_SHOW,
    CancelReason.PATIENT_ILLNESS,
)
EARLY_REASONS = (
    CancelReason.PATIENT_DECLINED,
    CancelReason.CLEARANCE_MISSING,
    CancelReason.PROVIDER_OR_EQUIPMENT,
    CancelReason.PATIENT_ILLNESS,
    CancelReason.OTHER,
)
DRUGS = tuple(DEFAULT_HOLD_TABLE)
# How the seed's missed follow-up tries went (mild.followup.AttemptOutcome).
MISSED_OUTCOMES = (AttemptOutcome.NO_ANSWER, AttemptOutcome.VOICEMAIL, AttemptOutcome.NO_ANSWER)
# Follow-ups whose patient is never reached: closed as not reached after three daily calls.
NOT_REACHED_SHARE = 0.05


class SeedError(Exception):
    """Bad seed arguments or a database that already holds data."""


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    display_name: str
    offices: str  # "all", or how many of the first offices


DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("nurse", Role.NURSE, "Demo Nurse", "2"),
    DemoAccount("coordinator", Role.COORDINATOR, "Demo Coordinator", "all"),
    DemoAccount("manager", Role.MANAGER, "Demo Manager", "all"),
    DemoAccount("admin", Role.ADMIN, "Demo Admin", "all"),
    # A physician's own sign-in: one of the demo's providers (the one with the most open
    # escalations), at that provider's office.
    DemoAccount("provider", Role.PROVIDER, "Demo Provider", "provider"),
)


@dataclass
class SeedSummary:
    offices: int = 0
    cases: int = 0
    rows: dict[str, int] = field(default_factory=dict)


@dataclass
class _Ids:
    """Explicit primary keys, so children can be bulk-inserted without reading ids back."""

    counters: dict[str, int] = field(default_factory=dict)

    def next(self, table: str) -> int:
        self.counters[table] = self.counters.get(table, 0) + 1
        return self.counters[table]


class _Writer:
    """Buffers rows per table and flushes them with executemany inserts, parents first."""

    ORDER = (
        Office,
        Provider,
        StaffUser,
        Patient,
        Case,
        WaitingCode,
        PreopCall,
        CaseMedication,
        CaseCondition,
        CaseClearance,
        ChecklistEntry,
        FollowUp,
        Notification,
        SafetyEvent,
        AuditEvent,
    )

    def __init__(self, engine: Engine, chunk: int = 20_000) -> None:
        self.engine = engine
        self.chunk = chunk
        self.buffers: dict[type, list[dict[str, Any]]] = {m: [] for m in self.ORDER}
        self.counts: dict[str, int] = {}

    def add(self, model: type, row: dict[str, Any]) -> None:
        self.buffers[model].append(row)

    def pending(self) -> int:
        return sum(len(b) for b in self.buffers.values())

    def flush(self) -> None:
        with self.engine.begin() as conn:
            for model in self.ORDER:
                rows = self.buffers[model]
                for i in range(0, len(rows), self.chunk):
                    conn.execute(insert(model), rows[i : i + self.chunk])
                name = model.__tablename__
                self.counts[name] = self.counts.get(name, 0) + len(rows)
                rows.clear()


def is_empty(engine: Engine) -> bool:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Office)) == 0


def seed_demo(
    engine: Engine,
    *,
    offices: int = 3,
    years: float = 1.1,
    password: str = DEFAULT_DEMO_PASSWORD,
    now: dt.datetime | None = None,
    seed: int = DEMO_SEED,
    hash_password: Callable[[str], str],
    progress: Callable[[str], None] = lambda _msg: None,
) -> SeedSummary:
    """Fill an empty, migrated database with the demo. Refuses a database that has data."""
    if not 1 <= offices <= 200:
        raise SeedError("--offices must be a whole number from 1 to 200.")
    if not 0 < years <= 20:
        raise SeedError("--years must be more than 0 and at most 20.")
    if len(password) < 8:
        raise SeedError("The demo password needs at least 8 characters.")
    if not is_empty(engine):
        raise SeedError("The database already has data; the demo is seeded only into an empty one.")
    now = now or dt.datetime.now(dt.UTC)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    ids = _Ids()
    out = _Writer(engine)
    summary = SeedSummary()

    office_rows = _offices(out, ids, fake, offices)
    password_hash = hash_password(password)
    staff_by_office = _staff(out, ids, fake, office_rows, password_hash, now)
    providers_by_office = {
        o["id"]: [_provider(out, ids, fake, o["id"]) for _ in range(2)] for o in office_rows
    }
    out.flush()

    history_start = now - dt.timedelta(days=round(365 * years))
    for n, office in enumerate(office_rows):
        ctx = _OfficeContext(
            office=office,
            nurses=staff_by_office[office["id"]],
            providers=providers_by_office[office["id"]],
            seed=seed,
            fake=fake,
            ids=ids,
            out=out,
            now=now,
        )
        summary.cases += ctx.seed_history(history_start)
        if out.pending() > 100_000:
            out.flush()
        progress(
            f"office {n + 1}/{len(office_rows)} {office['code']}: {summary.cases} cases so far"
        )
    out.add(
        AuditEvent,
        {
            "id": ids.next("audit_event"),
            "at": now,
            "actor_id": None,
            "actor_name": "seed",
            "action": "demo.seeded",
            "entity": "database",
            "entity_id": None,
            "office_id": None,
            "detail": json.dumps({"offices": offices, "years": years, "seed": seed}),
        },
    )
    out.flush()
    _open_escalation(engine, out, ids)
    out.flush()
    _provider_account(engine, ids, password_hash, now)
    _reset_sequences(engine)
    summary.offices = len(office_rows)
    summary.rows = dict(out.counts)
    return summary


def _notifications(
    out: _Writer, ids: _Ids, row: dict[str, Any], follow_up_id: int, tier, at: dt.datetime
) -> None:
    """An open escalation's first notifications, waiting for the dispatcher: the demo sets
    no notification URL and no SMTP server, so it records them "not configured"."""
    for recipient in Recipient:
        out.add(
            Notification,
            {
                "id": ids.next("notification"),
                "follow_up_id": follow_up_id,
                "case_id": row["id"],
                "office_id": row["office_id"],
                "recipient": recipient,
                "round": 1,
                "tier": tier,
                "status": Delivery.PENDING,
                "attempts": 0,
                "next_attempt_at": at,
                "last_error": None,
                "recipient_name": None,
                "sent_at": None,
                "created_at": at,
            },
        )


def _open_escalation(engine: Engine, out: _Writer, ids: _Ids) -> None:
    """Each office's latest next-day call reported a red flag still with the provider, so the
    demo shows an open escalation at any hour it is seeded (the first office's is one to send
    to the emergency department now, the others' for the provider today); its notifications
    wait for the dispatcher."""
    with engine.begin() as conn:
        latest = conn.execute(
            select(FollowUp.id, FollowUp.case_id, FollowUp.office_id, FollowUp.completed_at)
            .where(
                FollowUp.kind == FollowUpKind.NEXT_DAY_CALL,
                FollowUp.reached.is_(True),
                FollowUp.escalated_at.is_(None),
            )
            .order_by(FollowUp.office_id, FollowUp.completed_at.desc(), FollowUp.id)
        ).all()
        firsts = {}
        for row in latest:
            firsts.setdefault(row.office_id, row)
        for n, row in enumerate(firsts.values()):
            flag = RedFlag.WEAKNESS_NUMBNESS if n == 0 else RedFlag.FEVER
            tier = DEFAULT_FLAG_TIER_TABLE[flag]
            conn.execute(
                update(FollowUp)
                .where(FollowUp.id == row.id)
                .values(
                    red_flags=flag.value,
                    temperature_c=38.4 if flag == RedFlag.FEVER else None,
                    escalated_at=row.completed_at,
                    escalation_tier=tier.value,
                )
            )
            case = {"id": row.case_id, "office_id": row.office_id}
            _notifications(out, ids, case, row.id, tier, row.completed_at)


def _provider_account(engine: Engine, ids: _Ids, pw_hash: str, now: dt.datetime) -> None:
    """The demo provider's sign-in: the provider with the most open escalations, else the one
    with the most next-day calls still to make (a red flag recorded on one reaches them), at
    that provider's office."""
    (account,) = [a for a in DEMO_ACCOUNTS if a.role == Role.PROVIDER]

    def busiest(*where) -> Select:
        return (
            select(Case.provider_id, Provider.office_id)
            .join(FollowUp, FollowUp.case_id == Case.id)
            .join(Provider, Provider.id == Case.provider_id)
            .where(*where)
            .group_by(Case.provider_id, Provider.office_id)
            .order_by(func.count().desc(), Case.provider_id)
            .limit(1)
        )

    with engine.begin() as conn:
        found = (
            conn.execute(
                busiest(
                    FollowUp.escalated_at.is_not(None), FollowUp.escalation_resolved_at.is_(None)
                )
            ).first()
            or conn.execute(
                busiest(
                    FollowUp.kind == FollowUpKind.NEXT_DAY_CALL, FollowUp.completed_at.is_(None)
                )
            ).first()
            or conn.execute(
                select(Provider.id, Provider.office_id).order_by(Provider.id).limit(1)
            ).first()
        )
        uid = ids.next("staff_user")
        conn.execute(
            insert(StaffUser),
            {
                "id": uid,
                "username": account.username,
                "display_name": account.display_name,
                "password_hash": pw_hash,
                "role": account.role,
                "active": True,
                "created_at": now,
                "provider_id": found[0],
            },
        )
        conn.execute(insert(staff_office), {"staff_user_id": uid, "office_id": found[1]})


def _reset_sequences(engine: Engine) -> None:
    """PostgreSQL's id sequences do not see explicit ids; move them past what the seed wrote."""
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for model in _Writer.ORDER:
            if "id" not in model.__table__.columns:  # a table keyed by its values (waiting_code)
                continue
            table = model.__tablename__
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
                )
            )


def _offices(out: _Writer, ids: _Ids, fake: Faker, count: int) -> list[dict[str, Any]]:
    rows, codes = [], set()
    for i in range(count):
        city = fake.unique.city()
        code = "".join(ch for ch in city.upper() if ch.isalpha())[:3]
        while code in codes or len(code) < 2:
            code = f"{code[:2]}{i}"
        codes.add(code)
        row = {
            "id": ids.next("office"),
            "code": code,
            "name": f"{city} Office",
            "timezone": TIMEZONES[i % 2 if count <= 3 else i % len(TIMEZONES)],
            "active": True,
            "phone": fake.numerify("(###) 555-01##"),
        }
        out.add(Office, row)
        rows.append(row)
    return rows


def _staff(
    out: _Writer,
    ids: _Ids,
    fake: Faker,
    offices: list[dict[str, Any]],
    pw_hash: str,
    now: dt.datetime,
) -> dict[int, list[int]]:
    """The four demo accounts, plus two synthetic nurses per office who did the history's work."""

    links: list[dict[str, int]] = []

    def add_user(username: str, name: str, role: Role, office_ids: Iterable[int]) -> int:
        uid = ids.next("staff_user")
        out.add(
            StaffUser,
            {
                "id": uid,
                "username": username,
                "display_name": name,
                "password_hash": pw_hash,
                "role": role,
                "active": True,
                "created_at": now,
            },
        )
        for oid in office_ids:
            links.append({"staff_user_id": uid, "office_id": oid})
        return uid

    all_ids = [o["id"] for o in offices]
    for acct in DEMO_ACCOUNTS:
        if acct.role == Role.PROVIDER:
            continue  # added once the history shows whose cases escalate (_provider_account)
        scope = all_ids if acct.offices == "all" else all_ids[: int(acct.offices)]
        add_user(
            acct.username, acct.display_name, acct.role, [] if acct.role == Role.ADMIN else scope
        )
    nurses: dict[int, list[int]] = {}
    for o in offices:
        nurses[o["id"]] = [
            add_user(
                f"rn.{o['code'].lower()}{k}",
                f"{fake.first_name()} {fake.last_name()}, RN",
                Role.NURSE,
                [o["id"]],
            )
            for k in (1, 2)
        ]
    # staff_office is a plain table, not a model: write it right after the users.
    out.flush()
    with out.engine.begin() as conn:
        conn.execute(insert(staff_office), links)
    return nurses


# Provider names by id, for the checklist's "site marked by" (the physician who operates).
_PROVIDER_NAMES: dict[int, str] = {}


def _provider(out: _Writer, ids: _Ids, fake: Faker, office_id: int) -> int:
    pid = ids.next("provider")
    _PROVIDER_NAMES[pid] = f"Dr. {fake.first_name()} {fake.last_name()}"
    out.add(
        Provider,
        {
            "id": pid,
            "name": _PROVIDER_NAMES[pid],
            "office_id": office_id,
            "active": True,
        },
    )
    return pid


@dataclass
class _OfficeContext:
    office: dict[str, Any]
    nurses: list[int]
    providers: list[int]
    seed: int
    fake: Faker
    ids: _Ids
    out: _Writer
    now: dt.datetime
    rng: random.Random = field(default_factory=random.Random)  # the current day's draws
    # When the office's one room is free again on a day: the next patient goes in after it.
    room_free: dict[dt.date, dt.datetime] = field(default_factory=dict)
    # The waiting-room codes issued on a day (today's patients on site have one).
    waiting_codes: dict[dt.date, set[str]] = field(default_factory=dict)

    def _draws_for(self, what: str) -> random.Random:
        """The random draws of this office on one day (or for one part of its setup).

        Drawn per day rather than from one stream, so a day comes out the same whatever the
        length of history seeded: the last month of a five-year demo is the one-month demo's,
        day for day, and today's work is alike in both (scripts/bench.py compares them).
        """
        return random.Random(f"{self.seed}:{self.office['id']}:{what}")

    @property
    def tz(self) -> str:
        return self.office["timezone"]

    def seed_history(self, history_start: dt.datetime) -> int:
        """Procedure days on two weekdays a week, from history_start to two weeks ahead."""
        today = local_today(self.tz, self.now)
        first = local_today(self.tz, history_start)
        weekdays = sorted(self._draws_for("weekdays").sample(range(5), 2))
        count = 0
        day = first
        while day <= today + dt.timedelta(days=14):
            self.rng = self._draws_for(day.isoformat())
            if day == today:
                count += self._today()
            elif day.weekday() in weekdays:
                for slot in range(self.rng.randint(3, 5)):
                    self._case_on(day, slot)
                    count += 1
            day += dt.timedelta(days=1)
        self.rng = self._draws_for("unbooked")
        for _ in range(3):
            self._unbooked(CaseStatus.REQUESTED)
            self._unbooked(CaseStatus.INTAKE)
            count += 2
        return count

    # -- one case --------------------------------------------------------------------------

    def _start(self, day: dt.date, slot: int) -> dt.datetime:
        return at_local(self.tz, day, dt.time(7, 30)) + dt.timedelta(minutes=SLOT_MINUTES * slot)

    def _patient(self, requested: dt.datetime) -> int:
        pid = self.ids.next("patient")
        fake = self.fake
        self.out.add(
            Patient,
            {
                "id": pid,
                "mrn": f"D{pid:07d}",
                "first_name": fake.first_name(),
                "last_name": fake.last_name(),
                "date_of_birth": fake.date_of_birth(minimum_age=50, maximum_age=88),
                "phone": fake.numerify("(###) 555-0###"),
                "created_at": requested,
            },
        )
        return pid

    def _base_case(self, status: CaseStatus, requested: dt.datetime) -> dict[str, Any]:
        rng = self.rng
        cid = self.ids.next("mild_case")
        return {
            "id": cid,
            "code": f"{self.office['code']}-{cid:05d}",
            "patient_id": self._patient(requested),
            "office_id": self.office["id"],
            "provider_id": rng.choice(self.providers),
            "status": status,
            "request_channel": rng.choice(list(RequestChannel)),
            "consult_requested_at": requested,
            "intake_started_at": None,
            "booked_at": None,
            "scheduled_start": None,
            "planned_minutes": 60,
            "planned_levels": None,
            "planned_side": None,
            "checked_in_at": None,
            "patient_in_room_at": None,
            "anesthesia_started_at": None,
            "procedure_started_at": None,
            "procedure_ended_at": None,
            "patient_out_of_room_at": None,
            "recovery_in_at": None,
            "recovery_out_at": None,
            "discharged_at": None,
            "closed_at": None,
            "cancelled_at": None,
            "cancellation_reason": None,
            "cancellation_note": None,
            "asa_class": rng.choices((1, 2, 3, 4), (10, 55, 33, 2))[0],
            "height_cm": round(rng.uniform(152, 190), 1),
            "weight_kg": round(rng.uniform(55, 120), 1),
            "anesthesia_type": None,
            "imaging_modality": None,
            "levels_treated": None,
            "baseline_nprs": rng.randint(5, 9),
            "baseline_odi": float(rng.randrange(30, 72, 2)),
            "baseline_walk_minutes": rng.randint(2, 15),
            "baseline_stand_minutes": rng.randint(2, 15),
            "works": rng.random() < 0.35,
            "escort_name": None,
            "escort_relationship": None,
            "escort_phone": None,
            "escort_exempted_by": None,
            "escort_exempt_reason": None,
            "escort_exempt_at": None,
            "escort_exempt_recorded_by_id": None,
            "confirmed_at": None,
            "confirmed_by_id": None,
            "waiting_code": None,
            "medicare": None,  # not yet asked (answered at intake: _case_on)
            "cms_study_enrolled": None,
            "cms_study_nct": None,
            "version": 1,
            "updated_at": requested,
        }

    def _unbooked(self, status: CaseStatus) -> None:
        requested = self.now - dt.timedelta(
            days=self.rng.randint(0, 10), hours=self.rng.randint(1, 8)
        )
        requested = min(self._in_hours(requested), self.now)
        row = self._base_case(status, requested)
        if status == CaseStatus.INTAKE:
            started = self._in_hours(requested + dt.timedelta(hours=self.rng.randint(2, 30)))
            row["intake_started_at"] = max(requested, min(started, self.now))
            self._intake_details(row["id"], None)
        self.out.add(Case, row)

    def _case_on(
        self,
        day: dt.date,
        slot: int,
        target: CaseStatus | None = None,
        start: dt.datetime | None = None,
    ) -> None:
        rng = self.rng
        start = start or self._start(day, slot)
        requested = start - dt.timedelta(days=rng.randint(21, 60), hours=rng.randint(0, 9))
        requested = self._in_hours(requested)
        row = self._base_case(CaseStatus.SCHEDULED, requested)
        row["intake_started_at"] = requested + dt.timedelta(days=rng.randint(1, 5))
        row["booked_at"] = row["intake_started_at"] + dt.timedelta(days=rng.randint(2, 10))
        row["scheduled_start"] = start
        row["updated_at"] = row["booked_at"]
        row["planned_levels"] = rng.choice(("L4-L5", "L3-L4, L4-L5", "L3-L4", "L2-L3, L3-L4"))
        row["planned_side"] = rng.choice(("bilateral", "bilateral", "bilateral", "left", "right"))
        # Medicare covers MILD only inside a CMS-approved study (NCD 150.13): answered at intake,
        # with a synthetic study number.
        row["medicare"] = rng.random() < 0.7
        if row["medicare"]:
            row["cms_study_enrolled"] = True
            row["cms_study_nct"] = f"NCT0{rng.randint(1_000_000, 9_999_999)}"
        past = start < self.now - dt.timedelta(hours=12)
        # Upcoming cases are not all ready yet: that is what the pre-op call worklist is for.
        escort = past or target is not None or rng.random() < 0.85
        confirmed = past or target is not None or rng.random() < 0.6
        diabetic, xray = self._intake_details(row["id"], start, ready=confirmed and escort)
        if escort:
            row.update(
                escort_name=f"{self.fake.first_name()} {self.fake.last_name()}",
                escort_relationship=rng.choice(("spouse", "daughter", "son", "friend")),
                escort_phone=self.fake.numerify("(###) 555-0###"),
            )
        if confirmed and escort:
            row["confirmed_at"] = min(start - dt.timedelta(days=1), self.now)
            row["confirmed_by_id"] = rng.choice(self.nurses)
        if target is None and not past:
            target = CaseStatus.SCHEDULED
        calls = self._draws_for(f"preop:{start.isoformat()}")
        will_reach = calls.random() < PREOP_REACHED
        # Reached patients cancel on the day less often (the published effect of the call).
        if target is None and rng.random() < (0.04 if will_reach else 0.15):
            self._cancel(row, day)
        elif target != CaseStatus.SCHEDULED:
            self._run_day(row, target or CaseStatus.DISCHARGED, diabetic, xray)
            if target is None:
                self._follow_ups(row)
        if holds_waiting_code(row["status"]):
            row["waiting_code"] = self._waiting_code(day, row["checked_in_at"])
        self.out.add(Case, row)
        self._preop_calls(row, calls, will_reach)

    def _waiting_code(self, day: dt.date, issued_at: dt.datetime) -> str:
        """A waiting-room code for a patient on site today, none issued twice (drawn apart from
        the day's draws, so the rest of the demo is the same with or without them)."""
        taken = self.waiting_codes.setdefault(day, set())
        draws = self._draws_for(f"waiting:{day.isoformat()}:{len(taken)}")
        code = new_waiting_code(
            taken, lambda: draws.choice(LETTERS) + f"{draws.randrange(1000):03d}"
        )
        taken.add(code)
        self.out.add(
            WaitingCode,
            {
                "office_id": self.office["id"],
                "issued_on": day,
                "code": code,
                "issued_at": issued_at,
            },
        )
        return code

    def _preop_calls(self, row: dict[str, Any], draws: random.Random, will_reach: bool) -> None:
        """The pre-op call's attempts (mild.preop) made by now: from 1 to 3 working days before
        the day, two hours apart, most patients reached within two tries."""
        start = row["scheduled_start"]
        day = working_days_before(to_local(self.tz, start).date(), draws.choice((1, 2, 3, 3)))
        first = at_local(self.tz, day, dt.time(9 + draws.randint(0, 5), draws.choice((0, 30))))
        missed = draws.choice((0, 0, 0, 1, 2)) if will_reach else draws.randint(1, 3)
        outcomes = [draws.choice(MISSED_CALLS) for _ in range(missed)]
        if will_reach:
            outcomes.append(CallOutcome.REACHED)
        end = min(start, row.get("cancelled_at") or start, self.now)
        for i, outcome in enumerate(outcomes):
            called = first + dt.timedelta(hours=2 * i)
            if called >= end:
                break
            reached = outcome == CallOutcome.REACHED
            self.out.add(
                PreopCall,
                {
                    "id": self.ids.next("preop_call"),
                    "case_id": row["id"],
                    "office_id": row["office_id"],
                    "called_at": called,
                    "called_by_id": draws.choice(self.nurses),
                    "outcome": outcome,
                    "call_back_at": None,
                    "arrival_time_told": True if reached else None,
                    "fasting_explained": True if reached else None,
                    "escort_confirmed": bool(row.get("escort_name")) if reached else None,
                    "questions": draws.choice(PREOP_QUESTIONS) if reached else None,
                },
            )

    def _intake_details(
        self, case_id: int, start: dt.datetime | None, *, ready: bool = False
    ) -> tuple[bool, bool]:
        """Conditions, their values and medications; a case `ready` for its day has every hold
        told to the patient, every clearance and GLP-1 decision on file."""
        rng = self.rng
        conditions = [
            c
            for c, p in (
                (Condition.HEART_DISEASE, 0.3),
                (Condition.DIABETES, 0.28),
                (Condition.SLEEP_APNEA, 0.2),
                (Condition.KIDNEY_DISEASE, 0.08),
                (Condition.HIGH_BMI, 0.12),
                (Condition.CONTRAST_ALLERGY, 0.04),
                (Condition.LATEX_ALLERGY, 0.03),
                (Condition.IMPLANTED_DEVICE, 0.05),
                (Condition.ANXIETY_CLAUSTROPHOBIA, 0.06),
            )
            if rng.random() < p
        ]
        for c in conditions:
            self.out.add(
                CaseCondition,
                {
                    "id": self.ids.next("case_condition"),
                    "case_id": case_id,
                    "condition": c,
                    "details": None,
                    "cleared_by_id": rng.choice(self.nurses) if ready else None,
                    "cleared_at": min(start - dt.timedelta(days=5), self.now) if ready else None,
                },
            )
        drugs = rng.sample(DRUGS, rng.choice((0, 1, 1, 2, 3)))
        if start is not None:
            # Dabigatran's stop follows kidney function: its eGFR is on file too.
            needs_egfr = "dabigatran" in drugs and Condition.KIDNEY_DISEASE not in conditions
            extra = [Condition.KIDNEY_DISEASE] if needs_egfr else []
            self._clearance_values(case_id, [*conditions, *extra], start)
        for drug in drugs:
            rule = DEFAULT_HOLD_TABLE[drug]
            last_dose_by = medication_hold(drug, start).last_dose_by
            # The patient's own report of the last dose (pre-op call), for cases already past
            # their call: a day or two before the latest allowed moment, as most patients do.
            reported = None
            if start is not None and start < self.now + dt.timedelta(days=2) and rule.timed_hold:
                limit = last_dose_by or (start - dt.timedelta(hours=14))
                reported = limit - dt.timedelta(hours=rng.randint(2, 40))
            told = (
                min(start - dt.timedelta(days=rng.randint(3, 9)), self.now)
                if ready and start is not None and rule.med_class != MedClass.OTHER
                else None
            )
            glp1 = rule.med_class == MedClass.GLP1_AGONIST and told is not None
            self.out.add(
                CaseMedication,
                {
                    "id": self.ids.next("case_medication"),
                    "case_id": case_id,
                    "drug": drug,
                    "name_given": rng.choice((rule.generic, *rule.brands)).title(),
                    "hold_rule": drug,
                    "med_class": rule.med_class,
                    "stop_before_hours": whole_hours(rule.stop_before),
                    "skip_on_day": rule.skip_on_day,
                    "restart_after_hours": whole_hours(rule.restart_after),
                    "last_dose_by": last_dose_by,
                    "needs_review": False,
                    "needs_clearance": rule.needs_clearance,
                    "cleared_by": f"Dr. {self.fake.last_name()}"
                    if rule.needs_clearance and told
                    else None,
                    "cleared_at": told if rule.needs_clearance else None,
                    "hold_confirmed_by_id": rng.choice(self.nurses) if told else None,
                    "hold_confirmed_at": told,
                    "last_dose_taken_at": reported,
                    "last_dose_reported_at": reported
                    and min(reported + dt.timedelta(hours=20), self.now),
                    "last_dose_reported_by_id": rng.choice(self.nurses) if reported else None,
                    "last_dose_reported_via": "pre_op_call" if reported else None,
                    "glp1_screen": GLP1_NO_RISK if glp1 else None,
                    "glp1_decision": Glp1Decision.CONTINUE.value if glp1 else None,
                    "glp1_decided_by": None,
                    "glp1_recorded_at": told if glp1 else None,
                    "glp1_recorded_by_id": rng.choice(self.nurses) if glp1 else None,
                    "note": None,
                },
            )
        return Condition.DIABETES in conditions, rng.random() < 0.85

    def _clearance_values(
        self, case_id: int, conditions: list[Condition], start: dt.datetime
    ) -> None:
        """The values a booked case's clearances carry (mild/clearances/), measured in the
        weeks before its start, mostly within the practice's limits."""
        rng = self.rng
        recorded = min(start - dt.timedelta(days=rng.randint(3, 20)), self.now)
        for condition in conditions:
            kind = CONDITION_VALUES.get(condition)
            if kind is None:
                continue
            row: dict[str, Any] = dict.fromkeys(CLEARANCE_COLUMNS)
            row.update(
                id=self.ids.next("case_clearance"),
                case_id=case_id,
                kind=kind,
                measured_on=(recorded - dt.timedelta(days=rng.randint(1, 60))).date(),
                recorded_at=recorded,
                recorded_by_id=rng.choice(self.nurses),
            )
            if kind == ClearanceKind.HBA1C:
                row["value"] = round(rng.uniform(5.8, 8.6), 1)
            elif kind == ClearanceKind.EGFR:
                row["value"] = float(rng.randint(52, 95))  # above the dabigatran limit
            elif kind == ClearanceKind.STOP_BANG:
                yes = [i for i in STOP_BANG_ITEMS if rng.random() < 0.4]
                row.update(
                    stop_bang_yes=",".join(yes),
                    neck_cm=float(rng.randint(34, 46)),
                    sex=rng.choice(list(Sex)),
                )
            elif kind == ClearanceKind.DEVICE:
                row.update(
                    device_type=rng.choice((DeviceType.PACEMAKER, DeviceType.ICD)),
                    manufacturer=rng.choice(("Medtronic", "Abbott", "Boston Scientific")),
                    indication=rng.choice(("Complete heart block", "Sick sinus syndrome")),
                    pacing_dependent=rng.random() < 0.3,
                    plan="Magnet available; device clinic informed",
                )
            else:  # cardiology
                row["cleared_by"] = f"Dr. {self.fake.last_name()} (cardiology)"
            self.out.add(CaseClearance, row)

    def _cancel(self, row: dict[str, Any], day: dt.date) -> None:
        rng = self.rng
        same_day = rng.random() < 0.5
        if same_day:
            row["cancellation_reason"] = rng.choice(SAME_DAY_REASONS)
            # A call before the day's first case, but not before the desk opens at 06:00.
            row["cancelled_at"] = max(
                row["scheduled_start"] - dt.timedelta(minutes=rng.randint(10, 90)),
                at_local(self.tz, day, dt.time(6)),
            )
        else:
            row["cancellation_reason"] = rng.choice(EARLY_REASONS)
            row["cancelled_at"] = row["scheduled_start"] - dt.timedelta(days=rng.randint(1, 10))
        if row["cancellation_reason"] == CancelReason.OTHER:
            row["cancellation_note"] = "Patient moving out of the area"
        row["status"] = CaseStatus.CANCELLED
        row["updated_at"] = row["cancelled_at"]

    def _run_day(self, row: dict[str, Any], target: CaseStatus, diabetic: bool, xray: bool) -> None:
        """Tick the checklist in order up to `target`, with times a real day would have: each
        timed step with its event time, the time-out item by item, the score with its items."""
        rng = self.rng
        start = row["scheduled_start"]
        late = rng.random() < 0.15
        times = {"checked_in": start - dt.timedelta(minutes=rng.randint(35, 60))}
        times["patient_in_room"] = start + dt.timedelta(
            minutes=rng.randint(6, 22) if late else rng.randint(-12, 2)
        )
        day = to_local(self.tz, start).date()
        turnover = dt.timedelta(minutes=rng.randint(10, 25))
        if day in self.room_free:  # one room: not in before the last patient is out and it is ready
            times["patient_in_room"] = max(times["patient_in_room"], self.room_free[day] + turnover)
        times["anesthesia_start"] = times["patient_in_room"] + dt.timedelta(
            minutes=rng.randint(5, 9)
        )
        times["procedure_start"] = times["anesthesia_start"] + dt.timedelta(
            minutes=rng.randint(10, 16)
        )
        duration = max(25, min(100, round(rng.gauss(50, 12))))
        times["procedure_end"] = times["procedure_start"] + dt.timedelta(minutes=duration)
        times["anesthesia_end"] = times["procedure_end"] + dt.timedelta(minutes=rng.randint(4, 7))
        times["patient_out_of_room"] = times["anesthesia_end"] + dt.timedelta(
            minutes=rng.randint(2, 6)
        )
        self.room_free[day] = times["patient_out_of_room"]
        times["recovery_in"] = times["patient_out_of_room"] + dt.timedelta(
            minutes=rng.randint(1, 4)
        )
        times["recovery_out"] = times["recovery_in"] + dt.timedelta(minutes=rng.randint(40, 120))
        times["discharged"] = times["recovery_out"] + dt.timedelta(minutes=rng.randint(5, 20))
        # Seeded early in the morning, today's "done" steps cannot lie in the future.
        times = {k: min(v, self.now) for k, v in times.items()}
        levels, side = row["planned_levels"], row["planned_side"]
        antibiotic = times["procedure_start"] - dt.timedelta(minutes=rng.randint(20, 50))
        # The fast as patients report it: dinner the evening before, water early in the morning.
        fast = FastingReport(
            times["checked_in"] - dt.timedelta(minutes=rng.randint(150, 240)),
            times["checked_in"] - dt.timedelta(hours=rng.randint(10, 14)),
            rng.choice(FOOD_KINDS),
        )
        given = rng.random() < 0.7
        score = rng.choice((9, 10, 10))
        scale = rng.choice(list(DischargeScale))
        items = {c.key: 2 for c in DISCHARGE_COMPONENTS[scale]}
        for key in rng.sample(sorted(items), 10 - score):
            items[key] = 1
        values = {
            "fasting_confirmed": report_text(fast, functools.partial(moment_text, self.tz)),
            "glucose_checked": str(rng.randint(90, 210)),
            "site_marked": _PROVIDER_NAMES.get(row["provider_id"], "Dr. Attending"),
            "anesthesia_type": rng.choice(
                ("Local", "MAC (moderate sedation)", "MAC (moderate sedation)")
            ),
            "imaging_modality": "X-ray / fluoroscopy" if xray else "Ultrasound",
            "level_side_confirmed": messages.LEVEL_SIDE_AS_BOOKED.format(
                booked=booked_level_side(levels, side)
            ),
            "antibiotic_prophylaxis": (
                messages.ANTIBIOTIC_GIVEN.format(at=time_text(self.tz, antibiotic))
                if given
                else messages.ANTIBIOTIC_NOT_USED
            ),
            "levels_treated": f"{levels} {side}",
            "fluoroscopy_recorded": f"{rng.uniform(0.5, 3):.1f} min, {rng.randint(5, 40)} mGy",
            "discharge_score": str(score),
            "escort_confirmed": (
                f"{row['escort_name']}, {row['escort_relationship']}, {row['escort_phone']}"
            ),
        }
        details = {
            "fasting_confirmed": fast.detail(),
            "discharge_score": discharge_score_detail(scale, items),
            "antibiotic_prophylaxis": (
                {"used": True, "given_at": antibiotic.isoformat()} if given else {"used": False}
            ),
        }
        notes = {"discharge_score": discharge_score_note(scale, items)}
        stop_at = {
            CaseStatus.CHECKED_IN: "anesthesia_start",
            CaseStatus.IN_PROCEDURE: "procedure_end",
            CaseStatus.RECOVERY: "recovery_out",
            CaseStatus.DISCHARGED: None,
        }[target]
        nurse = rng.choice(self.nurses)
        at = times["checked_in"]
        for step in STEPS:
            if step.key == stop_at:
                break
            if (step.diabetic_only and not diabetic) or (step.xray_only and not xray):
                continue
            at = times.get(step.key, min(at + dt.timedelta(minutes=1), self.now))
            self._tick(
                row["id"],
                step,
                at,
                nurse,
                values.get(step.key),
                note=notes.get(step.key),
                detail=details.get(step.key),
            )
        row["status"] = target
        row["updated_at"] = at
        row["version"] = 2
        for key, column in (
            ("checked_in", "checked_in_at"),
            ("patient_in_room", "patient_in_room_at"),
            ("anesthesia_start", "anesthesia_started_at"),
            ("procedure_start", "procedure_started_at"),
            ("procedure_end", "procedure_ended_at"),
            ("patient_out_of_room", "patient_out_of_room_at"),
            ("recovery_in", "recovery_in_at"),
            ("recovery_out", "recovery_out_at"),
            ("discharged", "discharged_at"),
        ):
            if stop_at is None or _step_index(key) < _step_index(stop_at):
                row[column] = times[key]
        row["anesthesia_type"] = values["anesthesia_type"] if row["anesthesia_started_at"] else None
        row["imaging_modality"] = (
            values["imaging_modality"] if row["procedure_started_at"] else None
        )
        row["levels_treated"] = values["levels_treated"] if row["procedure_ended_at"] else None
        if target == CaseStatus.DISCHARGED:
            self._safety_events(row, nurse)

    def _safety_events(self, row: dict[str, Any], nurse: int) -> None:
        """A few safety events, as rare as a good practice has them: a fall in recovery (CMS
        ASC-2) and emergency visits in the week after. Drawn apart from the day's draws (keyed
        by the case's start), so the rest of the demo is unchanged."""
        draws = self._draws_for(f"safety:{row['scheduled_start'].isoformat()}")
        roll = draws.random()
        events: list[tuple[SafetyKind, dt.datetime, str]] = []
        out = row["discharged_at"]
        if roll < 0.004:
            at = min(row["recovery_in_at"] + dt.timedelta(minutes=draws.randint(10, 40)), out)
            events.append((SafetyKind.FALL, at, "Slid from the chair standing up; no injury"))
        elif roll < 0.014:
            at = self._in_hours(out + dt.timedelta(days=draws.randint(1, 5)))
            events.append((SafetyKind.ED_VISIT, at, "ED visit for back pain; sent home"))
        for kind, at, what in events:
            if at > min(self.now, out + AFTER_DISCHARGE_WINDOW):
                continue
            self.out.add(
                SafetyEvent,
                {
                    "id": self.ids.next("safety_event"),
                    "case_id": row["id"],
                    "office_id": row["office_id"],
                    "kind": kind,
                    "occurred_at": at,
                    "description": what,
                    "recorded_at": min(self.now, at + dt.timedelta(hours=1)),
                    "recorded_by_id": nurse,
                },
            )

    def _tick(
        self,
        case_id: int,
        step: Step,
        at: dt.datetime,
        nurse: int,
        value: str | None,
        *,
        note: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        self.out.add(
            ChecklistEntry,
            {
                "id": self.ids.next("checklist_entry"),
                "case_id": case_id,
                "step": step.key,
                "done_at": at,
                "done_by_id": nurse,
                "value": value if step.value_kind != "none" else None,
                "undone": False,
                "reason": None,
                "note": note,
                "event_at": at if step.timed else None,
                "corrects_time": False,
                "detail": json.dumps(detail, sort_keys=True) if detail else None,
            },
        )

    def _follow_ups(self, row: dict[str, Any]) -> None:
        """Follow-ups owed so far: most made on time, a few closed as not reached, the ones in hand
        today still due (or just overdue)."""
        rng = self.rng
        discharged = row["discharged_at"]
        nprs, odi = row["baseline_nprs"], row["baseline_odi"]
        all_done = True
        last_done = discharged
        for due in follow_up_schedule(discharged):
            fid = self.ids.next("follow_up")
            base = {
                "id": fid,
                "case_id": row["id"],
                "office_id": row["office_id"],
                "kind": due.kind,
                "due_at": due.due_at,
                "overdue_at": due.overdue_at,
                "attempts": 0,
                "reached": None,
                "completed_at": None,
                "completed_by_id": None,
                "nprs": None,
                "odi": None,
                "walk_minutes": None,
                "stand_minutes": None,
                "visited_on": None,
                "swelling": None,
                "bruising": None,
                "incision": None,
                "meds_as_prescribed": None,
                "returned_to_work_on": None,
                "red_flags": None,
                "escalated_at": None,
                "escalation_tier": None,
                "escalation_resolved_at": None,
                "escalation_resolved_by_id": None,
                "notes": None,
            }
            reached, completed, attempts = self._follow_up_outcome(due)
            base["attempts"] = attempts
            # The tries that did not reach the patient say how they went; which one is drawn
            # from the follow-up's id, so the demo's other draws stay as they were.
            missed = attempts - (1 if reached else 0)
            base["last_attempt_outcome"] = (
                MISSED_OUTCOMES[fid % len(MISSED_OUTCOMES)] if missed > 0 else None
            )
            if completed is None:
                all_done = False
                self.out.add(FollowUp, base)
                continue
            last_done = max(last_done, completed)
            if not reached:
                base.update(
                    reached=False,
                    completed_at=completed,
                    completed_by_id=rng.choice(self.nurses),
                    notes="Not reached after three attempts",
                )
                self.out.add(FollowUp, base)
                continue
            improvement = {
                FollowUpKind.NEXT_DAY_CALL: 0.35,
                FollowUpKind.WEEKS_2: 0.4,
                FollowUpKind.MONTHS_3: 0.5,
                FollowUpKind.MONTHS_6: 0.5,
                FollowUpKind.MONTHS_12: 0.45,
            }[due.kind] * rng.uniform(0.2, 1.6)
            base.update(
                reached=True,
                completed_at=completed,
                completed_by_id=rng.choice(self.nurses),
                nprs=max(0, min(10, round(nprs * (1 - improvement)))),
            )
            if due.kind == FollowUpKind.NEXT_DAY_CALL:
                base.update(
                    swelling=rng.random() < 0.4,
                    bruising=rng.random() < 0.3,
                    incision="dry" if rng.random() < 0.95 else "redness",
                    meds_as_prescribed=rng.random() < 0.93,
                )
                if row["works"] and rng.random() < 0.7:
                    base["returned_to_work_on"] = (
                        discharged + dt.timedelta(days=rng.choice((1, 2, 2, 3, 5)))
                    ).date()
                if rng.random() < 0.03:
                    flag = rng.choice(list(RedFlag))
                    resolved = self._in_hours(completed + dt.timedelta(hours=rng.randint(1, 30)))
                    # One raised in the last day or so may still be with the provider.
                    base.update(
                        red_flags=flag.value,
                        escalated_at=completed,
                        escalation_tier=DEFAULT_FLAG_TIER_TABLE[flag].value,
                        escalation_resolved_at=resolved if resolved <= self.now else None,
                        escalation_resolved_by_id=rng.choice(self.nurses)
                        if resolved <= self.now
                        else None,
                    )
                    if resolved > self.now:
                        _notifications(
                            self.out, self.ids, row, fid, DEFAULT_FLAG_TIER_TABLE[flag], completed
                        )
            else:
                base.update(
                    visited_on=local_today(self.tz, completed),
                    odi=round(max(0.0, odi * (1 - improvement)), 1),
                    walk_minutes=round(row["baseline_walk_minutes"] * (1 + 3 * improvement)),
                    stand_minutes=round(row["baseline_stand_minutes"] * (1 + 3 * improvement)),
                )
            self.out.add(FollowUp, base)
        next_day_done = self.now - discharged > dt.timedelta(days=2)
        # Closed a few days after the last follow-up; until then it waits to be closed.
        closed = last_done + dt.timedelta(days=rng.randint(1, 7))
        if all_done and closed <= self.now:
            row["status"] = CaseStatus.CLOSED
            row["closed_at"] = closed
        elif next_day_done:
            row["status"] = CaseStatus.FOLLOW_UP
        row["updated_at"] = min(self.now, discharged + dt.timedelta(days=1))

    def _follow_up_outcome(self, due: DueFollowUp) -> tuple[bool | None, dt.datetime | None, int]:
        """How a follow-up went, as a clinic's nurses work: (reached, done at, attempts); reached
        and done at are None while it is still to do at `now` (upcoming, or due and in hand).

        Most patients are reached within the window (a few just after it). A few are never
        reached: after three calls on separate days the follow-up is closed as not reached, a
        day or two after it fell overdue. So the open worklist holds the work in hand today,
        about the same at any length of history, not a backlog that grows with it.
        """
        rng = self.rng
        if rng.random() < NOT_REACHED_SHARE:
            calls = [
                self._in_hours(due.due_at + dt.timedelta(days=n, hours=rng.randint(1, 8)))
                for n in range(MIN_ATTEMPTS_TO_CLOSE_UNREACHED)
            ]
            closed = self._in_hours(
                max(calls[-1], due.overdue_at) + dt.timedelta(hours=rng.randint(4, 48))
            )
            if closed <= self.now:
                return False, closed, len(calls)
            return None, None, sum(c <= self.now for c in calls)
        window = (due.overdue_at - due.due_at).total_seconds()
        completed = self._in_hours(due.due_at + dt.timedelta(seconds=rng.uniform(0, window * 1.1)))
        if completed <= self.now:
            return True, completed, rng.choice((1, 1, 1, 2))
        # In hand: a visit booked later in its window, or a call tried once already.
        tried = due.kind == FollowUpKind.NEXT_DAY_CALL and due.due_at <= self.now
        return None, None, int(tried and rng.random() < 0.5)

    def _today(self) -> int:
        """Today's list (TODAY_SLOTS), each case where the clock says it stands now."""
        today = local_today(self.tz, self.now)
        for slot in TODAY_SLOTS:
            start = at_local(self.tz, today, slot)
            since = (self.now - start).total_seconds() / 60
            status = next((s for after, s in TODAY_STAGES if since >= after), None)
            self._case_on(today, 0, target=status or CaseStatus.SCHEDULED, start=start)
        return len(TODAY_SLOTS)

    def _in_hours(self, moment: dt.datetime) -> dt.datetime:
        """`moment` moved into office hours (OPEN_HOUR to CLOSE_HOUR, office time): a time in
        the night becomes the next morning, as staff would have done it."""
        local = to_local(self.tz, moment)
        if local.hour < OPEN_HOUR:
            local = local.replace(hour=OPEN_HOUR + local.hour % 3)
        elif local.hour >= CLOSE_HOUR:
            local = (local + dt.timedelta(days=1)).replace(hour=OPEN_HOUR + local.hour % 3)
        return at_local(self.tz, local.date(), local.time())


_STEP_ORDER = {s.key: i for i, s in enumerate(STEPS)}


CLEARANCE_COLUMNS = tuple(c.name for c in CaseClearance.__table__.columns)
GLP1_NO_RISK = screen_json({})


def _step_index(key: str) -> int:
    return _STEP_ORDER[key]
