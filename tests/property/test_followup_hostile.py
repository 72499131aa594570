"""Post-op follow-up under hostile input: the next-day call (pain, temperature, return to work,
notes, red flags), outcome visits (pain, ODI answers, tolerances), call-attempt notes,
resolving an escalation and closing a follow-up as not reached. Each call is refused with a
message from mild/messages.py, or stored and read back as given (notes trimmed)."""

from __future__ import annotations

import datetime as dt
import json
import math

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select, update

from db.models import AuditEvent, FollowUp
from db.session import read_session, transaction
from mild.followup import CallAnswers, FollowUpKind, Incision, RedFlag, parse_red_flags
from mild.scores import ODI_SECTIONS, VisitScores
from mild.staff import Role
from services import followup
from tests.builders import make_discharged_case, make_office, make_user
from tests.property.hostile import (
    attempt,
    hostile_date,
    hostile_number,
    hostile_text,
    mostly_valid,
    trimmed,
)

TODAY = dt.date.today()
free_text = hostile_text(st.text(max_size=60))
yes_no = st.sampled_from((True, False))


def _nurse():
    office = make_office("AA", timezone="UTC")
    return office, make_user("nina", Role.NURSE, [office])


def _discharged(office: int) -> dict:
    """A patient discharged yesterday at the office, with every follow-up booked."""
    _, ids = make_discharged_case(office, dt.datetime.now(dt.UTC) - dt.timedelta(days=1))
    return ids


def _row(follow_up_id: int) -> FollowUp:
    with read_session() as s:
        row = s.get(FollowUp, follow_up_id)
        s.expunge(row)
        return row


def call(**changes) -> dict:
    """A call form as @example gives it: a quiet call, some answers replaced."""
    answers = {
        "nprs": 3,
        "swelling": False,
        "bruising": False,
        "incision": Incision.DRY,
        "meds_as_prescribed": True,
        "returned_to_work_on": None,
        "temperature_c": None,
        "reported_flags": (),
        "notes": "",
    }
    return {**answers, **changes}


def test_the_next_day_call_refuses_or_stores_hostile_answers(db_url, examples):
    office, nina = _nurse()

    @examples.settings(sqlite=130, postgresql=30)
    @given(
        form=mostly_valid(
            {
                "nprs": st.integers(0, 10),
                "swelling": yes_no,
                "bruising": yes_no,
                "incision": st.sampled_from(Incision),
                "meds_as_prescribed": yes_no,
                "returned_to_work_on": st.one_of(st.none(), st.just(TODAY)),
                "temperature_c": st.one_of(st.none(), st.floats(34, 43)),
                "reported_flags": st.lists(st.sampled_from(RedFlag), max_size=3, unique=True),
                "notes": st.one_of(st.just(""), st.text(max_size=40)),
            },
            {
                "nprs": hostile_number(),
                "swelling": st.none(),
                "bruising": st.none(),
                "incision": st.none(),
                "meds_as_prescribed": st.none(),
                "returned_to_work_on": hostile_date(near=TODAY),
                "temperature_c": hostile_number(st.floats(30, 45)),
                "notes": free_text,
            },
        )
    )
    @example(call(notes="<script>window.__xss=1</script>"))
    @example(call(notes="fine\x00"))
    @example(call(notes="\ud800"))
    @example(call(notes="x" * 100_000))
    @example(call(notes="![i](http://203.0.113.7/y.png) [a](javascript:alert(1))"))
    @example(call(temperature_c=math.nan))
    @example(call(temperature_c=math.inf))
    @example(call(temperature_c="38.5"))
    @example(call(temperature_c=True))
    @example(call(nprs=True))
    @example(call(nprs=10**30))
    @example(call(returned_to_work_on=dt.date.max))
    @example(call(returned_to_work_on=dt.date.min))
    def check(form) -> None:
        examples.tick()
        ids = _discharged(office)
        answers = CallAnswers(**{**form, "reported_flags": tuple(form["reported_flags"])})
        call_id = ids[FollowUpKind.NEXT_DAY_CALL]
        accepted, result = attempt(
            lambda: followup.record_followup_call(call_id, answers, actor=nina)
        )
        row = _row(call_id)
        if not accepted:
            assert row.completed_at is None and row.nprs is None and row.notes is None
            return
        assert type(answers.nprs) is int
        assert (row.nprs, row.temperature_c, row.returned_to_work_on, row.notes) == (
            answers.nprs,
            answers.temperature_c,
            answers.returned_to_work_on,
            trimmed(answers.notes),
        )
        assert set(answers.reported_flags) <= set(parse_red_flags(row.red_flags))
        assert (row.escalated_at is not None) == bool(result.red_flags)

    check()


def test_an_outcome_visit_refuses_or_stores_hostile_scores(db_url, examples):
    office, nina = _nurse()
    answer = st.sampled_from((0, 1, 2, 3, 4, 5, None))

    @examples.settings(sqlite=100, postgresql=20)
    @given(
        form=mostly_valid(
            {
                "nprs": st.integers(0, 10),
                "walk": st.one_of(st.none(), st.integers(0, 720)),
                "stand": st.one_of(st.none(), st.integers(0, 720)),
                **{s: answer for s in ODI_SECTIONS},
            },
            {
                "nprs": hostile_number(),
                "walk": hostile_number(),
                "stand": hostile_number(),
                **{s: hostile_number() for s in ODI_SECTIONS},
                "'; DROP TABLE follow_up; --": hostile_number(),
            },
        ),
        kind=st.sampled_from(
            (FollowUpKind.WEEKS_2, FollowUpKind.MONTHS_12, FollowUpKind.NEXT_DAY_CALL)
        ),
    )
    @example(
        {"nprs": True, "walk": 10, "stand": 10} | {s: 1 for s in ODI_SECTIONS}, FollowUpKind.WEEKS_2
    )
    @example(
        {"nprs": 2, "walk": math.nan, "stand": "10"} | {s: 1 for s in ODI_SECTIONS},
        FollowUpKind.WEEKS_2,
    )
    @example(
        {"nprs": 2, "walk": 10, "stand": 10} | {s: 5.0 for s in ODI_SECTIONS}, FollowUpKind.MONTHS_3
    )
    def check(form, kind) -> None:
        examples.tick()
        ids = _discharged(office)
        nprs, walk, stand = form.pop("nprs"), form.pop("walk"), form.pop("stand")
        scores = VisitScores(nprs=nprs, odi_answers=form, walk_minutes=walk, stand_minutes=stand)
        accepted, result = attempt(
            lambda: followup.record_outcome_visit(ids[kind], scores, actor=nina)
        )
        row = _row(ids[kind])
        if not accepted:
            assert row.completed_at is None and row.odi is None
            return
        answered = [v for v in form.values() if v is not None]
        assert set(form) <= set(ODI_SECTIONS) and len(answered) >= 8
        assert all(type(v) is int and 0 <= v <= 5 for v in answered)
        assert (row.nprs, row.walk_minutes, row.stand_minutes) == (nprs, walk, stand)
        assert row.odi == result.odi == round(sum(answered) / (5 * len(answered)) * 100, 1)
        assert json.loads(row.odi_answers) == {s: form.get(s) for s in ODI_SECTIONS}

    check()


def test_call_attempt_notes_refuse_or_are_kept_in_the_audit_trail(db_url, examples):
    office, nina = _nurse()
    ids = _discharged(office)
    call_id = ids[FollowUpKind.NEXT_DAY_CALL]

    @examples.settings(sqlite=60, postgresql=20)
    @given(note=free_text)
    @example("no answer <script>alert(1)</script>")
    @example("voicemail\x00")
    @example("\udfff")
    @example("x" * 100_000)
    def check(note: str) -> None:
        examples.tick()
        before = _row(call_id).attempts
        accepted, attempts = attempt(
            lambda: followup.record_call_attempt(call_id, actor=nina, note=note)
        )
        if not accepted:
            assert _row(call_id).attempts == before
            return
        assert attempts == before + 1
        with read_session() as s:
            detail = s.scalar(
                select(AuditEvent.detail)
                .where(AuditEvent.action == "follow_up.call_attempt")
                .order_by(AuditEvent.id.desc())
                .limit(1)
            )
        assert json.loads(detail)["note"] == note.strip()

    check()


def test_resolving_an_escalation_refuses_or_stores_hostile_notes(db_url, examples):
    office, nina = _nurse()

    @examples.settings(sqlite=70, postgresql=20)
    @given(note=free_text)
    @example("Dr told **at once** [a](javascript:alert(1))")
    @example("<img src=x onerror=alert(1)>")
    @example("called\x00")
    @example("\ud83d")
    @example("x" * 2001)
    @example("   ")
    def check(note: str) -> None:
        examples.tick()
        ids = _discharged(office)
        call_id = ids[FollowUpKind.NEXT_DAY_CALL]
        answers = CallAnswers(
            nprs=9, swelling=False, bruising=False, incision=Incision.DRY, meds_as_prescribed=True
        )
        followup.record_followup_call(call_id, answers, actor=nina)  # pain 9 escalates
        accepted, _ = attempt(lambda: followup.resolve_escalation(call_id, note, actor=nina))
        row = _row(call_id)
        if not accepted:
            assert row.escalation_resolved_at is None and row.resolution_note is None
            return
        assert row.escalation_resolved_at is not None
        assert row.resolution_note == note.strip()

    check()


def test_closing_a_follow_up_as_not_reached_refuses_or_stores_hostile_notes(db_url, examples):
    office, nina = _nurse()

    @examples.settings(sqlite=70, postgresql=20)
    @given(note=free_text)
    @example("letter sent <script>alert(1)</script>")
    @example("letter\x00sent")
    @example("\ud800letter")
    @example("x" * 100_000)
    def check(note: str) -> None:
        examples.tick()
        ids = _discharged(office)
        call_id = ids[FollowUpKind.NEXT_DAY_CALL]
        with transaction() as s:
            s.execute(update(FollowUp).where(FollowUp.id == call_id).values(attempts=3))
        accepted, _ = attempt(lambda: followup.close_not_reached(call_id, note, actor=nina))
        row = _row(call_id)
        if not accepted:
            assert row.completed_at is None and row.notes is None
            return
        assert (row.reached, row.notes) == (False, note.strip())

    check()
