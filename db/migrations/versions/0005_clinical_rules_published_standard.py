"""clinical rules to the published standard: hold table per drug, escort, room times

- hold_rule becomes one row per drug with generic and brand names, stop-before and
  restart-after in hours, "no dose on the day", its source and who confirmed it. Rows no admin
  ever edited are replaced by the revised defaults (DEFAULT_RULES_0005 below, copied so a later
  change of mild.medications does not change this migration); rows an admin edited are kept,
  their hold days carried over as hours, and filled with names and source where the revised
  table has the same drug.
- case_medication keeps the row it was matched to, the hold in hours, the latest allowed last
  dose (a moment, not a day), the last dose the patient reported, who placed an unknown drug
  and why, and for a GLP-1 agonist the risk screen and decision. Drugs of cases not yet in
  procedure are matched again against the revised table; a drug whose name now means two
  rows (aspirin, enoxaparin, heparin) goes back to review. Each such change is an audit row
  ("migration 0005").
- The driver becomes the escort (a responsible adult; 42 CFR 416.52(c)(3)): case columns,
  checklist step keys and the cancellation reason are renamed; old ticks stay readable.
- The office's phone for patients (discharge instructions), the levels and side booked
  (checked at the time-out), the physician's escort exemption, patient in and out of room,
  and on checklist rows the event time (apart from when it was charted), time corrections and
  structured detail.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 11:00:00
"""

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import db.types

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ASRA = (
    "Narouze et al., Interventional spine and pain procedures in patients on antiplatelet and "
    "anticoagulant medications, 2nd ed., Reg Anesth Pain Med 2018;43:225-262 (high-risk "
    "procedures)"
)
ASRA15 = "Narouze et al., Reg Anesth Pain Med 2015;40:182-212 (ASRA 2015 edition)"
GLP1 = (
    "Multi-society guidance on GLP-1 receptor agonists before procedures (ASMBS, ASA, AGA, "
    "ISPCOP, SAGES), 2024; hold timings from the ASA consensus of 2023"
)
SGLT2 = "FDA drug safety label change for SGLT2 inhibitors, March 2020"
SAMBA = "SAMBA consensus on perioperative glycemic management, Anesth Analg 2024"
NSAID = "ASRA 2018, NSAIDs per drug (about five half-lives)"
EAT = "Restart when eating and drinking normally."
NO_HOLD = "Not in ASRA 2018's tables or DOMAIN.md's hold list: no bleeding or fasting relevance"
AGGRENOX = (
    "Contains aspirin for secondary prevention: a shared decision with the prescriber, who "
    "agrees the stop (dipyridamole alone: 48 h)."
)


def _glp1(hold: str) -> str:
    return (
        "Continue by default; screen for risk at intake. Elevated risk: 24 h liquid diet. Held "
        f"only if the anesthesia team decides: {hold}."
    )


# (drug, generic, brands, class, stop h, no dose on the day, restart h, clearance, instruction,
# source): the revised defaults as they stand at this revision.
DEFAULT_RULES_0005 = (
    (
        "warfarin",
        "warfarin",
        "Coumadin; Jantoven",
        "vitamin_k_antagonist",
        120,
        False,
        6,
        True,
        "INR normal on the day.",
        ASRA,
    ),
    (
        "acenocoumarol",
        "acenocoumarol",
        "Sintrom",
        "vitamin_k_antagonist",
        72,
        False,
        24,
        True,
        "INR normal on the day.",
        ASRA,
    ),
    ("apixaban", "apixaban", "Eliquis", "doac", 72, False, 24, True, "", ASRA),
    ("rivaroxaban", "rivaroxaban", "Xarelto", "doac", 72, False, 24, True, "", ASRA),
    ("edoxaban", "edoxaban", "Savaysa; Lixiana", "doac", 72, False, 24, True, "", ASRA),
    (
        "dabigatran",
        "dabigatran",
        "Pradaxa",
        "direct_thrombin_inhibitor",
        120,
        False,
        24,
        True,
        "ASRA 2018: 4-5 days; 6 days (144 h) with impaired kidney function (eGFR below the "
        "practice's limit).",
        ASRA,
    ),
    ("heparin, intravenous", "heparin", "", "heparin", 6, False, 2, True, "", ASRA),
    ("heparin, subcutaneous", "heparin", "", "heparin", 24, False, 6, True, "", ASRA),
    (
        "enoxaparin, prophylactic dose",
        "enoxaparin",
        "Lovenox",
        "lmwh",
        12,
        False,
        24,
        True,
        "Restart 12-24 h: the table keeps 24 h.",
        ASRA,
    ),
    (
        "enoxaparin, therapeutic dose",
        "enoxaparin",
        "Lovenox",
        "lmwh",
        24,
        False,
        24,
        True,
        "Restart 12-24 h: the table keeps 24 h.",
        ASRA,
    ),
    (
        "dalteparin",
        "dalteparin",
        "Fragmin",
        "lmwh",
        24,
        False,
        24,
        True,
        "Therapeutic dose. Restart 12-24 h: the table keeps 24 h.",
        ASRA,
    ),
    (
        "fondaparinux",
        "fondaparinux",
        "Arixtra",
        "indirect_factor_xa",
        None,
        False,
        None,
        True,
        "No default: check the paper's table with the prescriber before use.",
        ASRA,
    ),
    (
        "clopidogrel",
        "clopidogrel",
        "Plavix",
        "p2y12_inhibitor",
        168,
        False,
        24,
        True,
        "Restart 12-24 h (24 h after a loading dose): the table keeps 24 h.",
        ASRA,
    ),
    (
        "prasugrel",
        "prasugrel",
        "Effient",
        "p2y12_inhibitor",
        240,
        False,
        24,
        True,
        "ASRA 2018: 7-10 days: the table keeps 10 days.",
        ASRA,
    ),
    ("ticagrelor", "ticagrelor", "Brilinta", "p2y12_inhibitor", 120, False, 24, True, "", ASRA),
    ("cilostazol", "cilostazol", "Pletal", "pde_inhibitor", 48, False, 24, True, "", ASRA),
    ("dipyridamole", "dipyridamole", "Persantine", "pde_inhibitor", 48, False, 24, True, "", ASRA),
    (
        "aspirin and dipyridamole",
        "aspirin/dipyridamole",
        "Aggrenox",
        "pde_inhibitor",
        None,
        False,
        24,
        True,
        AGGRENOX,
        ASRA,
    ),
    (
        "aspirin, primary prevention",
        "aspirin",
        "Bayer; Ecotrin; Bufferin",
        "aspirin",
        144,
        False,
        24,
        False,
        "",
        ASRA,
    ),
    (
        "aspirin, secondary prevention",
        "aspirin",
        "Bayer; Ecotrin; Bufferin",
        "aspirin",
        None,
        False,
        24,
        True,
        "Shared decision with the prescriber: record the agreed stop.",
        ASRA,
    ),
    (
        "diclofenac",
        "diclofenac",
        "Voltaren; Cataflam; Zipsor",
        "nsaid",
        24,
        False,
        24,
        False,
        "",
        NSAID,
    ),
    ("ketorolac", "ketorolac", "Toradol; Sprix", "nsaid", 24, False, 24, False, "", NSAID),
    ("ibuprofen", "ibuprofen", "Advil; Motrin", "nsaid", 24, False, 24, False, "", NSAID),
    ("etodolac", "etodolac", "Lodine", "nsaid", 48, False, 24, False, "", NSAID),
    ("indomethacin", "indomethacin", "Indocin; Tivorbex", "nsaid", 48, False, 24, False, "", NSAID),
    ("naproxen", "naproxen", "Aleve; Naprosyn; Anaprox", "nsaid", 96, False, 24, False, "", NSAID),
    ("meloxicam", "meloxicam", "Mobic; Vivlodex", "nsaid", 96, False, 24, False, "", NSAID),
    ("nabumetone", "nabumetone", "Relafen", "nsaid", 144, False, 24, False, "", NSAID),
    ("oxaprozin", "oxaprozin", "Daypro", "nsaid", 240, False, 24, False, "", NSAID),
    ("piroxicam", "piroxicam", "Feldene", "nsaid", 240, False, 24, False, "", NSAID),
    ("garlic", "garlic", "", "supplement", 168, False, None, False, "", ASRA15),
    ("ginkgo", "ginkgo", "ginkgo biloba", "supplement", 36, False, None, False, "", ASRA15),
    ("ginseng", "ginseng", "", "supplement", 168, False, None, False, "", ASRA15),
    ("fish oil", "fish oil", "omega-3; Lovaza", "supplement", 168, False, None, False, "", ASRA15),
    ("vitamin e", "vitamin e", "", "supplement", 168, False, None, False, "", ASRA15),
    ("turmeric", "turmeric", "curcumin", "supplement", 168, False, None, False, "", ASRA15),
    (
        "semaglutide, weekly injection",
        "semaglutide",
        "Ozempic; Wegovy",
        "glp1_agonist",
        None,
        False,
        None,
        False,
        _glp1("1 week"),
        GLP1,
    ),
    (
        "semaglutide, daily tablet",
        "semaglutide",
        "Rybelsus",
        "glp1_agonist",
        None,
        False,
        None,
        False,
        _glp1("the day of"),
        GLP1,
    ),
    (
        "liraglutide",
        "liraglutide",
        "Victoza; Saxenda",
        "glp1_agonist",
        None,
        False,
        None,
        False,
        _glp1("the day of"),
        GLP1,
    ),
    (
        "dulaglutide",
        "dulaglutide",
        "Trulicity",
        "glp1_agonist",
        None,
        False,
        None,
        False,
        _glp1("1 week"),
        GLP1,
    ),
    (
        "tirzepatide",
        "tirzepatide",
        "Mounjaro; Zepbound",
        "glp1_agonist",
        None,
        False,
        None,
        False,
        _glp1("1 week"),
        GLP1,
    ),
    (
        "canagliflozin",
        "canagliflozin",
        "Invokana",
        "sglt2_inhibitor",
        72,
        False,
        None,
        False,
        "Risk of ketoacidosis. " + EAT,
        SGLT2,
    ),
    (
        "dapagliflozin",
        "dapagliflozin",
        "Farxiga",
        "sglt2_inhibitor",
        72,
        False,
        None,
        False,
        "Risk of ketoacidosis. " + EAT,
        SGLT2,
    ),
    (
        "empagliflozin",
        "empagliflozin",
        "Jardiance",
        "sglt2_inhibitor",
        72,
        False,
        None,
        False,
        "Risk of ketoacidosis. " + EAT,
        SGLT2,
    ),
    (
        "ertugliflozin",
        "ertugliflozin",
        "Steglatro",
        "sglt2_inhibitor",
        96,
        False,
        None,
        False,
        "Risk of ketoacidosis. " + EAT,
        SGLT2,
    ),
    (
        "metformin",
        "metformin",
        "Glucophage",
        "diabetes",
        None,
        True,
        None,
        False,
        "No dose on the morning of the procedure. " + EAT,
        SAMBA,
    ),
    (
        "glipizide",
        "glipizide",
        "Glucotrol",
        "diabetes",
        None,
        True,
        None,
        False,
        "Sulfonylurea: no dose on the morning of the procedure. " + EAT,
        SAMBA,
    ),
    (
        "glimepiride",
        "glimepiride",
        "Amaryl",
        "diabetes",
        None,
        True,
        None,
        False,
        "Sulfonylurea: no dose on the morning of the procedure. " + EAT,
        SAMBA,
    ),
    (
        "sitagliptin",
        "sitagliptin",
        "Januvia",
        "diabetes",
        None,
        True,
        None,
        False,
        "No dose on the morning of the procedure. " + EAT,
        SAMBA,
    ),
    (
        "insulin glargine",
        "insulin glargine",
        "Lantus; Basaglar; Toujeo",
        "diabetes",
        None,
        False,
        None,
        False,
        "Basal insulin: reduced dose the evening before, as the practice's policy says.",
        SAMBA,
    ),
    (
        "insulin",
        "insulin",
        "",
        "diabetes",
        None,
        False,
        None,
        False,
        "Dose adjusted the evening before and the day of, as the practice's policy says.",
        SAMBA,
    ),
    (
        "lisinopril",
        "lisinopril",
        "Zestril; Prinivil",
        "other",
        None,
        False,
        None,
        False,
        "",
        NO_HOLD,
    ),
    ("amlodipine", "amlodipine", "Norvasc", "other", None, False, None, False, "", NO_HOLD),
    ("atorvastatin", "atorvastatin", "Lipitor", "other", None, False, None, False, "", NO_HOLD),
    ("levothyroxine", "levothyroxine", "Synthroid", "other", None, False, None, False, "", NO_HOLD),
    ("gabapentin", "gabapentin", "Neurontin", "other", None, False, None, False, "", NO_HOLD),
    ("acetaminophen", "acetaminophen", "Tylenol", "other", None, False, None, False, "", NO_HOLD),
    ("omeprazole", "omeprazole", "Prilosec", "other", None, False, None, False, "", NO_HOLD),
)
RULE_FIELDS = (
    "drug",
    "generic",
    "brands",
    "med_class",
    "stop_before_hours",
    "skip_on_day",
    "restart_after_hours",
    "needs_clearance",
    "instruction",
    "source",
)
# Cases whose drugs are matched again: nothing has been given or done under the old rule yet.
REMATCH_STATUSES = ("requested", "intake", "scheduled", "checked_in")
PRE_REVISION_SOURCE = "Practice entry before the 2026-12 revision: check it against the source."
SPLIT_BY_USE = frozenset({"aspirin", "enoxaparin", "heparin", "semaglutide"})
SPLIT_SOURCE = (
    "Practice entry before the 2026-12 revision, replaced by one row per use: out of use."
)


def upgrade() -> None:
    with op.batch_alter_table("hold_rule") as b:
        b.add_column(sa.Column("generic", sa.String(length=80), nullable=True))
        b.add_column(sa.Column("brands", sa.Text(), nullable=False, server_default=""))
        b.add_column(sa.Column("stop_before_hours", sa.Integer(), nullable=True))
        b.add_column(
            sa.Column("skip_on_day", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        b.add_column(sa.Column("restart_after_hours", sa.Integer(), nullable=True))
        b.add_column(sa.Column("source", sa.Text(), nullable=False, server_default=""))
        b.add_column(sa.Column("confirmed_by", sa.String(length=120), nullable=True))
        b.add_column(sa.Column("confirmed_on", sa.Date(), nullable=True))

    with op.batch_alter_table("case_medication") as b:
        b.add_column(sa.Column("name_given", sa.String(length=120), nullable=True))
        b.add_column(sa.Column("hold_rule", sa.String(length=80), nullable=True))
        b.add_column(sa.Column("stop_before_hours", sa.Integer(), nullable=True))
        b.add_column(
            sa.Column("skip_on_day", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        b.add_column(sa.Column("restart_after_hours", sa.Integer(), nullable=True))
        b.add_column(sa.Column("last_dose_by", db.types.UTCDateTime(timezone=True)))
        b.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("reviewed_at", db.types.UTCDateTime(timezone=True)))
        b.add_column(sa.Column("review_reason", sa.Text(), nullable=True))
        b.add_column(sa.Column("last_dose_taken_at", db.types.UTCDateTime(timezone=True)))
        b.add_column(sa.Column("last_dose_reported_at", db.types.UTCDateTime(timezone=True)))
        b.add_column(sa.Column("last_dose_reported_by_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("last_dose_reported_via", sa.String(length=16), nullable=True))
        b.add_column(sa.Column("glp1_screen", sa.Text(), nullable=True))
        b.add_column(sa.Column("glp1_decision", sa.String(length=24), nullable=True))
        b.add_column(sa.Column("glp1_decided_by", sa.String(length=120), nullable=True))
        b.add_column(sa.Column("glp1_recorded_at", db.types.UTCDateTime(timezone=True)))
        b.add_column(sa.Column("glp1_recorded_by_id", sa.Integer(), nullable=True))
        b.create_foreign_key(
            b.f("fk_case_medication_glp1_recorded_by_id_staff_user"),
            "staff_user",
            ["glp1_recorded_by_id"],
            ["id"],
        )
        b.create_foreign_key(
            b.f("fk_case_medication_reviewed_by_id_staff_user"),
            "staff_user",
            ["reviewed_by_id"],
            ["id"],
        )
        b.create_foreign_key(
            b.f("fk_case_medication_last_dose_reported_by_id_staff_user"),
            "staff_user",
            ["last_dose_reported_by_id"],
            ["id"],
        )

    with op.batch_alter_table("mild_case") as b:
        for old, new in (
            ("driver_name", "escort_name"),
            ("driver_relationship", "escort_relationship"),
            ("driver_phone", "escort_phone"),
        ):
            b.alter_column(old, new_column_name=new)
        b.add_column(sa.Column("escort_exempted_by", sa.String(length=120), nullable=True))
        b.add_column(sa.Column("escort_exempt_reason", sa.Text(), nullable=True))
        b.add_column(sa.Column("escort_exempt_at", db.types.UTCDateTime(timezone=True)))
        b.add_column(sa.Column("escort_exempt_recorded_by_id", sa.Integer(), nullable=True))
        b.add_column(sa.Column("planned_levels", sa.String(length=40), nullable=True))
        b.add_column(sa.Column("planned_side", sa.String(length=16), nullable=True))
        b.add_column(sa.Column("patient_in_room_at", db.types.UTCDateTime(timezone=True)))
        b.add_column(sa.Column("patient_out_of_room_at", db.types.UTCDateTime(timezone=True)))
        b.create_foreign_key(
            b.f("fk_mild_case_escort_exempt_recorded_by_id_staff_user"),
            "staff_user",
            ["escort_exempt_recorded_by_id"],
            ["id"],
        )

    with op.batch_alter_table("office") as b:
        b.add_column(sa.Column("phone", sa.String(length=40), nullable=True))

    with op.batch_alter_table("checklist_entry") as b:
        b.add_column(sa.Column("event_at", db.types.UTCDateTime(timezone=True)))
        b.add_column(
            sa.Column("corrects_time", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        b.add_column(sa.Column("detail", sa.Text(), nullable=True))

    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE checklist_entry SET step = 'escort_confirmed' WHERE step = 'driver_confirmed'"
        )
    )
    conn.execute(
        sa.text("UPDATE checklist_entry SET step = 'escort_on_file' WHERE step = 'driver_on_file'")
    )
    conn.execute(
        sa.text(
            "UPDATE mild_case SET cancellation_reason = 'no_escort' "
            "WHERE cancellation_reason = 'no_driver'"
        )
    )
    _revise_hold_table(conn)
    _rematch_medications(conn)

    with op.batch_alter_table("hold_rule") as b:
        b.alter_column("generic", existing_type=sa.String(length=80), nullable=False)
        b.drop_column("hold_days")
    with op.batch_alter_table("case_medication") as b:
        b.drop_column("hold_days")
        b.drop_column("last_dose_on")


def _revise_hold_table(conn) -> None:
    now = dt.datetime.now(dt.UTC)
    edited = {
        r.drug: r
        for r in conn.execute(
            sa.text("SELECT drug, hold_days FROM hold_rule WHERE updated_by_id IS NOT NULL")
        )
    }
    conn.execute(sa.text("DELETE FROM hold_rule WHERE updated_by_id IS NULL"))
    table = sa.table(
        "hold_rule",
        *(sa.column(f) for f in RULE_FIELDS),
        sa.column("active", sa.Boolean),
        sa.column("updated_at", db.types.UTCDateTime()),
    )
    fresh = []
    for values in DEFAULT_RULES_0005:
        row = dict(zip(RULE_FIELDS, values, strict=True))
        if row["drug"] in edited:
            # The practice's own hold is kept (as hours); the revision adds names and source.
            days = edited[row["drug"]].hold_days
            conn.execute(
                sa.text(
                    "UPDATE hold_rule SET generic = :generic, brands = :brands, "
                    "stop_before_hours = :stop, skip_on_day = :skip, "
                    "restart_after_hours = :restart, source = :source WHERE drug = :drug"
                ),
                {
                    "generic": row["generic"],
                    "brands": row["brands"],
                    "stop": None if days is None else days * 24,
                    "skip": row["skip_on_day"],
                    "restart": row["restart_after_hours"],
                    "source": row["source"],
                    "drug": row["drug"],
                },
            )
        else:
            fresh.append({**row, "active": True, "updated_at": now})
    if fresh:
        op.bulk_insert(table, fresh)
    known = {values[0] for values in DEFAULT_RULES_0005}
    for drug, r in edited.items():
        if drug not in known:
            # A drug the revision splits by use (aspirin, enoxaparin, heparin, semaglutide) is
            # now several rows: the practice's old single row would read two ways, so it stays
            # as history, out of use.
            split = drug in SPLIT_BY_USE
            conn.execute(
                sa.text(
                    "UPDATE hold_rule SET generic = drug, stop_before_hours = :stop, "
                    "source = :source, active = :active WHERE drug = :drug"
                ),
                {
                    "stop": None if r.hold_days is None else r.hold_days * 24,
                    "source": SPLIT_SOURCE if split else PRE_REVISION_SOURCE,
                    "active": not split,
                    "drug": drug,
                },
            )


def _normalize(name: str) -> str:
    return " ".join(name.lower().split())


def _matches(name: str, rules: list) -> list:
    """The rows a drug name means (mild.medications.matching_rules as it stood here)."""
    key = _normalize(name)
    best: dict[str, int] = {}
    for rule in rules:
        names = {_normalize(n) for n in (rule.drug, rule.generic, *rule.brands.split(";")) if n}
        for known in names:
            if key == known or key.startswith(known + " ") or key.startswith(known + ","):
                best[rule.drug] = max(best.get(rule.drug, 0), len(known))
    if not best:
        return []
    longest = max(best.values())
    return [r for r in rules if best.get(r.drug) == longest]


def _rematch_medications(conn) -> None:
    rules = list(
        conn.execute(
            sa.text(
                "SELECT drug, generic, brands, med_class, stop_before_hours, skip_on_day, "
                "restart_after_hours, needs_clearance FROM hold_rule WHERE active"
            )
        )
    )
    meds = conn.execute(
        sa.text(
            "SELECT m.id, m.case_id, m.drug, m.med_class, m.hold_days, m.needs_review, "
            "c.status, c.scheduled_start, c.office_id FROM case_medication m "
            "JOIN mild_case c ON c.id = m.case_id"
        )
    ).all()
    now = dt.datetime.now(dt.UTC)
    audit = sa.table(
        "audit_event",
        sa.column("at", db.types.UTCDateTime()),
        sa.column("actor_id", sa.Integer),
        sa.column("actor_name", sa.String),
        sa.column("action", sa.String),
        sa.column("entity", sa.String),
        sa.column("entity_id", sa.Integer),
        sa.column("office_id", sa.Integer),
        sa.column("detail", sa.Text),
    )
    audits = []
    to_review: set[int] = set()
    for m in meds:
        start = m.scheduled_start
        if isinstance(start, str):  # SQLite hands a raw string to a textual query
            start = dt.datetime.fromisoformat(start)
        if start is not None and start.tzinfo is None:
            start = start.replace(tzinfo=dt.UTC)
        values = {"name_given": m.drug, "id": m.id}
        found = _matches(m.drug, rules) if m.status in REMATCH_STATUSES else []
        if len(found) == 1:
            r = found[0]
            values |= {
                "drug": r.drug,
                "hold_rule": r.drug,
                "med_class": r.med_class,
                "stop": r.stop_before_hours,
                "skip": bool(r.skip_on_day),
                "restart": r.restart_after_hours,
                "needs_review": False,
                "needs_clearance": bool(r.needs_clearance),
            }
        elif len(found) > 1:
            values |= {
                "drug": m.drug,
                "hold_rule": None,
                "med_class": "unknown",
                "stop": None,
                "skip": False,
                "restart": None,
                "needs_review": True,
                "needs_clearance": False,
            }
        else:  # history, or a drug the table never knew: keep what it was, hours for days
            values |= {
                "drug": m.drug,
                "hold_rule": None,
                "med_class": m.med_class,
                "stop": None if m.hold_days is None else m.hold_days * 24,
                "skip": False,
                "restart": None,
                "needs_review": bool(m.needs_review),
                "needs_clearance": None,
            }
        values["last_dose_by"] = (
            start - dt.timedelta(hours=values["stop"])
            if start is not None and values["stop"] is not None
            else None
        )
        old_stop = None if m.hold_days is None else m.hold_days * 24
        open_case = m.status in REMATCH_STATUSES
        changed = open_case and (
            values["drug"] != m.drug
            or values["med_class"] != m.med_class
            or values["needs_review"] != bool(m.needs_review)
            or values["stop"] != old_stop
        )
        # The patient was told the old stop: a new one must be told again.
        values["reset"] = changed and values["stop"] != old_stop
        if changed or (open_case and values["med_class"] == "glp1_agonist"):
            to_review.add(m.case_id)  # a GLP-1 now needs its risk screen and decision
        conn.execute(
            sa.text(
                "UPDATE case_medication SET name_given = :name_given, drug = :drug, "
                "hold_rule = :hold_rule, med_class = :med_class, stop_before_hours = :stop, "
                "skip_on_day = :skip, restart_after_hours = :restart, "
                "needs_review = :needs_review, "
                "needs_clearance = COALESCE(:needs_clearance, needs_clearance), "
                "hold_confirmed_at = CASE WHEN :reset THEN NULL ELSE hold_confirmed_at END, "
                "hold_confirmed_by_id = CASE WHEN :reset THEN NULL "
                "ELSE hold_confirmed_by_id END, "
                "last_dose_by = :last_dose_by WHERE id = :id"
            ).bindparams(sa.bindparam("last_dose_by", type_=db.types.UTCDateTime())),
            values,
        )
        if changed:
            audits.append(
                {
                    "at": now,
                    "actor_id": None,
                    "actor_name": "migration 0005",
                    "action": "medication.reclassed",
                    "entity": "case",
                    "entity_id": m.case_id,
                    "office_id": m.office_id,
                    "detail": json.dumps(
                        {
                            "medication": m.id,
                            "from": {
                                "drug": m.drug,
                                "class": m.med_class,
                                "hold_days": m.hold_days,
                            },
                            "to": {
                                "drug": values["drug"],
                                "class": values["med_class"],
                                "stop_before_hours": values["stop"],
                                "needs_review": values["needs_review"],
                            },
                            "why": "hold table revised to one row per drug (2026-12)",
                        }
                    ),
                }
            )
    if audits:
        op.bulk_insert(audit, audits)
    # "Confirmed for the day" always means ready: a drug re-classed (or back under review), or
    # a GLP-1 agonist now needing its decision, withdraws the confirmation (audited).
    withdrawn = []
    for case_id in sorted(to_review):
        row = conn.execute(
            sa.text("SELECT office_id FROM mild_case WHERE id = :id AND confirmed_at IS NOT NULL"),
            {"id": case_id},
        ).first()
        if row is None:
            continue
        conn.execute(
            sa.text(
                "UPDATE mild_case SET confirmed_at = NULL, confirmed_by_id = NULL WHERE id = :id"
            ),
            {"id": case_id},
        )
        withdrawn.append(
            {
                "at": now,
                "actor_id": None,
                "actor_name": "migration 0005",
                "action": "case.confirmation_withdrawn",
                "entity": "case",
                "entity_id": case_id,
                "office_id": row.office_id,
                "detail": json.dumps({"why": "medication holds revised (2026-12)"}),
            }
        )
    if withdrawn:
        op.bulk_insert(audit, withdrawn)


def downgrade() -> None:
    """Back to 0004's shape: hours become whole days again (rounded up), the escort the
    driver; what 0004 had no column for (brand names, reported last doses, exemptions, event
    times) is dropped. A backup taken before the upgrade is the faithful way back."""
    conn = op.get_bind()
    with op.batch_alter_table("hold_rule") as b:
        b.add_column(sa.Column("hold_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("case_medication") as b:
        b.add_column(sa.Column("hold_days", sa.Integer(), nullable=True))
        b.add_column(sa.Column("last_dose_on", sa.Date(), nullable=True))
    for table in ("hold_rule", "case_medication"):
        conn.execute(
            sa.text(
                f"UPDATE {table} SET hold_days = (stop_before_hours + 23) / 24 "
                "WHERE stop_before_hours IS NOT NULL"
            )
        )
    for m in conn.execute(
        sa.text("SELECT id, last_dose_by FROM case_medication WHERE last_dose_by IS NOT NULL")
    ).all():
        moment = m.last_dose_by
        if isinstance(moment, str):
            moment = dt.datetime.fromisoformat(moment)
        conn.execute(
            sa.text("UPDATE case_medication SET last_dose_on = :day WHERE id = :id"),
            {"day": moment.date(), "id": m.id},
        )
    conn.execute(
        sa.text(
            "UPDATE checklist_entry SET step = 'driver_confirmed' WHERE step = 'escort_confirmed'"
        )
    )
    conn.execute(
        sa.text("UPDATE checklist_entry SET step = 'driver_on_file' WHERE step = 'escort_on_file'")
    )
    conn.execute(
        sa.text(
            "UPDATE mild_case SET cancellation_reason = 'no_driver' "
            "WHERE cancellation_reason = 'no_escort'"
        )
    )
    with op.batch_alter_table("checklist_entry") as b:
        for column in ("detail", "corrects_time", "event_at"):
            b.drop_column(column)
    with op.batch_alter_table("office") as b:
        b.drop_column("phone")
    with op.batch_alter_table("mild_case") as b:
        b.drop_constraint(
            b.f("fk_mild_case_escort_exempt_recorded_by_id_staff_user"), type_="foreignkey"
        )
        for column in (
            "patient_out_of_room_at",
            "patient_in_room_at",
            "escort_exempt_recorded_by_id",
            "escort_exempt_at",
            "escort_exempt_reason",
            "escort_exempted_by",
            "planned_side",
            "planned_levels",
        ):
            b.drop_column(column)
        for old, new in (
            ("driver_name", "escort_name"),
            ("driver_relationship", "escort_relationship"),
            ("driver_phone", "escort_phone"),
        ):
            b.alter_column(new, new_column_name=old)
    with op.batch_alter_table("case_medication") as b:
        b.drop_constraint(
            b.f("fk_case_medication_last_dose_reported_by_id_staff_user"), type_="foreignkey"
        )
        b.drop_constraint(b.f("fk_case_medication_reviewed_by_id_staff_user"), type_="foreignkey")
        b.drop_constraint(
            b.f("fk_case_medication_glp1_recorded_by_id_staff_user"), type_="foreignkey"
        )
        for column in (
            "glp1_recorded_by_id",
            "glp1_recorded_at",
            "glp1_decided_by",
            "glp1_decision",
            "glp1_screen",
            "last_dose_reported_via",
            "last_dose_reported_by_id",
            "last_dose_reported_at",
            "last_dose_taken_at",
            "review_reason",
            "reviewed_at",
            "reviewed_by_id",
            "last_dose_by",
            "restart_after_hours",
            "skip_on_day",
            "stop_before_hours",
            "hold_rule",
            "name_given",
        ):
            b.drop_column(column)
    with op.batch_alter_table("hold_rule") as b:
        for column in (
            "confirmed_on",
            "confirmed_by",
            "source",
            "restart_after_hours",
            "skip_on_day",
            "stop_before_hours",
            "brands",
            "generic",
        ):
            b.drop_column(column)
