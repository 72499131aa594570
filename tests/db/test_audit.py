"""The audit trail's reads on both backends: scope by role, every filter, office-local days,
newest first with the count of all; and the reads that are themselves audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from sqlalchemy import event, func, select

from db.models import AuditEvent, Case
from db.queries.audit import UNASSIGNED, AuditFilter, audit_events, audit_offices, audit_users
from db.session import get_engine, read_session, transaction
from mild import messages
from mild.audit import GROUP_BY_KEY
from mild.audit_words import FollowUpName
from mild.case_codes import case_code
from mild.cases import RequestChannel
from mild.days import at_local
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.staff import Role, Screen
from services.intake import create_case
from services.reads import export_audit, record_audit_view, record_case_view
from tests.builders import (
    add_audit_row,
    make_case,
    make_discharged_case,
    make_office,
    make_provider,
    make_user,
    make_user_session,
)

NY, LA = "America/New_York", "America/Los_Angeles"
DAY = dt.date(2025, 3, 12)  # a Wednesday, no clock change near it


@dataclasses.dataclass
class Practice:
    aa: int  # New York
    bb: int  # Los Angeles
    admin: object
    manager_aa: object
    nurse_aa: object
    case_aa: int
    case_bb: int


@pytest.fixture
def practice(db_url) -> Practice:
    aa, bb = make_office("AA", NY), make_office("BB", LA)
    return Practice(
        aa=aa,
        bb=bb,
        admin=make_user("ada", Role.ADMIN, []),
        manager_aa=make_user("mona", Role.MANAGER, [aa]),
        nurse_aa=make_user("nina", Role.NURSE, [aa]),
        case_aa=make_case(aa),
        case_bb=make_case(bb),
    )


def whole_day(zone: str = NY, **changes) -> AuditFilter:
    return dataclasses.replace(AuditFilter(start=DAY, end=DAY, zone=zone), **changes)


def actions(page) -> list[str]:
    return list(page.rows.action)


def noon(zone: str, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return at_local(zone, day, dt.time(12, minute))


def audit_count() -> int:
    with read_session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def code_of(case_id: int) -> str:
    with read_session() as s:
        return s.scalar(select(Case.code).where(Case.id == case_id))


# --- scope ---------------------------------------------------------------------------------------


def test_a_manager_reads_only_rows_stamped_with_their_offices(practice):
    p = practice
    add_audit_row("checklist.ticked", at=noon(NY), entity_id=p.case_aa, office_id=p.aa)
    add_audit_row("checklist.ticked", at=noon(LA), entity_id=p.case_bb, office_id=p.bb)
    add_audit_row("auth.sign_in", at=noon(NY), entity="staff_user", actor_name="nina")

    page = audit_events(Role.MANAGER, p.manager_aa.office_ids, whole_day())

    assert page.matched == 1
    assert list(page.rows.office_code) == ["AA"]
    assert list(page.rows.case_code) == [code_of(p.case_aa)]


def test_an_admin_reads_every_row_including_those_without_an_office(practice):
    p = practice
    add_audit_row("checklist.ticked", at=noon(NY), entity_id=p.case_aa, office_id=p.aa)
    add_audit_row("checklist.ticked", at=noon(LA), entity_id=p.case_bb, office_id=p.bb)
    add_audit_row("auth.sign_in", at=noon(NY), entity="staff_user", actor_name="nina")

    page = audit_events(Role.ADMIN, {p.aa, p.bb}, whole_day())

    assert page.matched == 3
    assert sorted(page.rows.office_code.fillna("-")) == ["-", "AA", "BB"]


def test_an_admin_still_reads_the_rows_of_a_closed_office(practice):
    p = practice
    add_audit_row("checklist.ticked", at=noon(LA), entity_id=p.case_bb, office_id=p.bb)

    # An admin's actor lists only open offices; their history stays readable.
    page = audit_events(Role.ADMIN, {p.aa}, whole_day())

    assert list(page.rows.office_code) == ["BB"]
    assert [o.code for o in audit_offices(Role.ADMIN, {p.aa})] == ["AA", "BB"]


@pytest.mark.parametrize("role", [Role.NURSE, Role.COORDINATOR])
def test_nurses_and_coordinators_are_refused_every_audit_read(practice, role):
    p = practice
    add_audit_row("checklist.ticked", at=noon(NY), entity_id=p.case_aa, office_id=p.aa)
    for read in (
        lambda: audit_events(role, {p.aa}, whole_day()),
        lambda: audit_offices(role, {p.aa}),
        lambda: audit_users(role, {p.aa}),
    ):
        with pytest.raises(RuleViolation) as refusal:
            read()
        assert refusal.value.message == messages.NOT_ALLOWED_HERE


def test_a_manager_choosing_another_office_or_rows_without_one_gets_nothing(practice):
    p = practice
    add_audit_row("checklist.ticked", at=noon(LA), entity_id=p.case_bb, office_id=p.bb)
    add_audit_row("auth.sign_in", at=noon(NY), entity="staff_user", actor_name="nina")

    for office_id in (p.bb, UNASSIGNED):
        page = audit_events(Role.MANAGER, {p.aa}, whole_day(office_id=office_id))
        assert page.matched == 0 and page.rows.empty


def test_a_manager_is_offered_their_offices_and_their_staff_and_the_admins(practice):
    p = practice
    make_user("bert", Role.NURSE, [p.bb])

    assert [o.code for o in audit_offices(Role.MANAGER, {p.aa})] == ["AA"]
    assert sorted(audit_users(Role.MANAGER, {p.aa}).username) == ["ada", "mona", "nina"]
    assert sorted(audit_users(Role.ADMIN, {p.aa, p.bb}).username) == [
        "ada",
        "bert",
        "mona",
        "nina",
    ]


# --- filters -------------------------------------------------------------------------------------


def test_days_are_cut_at_each_offices_own_midnight(practice):
    p = practice
    late_ny = at_local(NY, DAY, dt.time(23, 30))  # 04:30 UTC the next day
    late_la = at_local(LA, DAY, dt.time(23, 30))  # 07:30 UTC the next day
    next_ny = at_local(NY, DAY + dt.timedelta(days=1), dt.time(0, 30))
    add_audit_row("checklist.ticked", at=late_ny, entity_id=p.case_aa, office_id=p.aa)
    add_audit_row("checklist.unticked", at=next_ny, entity_id=p.case_aa, office_id=p.aa)
    add_audit_row("checklist.ticked", at=late_la, entity_id=p.case_bb, office_id=p.bb)

    page = audit_events(Role.ADMIN, {p.aa, p.bb}, whole_day())

    assert sorted(zip(page.rows.office_code, page.rows.action, strict=True)) == [
        ("AA", "checklist.ticked"),
        ("BB", "checklist.ticked"),
    ]


def test_rows_without_an_office_are_cut_at_the_practice_zones_midnight(practice):
    late_ny = at_local(NY, DAY, dt.time(23, 30))
    add_audit_row("auth.sign_in", at=late_ny, entity="staff_user", actor_name="nina")

    assert audit_events(Role.ADMIN, {practice.aa}, whole_day(NY)).matched == 1
    # The same moment is already the next day in UTC.
    assert audit_events(Role.ADMIN, {practice.aa}, whole_day("UTC")).matched == 0


def test_an_admin_can_ask_for_one_office_or_only_rows_without_an_office(practice):
    p = practice
    add_audit_row("checklist.ticked", at=noon(NY), entity_id=p.case_aa, office_id=p.aa)
    add_audit_row("checklist.ticked", at=noon(LA), entity_id=p.case_bb, office_id=p.bb)
    add_audit_row("auth.sign_in", at=noon(NY), entity="staff_user", actor_name="nina")

    one = audit_events(Role.ADMIN, {p.aa, p.bb}, whole_day(office_id=p.bb))
    none = audit_events(Role.ADMIN, {p.aa, p.bb}, whole_day(office_id=UNASSIGNED))

    assert list(one.rows.office_code) == ["BB"]
    assert actions(none) == ["auth.sign_in"]


def test_the_user_filter_matches_the_name_the_row_was_written_under(practice):
    p = practice
    add_audit_row("checklist.ticked", at=noon(NY), actor=p.nurse_aa, office_id=p.aa)
    add_audit_row("case.viewed", at=noon(NY, minute=1), actor=p.manager_aa, office_id=p.aa)
    # A failed sign-in has no actor id, only the typed username.
    add_audit_row("auth.sign_in_failed", at=noon(NY, minute=2), actor_name="nina")

    page = audit_events(Role.ADMIN, {p.aa}, whole_day(actor_name="nina"))

    assert actions(page) == ["auth.sign_in_failed", "checklist.ticked"]
    # Named as typed: the failed sign-in has no account behind it, the tick does.
    assert list(page.rows.actor_display.fillna("-")) == ["-", "Nina"]


def test_the_action_filter_takes_a_whole_group(practice):
    p = practice
    for minute, action in enumerate(
        [
            "checklist.ticked",
            "checklist.unticked",
            "case.viewed",
            "case.cancelled",
            "auth.sign_in",
            "auth.session_ended_by_admin",
        ]
    ):
        add_audit_row(action, at=noon(NY, minute=minute), office_id=p.aa)

    def group(key: str) -> list[str]:
        f = whole_day(group=GROUP_BY_KEY[key])
        return sorted(actions(audit_events(Role.ADMIN, {p.aa}, f)))

    assert group("checklist") == ["checklist.ticked", "checklist.unticked"]
    assert group("case_reads") == ["case.viewed"]
    assert group("cases") == ["case.cancelled"]
    assert group("sign_in") == ["auth.sign_in"]
    assert group("admin") == ["auth.session_ended_by_admin"]


def test_a_prefix_with_an_underscore_matches_only_itself(practice):
    # LIKE reads "_" as any character: the group filter must not.
    add_audit_row("follow_up.call_recorded", at=noon(NY), office_id=practice.aa)
    add_audit_row("followxup.call_recorded", at=noon(NY), office_id=practice.aa)

    f = whole_day(group=GROUP_BY_KEY["follow_up"])
    assert actions(audit_events(Role.ADMIN, {practice.aa}, f)) == ["follow_up.call_recorded"]


def test_a_case_code_finds_every_row_about_that_case_and_nothing_else(practice):
    p = practice
    other = make_case(p.aa)
    add_audit_row("checklist.ticked", at=noon(NY), entity_id=p.case_aa, office_id=p.aa)
    add_audit_row("case.viewed", at=noon(NY, 1), entity_id=p.case_aa, office_id=p.aa)
    add_audit_row("checklist.ticked", at=noon(NY, 2), entity_id=other, office_id=p.aa)
    # A staff_user row whose id happens to equal the case id is not about the case.
    add_audit_row("staff_user.changed", at=noon(NY, 3), entity="staff_user", entity_id=p.case_aa)

    page = audit_events(Role.ADMIN, {p.aa}, whole_day(case_code=code_of(p.case_aa)))

    assert actions(page) == ["checklist.ticked", "case.viewed"]  # a story: oldest first
    assert set(page.rows.case_code) == {code_of(p.case_aa)}


def test_a_case_code_unknown_or_at_another_office_says_so_rather_than_matching_nothing(practice):
    p = practice
    add_audit_row("checklist.ticked", at=noon(LA), entity_id=p.case_bb, office_id=p.bb)

    unknown = audit_events(Role.ADMIN, {p.aa}, whole_day(case_code="ZZ-99999"))
    elsewhere = audit_events(Role.MANAGER, {p.aa}, whole_day(case_code=code_of(p.case_bb)))

    assert not unknown.case_found and not elsewhere.case_found
    assert elsewhere.matched == 0 and elsewhere.rows.empty


# --- a case named however it is typed: its whole history ----------------------------------------


def coded(case_id: int, code: str) -> str:
    """Give a built case the code intake gives it (the builders' cases have test codes)."""
    with transaction() as s:
        s.get(Case, case_id).code = code
    return code


def test_intake_makes_case_codes_as_the_audit_filter_reads_them(practice):
    coordinator = make_user("cora", Role.COORDINATOR, [practice.aa])
    new = create_case(
        mrn="M100200",
        first_name="Ada",
        last_name="Lovelace",
        date_of_birth=dt.date(1950, 1, 1),
        office_id=practice.aa,
        channel=RequestChannel.PHONE,
        actor=coordinator,
    )

    assert new.code == case_code("AA", new.case_id)
    typed = f"aa{new.case_id}"  # lower case, no dash, no zero padding
    page = audit_events(Role.MANAGER, {practice.aa}, whole_day(case_code=typed))
    assert page.case_code == new.code and actions(page) == ["case.requested"]


@pytest.mark.parametrize("typed", ["aa-7", "AA-00007", "aa00007", " Aa 007 "])
def test_a_case_code_is_found_however_it_is_typed(practice, typed):
    code = coded(practice.case_aa, "AA-00007")
    add_audit_row(
        "checklist.ticked", at=noon(NY), entity_id=practice.case_aa, office_id=practice.aa
    )

    page = audit_events(Role.MANAGER, {practice.aa}, whole_day(case_code=typed.strip().upper()))

    assert page.case_found and page.case_code == code
    assert actions(page) == ["checklist.ticked"]


def test_a_named_case_is_its_whole_history_whatever_the_days_oldest_first(practice):
    p = practice
    coded(p.case_aa, "AA-00007")
    for days_ago, action in [(400, "case.requested"), (30, "case.booked"), (0, "checklist.ticked")]:
        at = noon(NY, day=DAY - dt.timedelta(days=days_ago))
        add_audit_row(action, at=at, entity_id=p.case_aa, office_id=p.aa)
    add_audit_row("checklist.ticked", at=noon(NY), entity_id=p.case_bb, office_id=p.bb)

    # The days chosen hold none of them, and another office is chosen: the case still wins.
    long_ago = whole_day(start=DAY - dt.timedelta(days=900), end=DAY - dt.timedelta(days=800))
    f = dataclasses.replace(long_ago, case_code="AA-7", office_id=p.bb)
    page = audit_events(Role.ADMIN, {p.aa, p.bb}, f)

    assert page.oldest_first and page.matched == 3
    assert actions(page) == ["case.requested", "case.booked", "checklist.ticked"]


def test_a_named_cases_history_still_takes_the_user_and_action_filters(practice):
    p = practice
    coded(p.case_aa, "AA-00007")
    add_audit_row(
        "case.viewed", at=noon(NY, 1), actor=p.manager_aa, entity_id=p.case_aa, office_id=p.aa
    )
    add_audit_row(
        "checklist.ticked", at=noon(NY, 2), actor=p.nurse_aa, entity_id=p.case_aa, office_id=p.aa
    )
    add_audit_row(
        "checklist.unticked", at=noon(NY, 3), actor=p.nurse_aa, entity_id=p.case_aa, office_id=p.aa
    )

    by_nina = audit_events(Role.ADMIN, {p.aa}, whole_day(case_code="AA-7", actor_name="nina"))
    reads = audit_events(
        Role.ADMIN, {p.aa}, whole_day(case_code="AA-7", group=GROUP_BY_KEY["case_reads"])
    )

    assert actions(by_nina) == ["checklist.ticked", "checklist.unticked"]
    assert actions(reads) == ["case.viewed"]


def test_a_named_cases_history_is_capped_at_the_oldest_rows_with_the_count_of_all(practice):
    p = practice
    coded(p.case_aa, "AA-00007")
    for minute in range(5):
        add_audit_row(
            "case.viewed",
            at=noon(NY, minute),
            entity_id=p.case_aa,
            office_id=p.aa,
            detail={"screen": f"s{minute}"},
        )

    page = audit_events(Role.MANAGER, {p.aa}, whole_day(case_code="AA-7"), limit=2)

    assert page.matched == 5
    assert [json.loads(d)["screen"] for d in page.rows.detail] == ["s0", "s1"]


def test_a_typed_code_that_could_be_two_cases_names_both_and_shows_neither(practice):
    p = practice
    other = make_case(p.aa)
    coded(p.case_aa, "AB1-00007")
    coded(other, "AB-100007")
    add_audit_row("checklist.ticked", at=noon(NY), entity_id=p.case_aa, office_id=p.aa)

    page = audit_events(Role.ADMIN, {p.aa}, whole_day(case_code="AB100007"))
    dashed = audit_events(Role.ADMIN, {p.aa}, whole_day(case_code="AB1-7"))

    assert not page.case_found and page.ambiguous == ("AB-100007", "AB1-00007")
    assert page.rows.empty
    assert dashed.case_code == "AB1-00007" and actions(dashed) == ["checklist.ticked"]


# --- the ids in the rows, named in bulk -----------------------------------------------------------


def test_the_ids_the_rows_hold_are_named_in_a_few_reads_however_many_rows(practice):
    p = practice
    case_id, follow_ups = make_discharged_case(p.aa, noon(NY) - dt.timedelta(days=20))
    provider = make_provider(p.aa, "Dr Ames")
    for minute, (kind, follow_up) in enumerate(follow_ups.items()):
        add_audit_row(
            "follow_up.call_attempt",
            at=noon(NY, minute),
            actor=p.nurse_aa,
            entity_id=case_id,
            office_id=p.aa,
            detail={"follow_up": follow_up, "kind": kind.value, "outcome": "no_answer"},
        )
    add_audit_row(
        "case.requested",
        at=noon(NY, 10),
        entity_id=case_id,
        office_id=p.aa,
        detail={"mrn": "T1", "channel": "phone", "provider_id": provider},
    )
    add_audit_row(
        "auth.session_ended_by_admin",
        at=noon(NY, 11),
        actor=p.admin,
        entity="user_session",
        detail={"user_id": p.nurse_aa.id, "username": "nina", "reason": "ended by admin"},
    )
    add_audit_row(
        "board.display_started",
        at=noon(NY, 12),
        actor=p.nurse_aa,
        entity="staff_user",
        entity_id=p.nurse_aa.id,
        detail={"office_ids": [p.aa, p.bb]},
    )

    statements = count_statements(lambda: audit_events(Role.ADMIN, {p.aa, p.bb}, whole_day()))
    page = audit_events(Role.ADMIN, {p.aa, p.bb}, whole_day())

    code = code_of(case_id)
    assert page.names.follow_ups[follow_ups[FollowUpKind.WEEKS_2]] == FollowUpName("weeks_2", code)
    assert page.names.providers == {provider: "Dr Ames"}
    assert page.names.staff == {p.nurse_aa.id: "Nina"}
    assert page.names.offices == {p.aa: "AA", p.bb: "BB"}
    # offices in scope, the count, the rows, then one read each for follow-ups, providers,
    # staff and offices: the same for 8 rows as for 500.
    assert statements <= 7


def count_statements(run) -> int:
    engine = get_engine()
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])


def test_rows_come_newest_first_capped_with_the_count_of_all_that_matched(practice):
    p = practice
    for minute in range(7):
        add_audit_row(
            "checklist.ticked",
            at=noon(NY, minute=minute),
            office_id=p.aa,
            detail={"step": f"s{minute}"},
        )
    add_audit_row("checklist.ticked", at=noon(NY) - dt.timedelta(days=1), office_id=p.aa)

    page = audit_events(Role.MANAGER, {p.aa}, whole_day(), limit=3)

    assert page.matched == 7
    assert [json.loads(d)["step"] for d in page.rows.detail] == ["s6", "s5", "s4"]
    moments = list(page.rows["at"])
    assert moments == sorted(moments, reverse=True)
    assert moments[0].utcoffset() == dt.timedelta(0)  # aware UTC


# --- audited reads -------------------------------------------------------------------------------


def test_opening_a_case_writes_one_row_naming_who_which_case_office_and_screen(practice):
    p = practice
    record_case_view(p.nurse_aa, p.case_aa, Screen.CHECKLIST)

    with read_session() as s:
        (row,) = s.execute(
            select(
                AuditEvent.action,
                AuditEvent.entity,
                AuditEvent.entity_id,
                AuditEvent.actor_id,
                AuditEvent.actor_name,
                AuditEvent.office_id,
                AuditEvent.detail,
            )
        ).all()
    assert row[:3] == ("case.viewed", "case", p.case_aa)
    assert row[3:6] == (p.nurse_aa.id, "nina", p.aa)
    assert json.loads(row.detail) == {"screen": "checklist"}


def test_opening_a_case_at_another_office_or_that_does_not_exist_is_refused_unrecorded(practice):
    p = practice
    for case_id in (p.case_bb, 999_999):
        with pytest.raises(RuleViolation) as refusal:
            record_case_view(p.nurse_aa, case_id, Screen.CHECKLIST)
        assert refusal.value.message == messages.CASE_NOT_FOUND
    assert audit_count() == 0


def test_opening_a_case_on_a_screen_the_role_may_not_open_is_refused(practice):
    with pytest.raises(RuleViolation) as refusal:
        record_case_view(practice.manager_aa, practice.case_aa, Screen.CHECKLIST)
    assert refusal.value.message == messages.NOT_ALLOWED_HERE
    assert audit_count() == 0


def test_opening_a_case_from_a_session_that_has_ended_is_refused(practice):
    p = practice
    ended = dataclasses.replace(p.nurse_aa, session_id=make_user_session(p.nurse_aa.id, ended=True))
    with pytest.raises(RuleViolation) as refusal:
        record_case_view(ended, p.case_aa, Screen.INTAKE)
    assert refusal.value.message == messages.SESSION_ENDED
    assert audit_count() == 0


def test_opening_the_audit_trail_is_recorded_and_refused_to_a_nurse(practice):
    record_audit_view(practice.manager_aa)
    with pytest.raises(RuleViolation):
        record_audit_view(practice.nurse_aa)

    with read_session() as s:
        assert s.execute(select(AuditEvent.action, AuditEvent.actor_name)).all() == [
            ("audit.viewed", "mona")
        ]


def test_an_export_returns_every_matching_row_and_records_the_filters_and_the_count(practice):
    p = practice
    for minute in range(3):
        add_audit_row("checklist.ticked", at=noon(NY, minute), office_id=p.aa)
    f = whole_day(group=GROUP_BY_KEY["checklist"])

    page = export_audit(p.manager_aa, f)

    assert (len(page.rows), page.matched) == (3, 3)
    with read_session() as s:
        row = s.execute(
            select(AuditEvent.actor_name, AuditEvent.office_id, AuditEvent.detail).where(
                AuditEvent.action == "audit.exported"
            )
        ).one()
    assert row.actor_name == "mona" and row.office_id is None
    assert json.loads(row.detail) == {
        "filters": {
            "from": "2025-03-12",
            "to": "2025-03-12",
            "zone": NY,
            "office_id": None,
            "user": None,
            "actions": "checklist",
            "case": None,
        },
        "matched": 3,
        "rows": 3,
    }


def test_an_export_by_a_nurse_is_refused_and_records_nothing(practice):
    with pytest.raises(RuleViolation):
        export_audit(practice.nurse_aa, whole_day())
    assert audit_count() == 0


def test_an_export_from_an_ended_session_hands_out_no_rows(practice):
    p = practice
    add_audit_row("checklist.ticked", at=noon(NY), office_id=p.aa)
    ended = dataclasses.replace(
        p.manager_aa, session_id=make_user_session(p.manager_aa.id, ended=True)
    )
    with pytest.raises(RuleViolation) as refusal:
        export_audit(ended, whole_day())
    assert refusal.value.message == messages.SESSION_ENDED
    with read_session() as s:
        assert s.scalars(select(AuditEvent.action)).all() == ["checklist.ticked"]


def _plan_of_count(run) -> str:
    """The database's plan for the count query that `run` makes (seq scans off on PostgreSQL,
    whose planner would rather scan a table this small)."""
    engine = get_engine()
    captured: list = []

    def grab(_conn, _cursor, statement, parameters, _context, _many) -> None:
        if "count(" in statement.lower() and "audit_event" in statement:
            captured.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", grab)
    statement, parameters = captured[0]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, parameters)
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute("EXPLAIN " + statement, parameters)
        return " | ".join(str(r) for r in cursor.fetchall())
    finally:
        raw.close()


def test_the_date_window_is_read_through_the_index_on_at(practice):
    plan = _plan_of_count(lambda: audit_events(Role.MANAGER, {practice.aa}, whole_day()))
    assert "ix_audit_event_at" in plan, plan


def test_a_named_cases_history_is_read_through_an_index_not_a_table_scan(practice):
    coded(practice.case_aa, "AA-00007")
    plan = _plan_of_count(
        lambda: audit_events(Role.ADMIN, {practice.aa}, whole_day(case_code="aa7"))
    )
    assert "ix_audit_event_entity" in plan or "ix_audit_event_at" in plan, plan
    assert "Seq Scan on audit_event" not in plan and "SCAN audit_event" not in plan, plan
