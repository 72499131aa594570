"""The day-of checklist under hostile input: ticks with values (levels treated, fluoroscopy,
glucose, the discharge score, choices), notes, the discharge score items, the escort met in
person and un-tick reasons. Each call is refused with a message from mild/messages.py, or the
tick is stored and reads back as typed (trimmed; a number in its plain form)."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from db.models import Case, ChecklistEntry
from db.session import read_session
from mild.checklist import STEP_BY_KEY, ValueKind
from mild.discharge import DISCHARGE_COMPONENTS, DischargeScale
from mild.intake import Condition
from mild.staff import Role
from services import checklist, event_times
from tests.builders import add_condition, make_case, make_office, make_user
from tests.property.hostile import (
    attempt,
    hostile_number,
    hostile_text,
    mostly_valid,
    trimmed,
)

# A discharge score is refused here (it has its own form: every one of these is refused).
VALUE_STEPS = (
    "levels_treated",
    "fluoroscopy_recorded",
    "glucose_checked",
    "discharge_score",
    "site_marked",
)
numbers_as_typed = st.one_of(
    st.integers(-5, 1200).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(("9", " 10 ", "9.0", "1e1", "٩", "1_0", "0x9", "nan", "-inf", "9 OR 1=1")),
)
values = hostile_text(st.one_of(numbers_as_typed, st.sampled_from(("L4-L5", "L3-L4, L4-L5"))))
free_text = hostile_text(st.text(max_size=60))
plain_words = st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
plain_phones = st.from_regex(r"\+?[0-9]{3}[ ().-]?[0-9]{4,9}", fullmatch=True)


def _nurse():
    office = make_office("AA")
    return office, make_user("nina", Role.NURSE, [office])


def _entries(case_id: int) -> list[ChecklistEntry]:
    with read_session() as s:
        rows = s.scalars(
            select(ChecklistEntry)
            .where(ChecklistEntry.case_id == case_id)
            .order_by(ChecklistEntry.id)
        ).all()
        for r in rows:
            s.expunge(r)
        return list(rows)


def _stored_number(text: str) -> str:
    number = float(text.strip())
    return str(int(number)) if number == int(number) else str(number)


def tick(step, value, note=""):
    return {"step": step, "value": value, "note": note}


def test_a_tick_refuses_or_stores_hostile_values_and_notes(db_url, examples):
    office, nina = _nurse()

    @examples.settings(sqlite=150, postgresql=30)
    @given(
        form=mostly_valid(
            {
                "step": st.sampled_from(VALUE_STEPS),
                "value": st.one_of(values, numbers_as_typed),
                "note": st.sampled_from(("", "ok", " checked twice ")),
            },
            {
                "step": st.one_of(
                    st.sampled_from(("anesthesia_type", "imaging_modality", "consent_signed")),
                    hostile_text(),
                ),
                "value": st.one_of(st.none(), values),
                "note": free_text,
            },
        )
    )
    @example(tick("levels_treated", "<script>alert(1)</script>"))
    @example(tick("levels_treated", "L4-L5 " * 20))
    @example(tick("levels_treated", "x" * 500))
    @example(tick("levels_treated", "L4\x00L5"))
    @example(tick("fluoroscopy_recorded", "[a](javascript:alert(1))", "**x**"))
    @example(tick("fluoroscopy_recorded", "\ud800"))
    @example(tick("glucose_checked", "nan"))
    @example(tick("glucose_checked", "1e3"))
    @example(tick("discharge_score", "inf"))
    @example(tick("discharge_score", "9", "a\x00"))
    @example(tick("consent_signed", None, "x" * 100_000))
    @example(tick("'; DROP TABLE mild_case; --", "1 OR 1=1"))
    def check(form) -> None:
        examples.tick()
        step, value, note = form.values()
        case_id = make_case(office)
        if step == "glucose_checked":
            add_condition(case_id, Condition.DIABETES)
        accepted, _ = attempt(
            lambda: checklist.complete_step(case_id, step, actor=nina, value=value, note=note)
        )
        entries = _entries(case_id)
        if not accepted:
            assert entries == []
            return
        (entry,) = entries
        kind = STEP_BY_KEY[step].value_kind
        if kind == ValueKind.NONE:
            expected = None
        elif kind == ValueKind.NUMBER:
            expected = _stored_number(value)
        else:
            expected = value.strip()
        assert (entry.step, entry.value, entry.note) == (step, expected, trimmed(note))
        if step in ("levels_treated", "anesthesia_type", "imaging_modality"):
            with read_session() as s:
                assert getattr(s.get(Case, case_id), step) == expected

    check()


def test_the_discharge_score_refuses_or_records_hostile_items(db_url, examples):
    office, nina = _nurse()
    keys = sorted({c.key for parts in DISCHARGE_COMPONENTS.values() for c in parts})
    item = st.sampled_from((0, 1, 2))

    @examples.settings(sqlite=80, postgresql=15)
    @given(
        scale=st.sampled_from((*DischargeScale, None)),
        components=mostly_valid(
            {k: item for k in keys},
            {k: hostile_number() for k in keys} | {"extra": hostile_number()},
        ),
    )
    @example(DischargeScale.ALDRETE, {k: True for k in keys})
    @example(DischargeScale.ALDRETE, {k: 2.0 for k in keys})
    @example(DischargeScale.PADSS, {k: math.nan for k in keys})
    @example(DischargeScale.PADSS, {k: "2" for k in keys})
    def check(scale, components) -> None:
        examples.tick()
        case_id = make_case(office)
        if scale is not None:  # the screen sends the items of the scale chosen
            parts = {c.key for c in DISCHARGE_COMPONENTS[scale]}
            components = {k: v for k, v in components.items() if k in parts or k == "extra"}
        accepted, _ = attempt(
            lambda: checklist.record_discharge_score(case_id, scale, components, actor=nina)
        )
        entries = _entries(case_id)
        if not accepted:
            assert entries == []
            return
        assert "extra" not in components
        points = [components[c.key] for c in DISCHARGE_COMPONENTS[scale]]
        assert all(type(p) is int and 0 <= p <= 2 for p in points)
        (entry,) = entries
        assert (entry.step, entry.value) == ("discharge_score", str(sum(points)))

    check()


def test_confirming_the_escort_refuses_or_stores_hostile_text(db_url, examples):
    office, nina = _nurse()

    @examples.settings(sqlite=80, postgresql=25)
    @given(
        form=mostly_valid(
            {"name": plain_words, "relationship": plain_words, "phone": plain_phones},
            {
                "name": st.one_of(st.none(), free_text),
                "relationship": st.one_of(st.none(), free_text),
                "phone": st.one_of(st.none(), hostile_text(plain_phones)),
            },
        )
    )
    @example({"name": "<img src=x onerror=alert(1)>", "relationship": "son", "phone": "5550100"})
    @example({"name": "Ann\x00", "relationship": "son", "phone": "5550100"})
    @example({"name": "Ann", "relationship": "\ud800", "phone": "5550100"})
    @example({"name": "x" * 100_000, "relationship": "son", "phone": "5550100"})
    def check(form) -> None:
        examples.tick()
        name, relationship, phone = form.values()
        case_id = make_case(office)
        accepted, _ = attempt(
            lambda: checklist.confirm_escort(case_id, name, relationship, phone, actor=nina)
        )
        entries = _entries(case_id)
        if not accepted:
            assert entries == []
            return
        (entry,) = entries
        assert entry.value == f"{name.strip()}, {relationship.strip()}, {phone.strip()}"

    check()


def test_un_ticking_refuses_or_stores_hostile_reasons(db_url, examples):
    office, nina = _nurse()

    @examples.settings(sqlite=80, postgresql=25)
    @given(
        reason=free_text,
        step=st.sampled_from(("consent_signed",) * 4 + ("checked_in", "iv_placed", "Consent")),
    )
    @example("<script>alert(1)</script>", "consent_signed")
    @example("wrong patient\x00", "consent_signed")
    @example("\udc80", "consent_signed")
    @example("x" * 100_000, "consent_signed")
    @example("   ", "consent_signed")
    @example("ok", "'; DROP TABLE mild_case; --")
    def check(reason: str, step: str) -> None:
        examples.tick()
        case_id = make_case(office)
        version = checklist.complete_step(case_id, "consent_signed", actor=nina)
        accepted, _ = attempt(
            lambda: checklist.undo_step(case_id, step, reason, actor=nina, expected_version=version)
        )
        entries = _entries(case_id)
        if not accepted:
            assert len(entries) == 1
            return
        undone = entries[-1]
        assert (undone.step, undone.undone, undone.reason) == (step, True, reason.strip())

    check()


def test_the_escort_exemption_refuses_or_stores_hostile_text(db_url, examples):
    office, nina = _nurse()

    @examples.settings(sqlite=60, postgresql=15)
    @given(
        form=mostly_valid(
            {"physician": plain_words, "reason": plain_words},
            {
                "physician": st.one_of(st.none(), free_text),
                "reason": st.one_of(st.none(), free_text),
            },
        )
    )
    @example({"physician": "Dr. <b>X</b>", "reason": "'; DROP TABLE mild_case; --"})
    @example({"physician": "Dr\x00", "reason": "ok"})
    @example({"physician": "Dr. A", "reason": "x" * 100_000})
    def check(form) -> None:
        examples.tick()
        physician, reason = form.values()
        case_id = make_case(office)
        accepted, _ = attempt(
            lambda: checklist.exempt_from_escort(case_id, physician, reason, actor=nina)
        )
        with read_session() as s:
            case = s.get(Case, case_id)
            stored = (case.escort_exempted_by, case.escort_exempt_reason)
        if not accepted:
            assert stored == (None, None)
            return
        assert stored == (physician.strip(), reason.strip())

    check()


def test_correcting_an_event_time_refuses_or_stores_hostile_input(db_url, examples):
    office, nina = _nurse()
    moments = st.datetimes(
        min_value=dt.datetime(1900, 1, 1),
        max_value=dt.datetime(2200, 1, 1),
        timezones=st.just(dt.UTC),
    )

    @examples.settings(sqlite=60, postgresql=15)
    @given(
        at=st.one_of(st.none(), moments, st.datetimes()),
        reason=st.one_of(st.none(), free_text),
        step=st.sampled_from(("checked_in", "checked_in", "consent_signed", "time_out", "x")),
    )
    @example(None, "ok", "checked_in")
    @example(dt.datetime(2200, 1, 1, tzinfo=dt.UTC), "typo", "checked_in")
    @example(dt.datetime.now(), "naive", "checked_in")
    def check(at, reason, step) -> None:
        examples.tick()
        case_id = make_case(office)
        checklist.complete_step(case_id, "checked_in", actor=nina)
        accepted, _ = attempt(
            lambda: event_times.correct_event_time(case_id, step, at, reason, actor=nina)
        )
        entries = _entries(case_id)
        if not accepted:
            assert len(entries) == 1
            return
        fix = entries[-1]
        assert (fix.step, fix.corrects_time, fix.reason) == (step, True, reason.strip())

    check()
