"""The admin screen's services on both backends: offices, accounts, sessions and the hold table,
each action audited to the acting admin, each refusal writing nothing; and intake classing
drugs from the hold table as the admins keep it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from db.models import (
    AuditEvent,
    Case,
    CaseMedication,
    HoldRuleRow,
    Office,
    SignInThrottle,
    StaffUser,
    UserSession,
)
from db.queries.admin import admin_offices, admin_users, hold_rules, open_sessions
from db.queries.holds import current_hold_table
from db.session import read_session, transaction
from mild import messages
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.glp1 import Glp1Decision
from mild.medications import DEFAULT_HOLD_TABLE, MedClass
from mild.staff import Role
from services import admin, medications, staff
from services.auth import sign_in
from services.common import Actor
from tests.builders import (
    PASSWORD,
    edit_hold_rule,
    hold_input,
    make_case,
    make_office,
    make_user,
    make_user_session,
)

NEW_PASSWORD = "temporary-pass-1"


@pytest.fixture
def office(db_url) -> int:
    return make_office("AA")


@pytest.fixture
def root(office) -> Actor:
    """The signed-in admin (admins need no office)."""
    return make_user("root", Role.ADMIN, [])


@pytest.fixture
def nina(office) -> Actor:
    return make_user("nina", Role.NURSE, [office])


def refused(action) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        action()
    return caught.value


def events(action: str | None = None) -> list[AuditEvent]:
    with read_session() as s:
        query = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            query = query.where(AuditEvent.action == action)
        found = list(s.scalars(query))
        s.expunge_all()
        return found


def detail(event: AuditEvent) -> dict:
    return json.loads(event.detail or "{}")


def audit_count() -> int:
    with read_session() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def user_row(user_id: int) -> StaffUser:
    with read_session() as s:
        found = s.get(StaffUser, user_id)
        codes = [o.code for o in found.offices]
        s.expunge(found)
    found.office_codes = codes
    return found


def office_row(office_id: int) -> Office:
    with read_session() as s:
        found = s.get(Office, office_id)
        s.expunge(found)
        return found


def session_row(session_id: int) -> UserSession:
    with read_session() as s:
        found = s.get(UserSession, session_id)
        s.expunge(found)
        return found


def hold_row(drug: str) -> HoldRuleRow:
    with read_session() as s:
        found = s.get(HoldRuleRow, drug)
        s.expunge(found)
        return found


# --- who may administer ---------------------------------------------------------------------


def every_admin_action(office: int, target: int, session_id: int):
    """One call of each admin service, as a user of any role might attempt it."""
    return [
        lambda a: staff.create_office("BB", "Bee Office", "America/Chicago", actor=a),
        lambda a: staff.update_office(office, "Renamed", "America/Chicago", actor=a),
        lambda a: staff.set_office_active(office, False, actor=a),
        lambda a: staff.create_user("newbie", "New Bie", NEW_PASSWORD, Role.NURSE, ["AA"], actor=a),
        lambda a: staff.update_user(
            target, display_name="X", role=Role.MANAGER, office_codes=["AA"], actor=a
        ),
        lambda a: staff.set_user_active(target, False, actor=a),
        lambda a: staff.reset_password(target, NEW_PASSWORD, NEW_PASSWORD, actor=a),
        lambda a: staff.set_email(target, "x@example.org", actor=a),
        lambda a: admin.end_session(session_id, actor=a),
        lambda a: admin.end_user_sessions(target, actor=a),
        lambda a: admin.add_hold_rule(hold_input("celecoxib"), actor=a),
        lambda a: edit_hold_rule("ibuprofen", a, stop_before_hours=72),
        lambda a: admin.confirm_hold_rule(
            "ibuprofen", "Dr. Director", expected_updated_at=None, actor=a
        ),
    ]


@pytest.mark.parametrize("role", [Role.NURSE, Role.COORDINATOR, Role.MANAGER])
def test_no_admin_service_works_for_anyone_but_an_admin_and_nothing_is_written(office, role):
    caller = make_user("someone", role, [office])
    target = make_user("nina", Role.NURSE, [office])
    session_id = make_user_session(target.id)
    before = audit_count()

    for action in every_admin_action(office, target.id, session_id):
        assert refused(lambda act=action: act(caller)).message == messages.ADMIN_ONLY

    assert audit_count() == before
    assert session_row(session_id).ended_at is None
    assert office_row(office).name == "AA Office"
    assert hold_row("ibuprofen").stop_before_hours == 24


def test_an_admin_whose_role_was_taken_away_meanwhile_is_refused(office, root):
    other = make_user("other", Role.ADMIN, [])
    staff.update_user(
        other.id, display_name="Other", role=Role.MANAGER, office_codes=["AA"], actor=root
    )

    # `other` still holds an admin Actor from before (a browser tab signed in earlier).
    refusal = refused(lambda: staff.create_office("BB", "Bee", "America/Chicago", actor=other))

    assert refusal.message == messages.ADMIN_ONLY


def test_a_disabled_admin_is_refused_even_with_an_open_actor(office, root):
    other = make_user("other", Role.ADMIN, [])
    staff.set_user_active(other.id, False, actor=root)
    refusal = refused(lambda: staff.set_email(root.id, "root@example.org", actor=other))
    assert refusal.message == messages.ADMIN_ONLY


# --- offices --------------------------------------------------------------------------------


def test_an_admin_adds_an_office_audited_to_them(root):
    office_id = staff.create_office(" bb ", " Bee  Office ", "America/Chicago", actor=root)

    found = office_row(office_id)
    assert (found.code, found.name, found.timezone, found.active) == (
        "BB",
        "Bee Office",
        "America/Chicago",
        True,
    )
    (event,) = events("office.created")
    assert (event.actor_id, event.actor_name, event.entity_id) == (root.id, "root", office_id)
    assert detail(event) == {
        "code": "BB",
        "name": "Bee Office",
        "timezone": "America/Chicago",
        "phone": None,
    }


def test_an_office_keeps_the_phone_patients_call_with_a_red_flag(office, root):
    bee = staff.create_office("BB", "Bee", "America/Chicago", phone=" (312) 555-0100 ", actor=root)
    assert office_row(bee).phone == "(312) 555-0100"

    staff.update_office(office, "AA Office", "America/New_York", phone="212 555 0199", actor=root)
    assert office_row(office).phone == "212 555 0199"
    (event,) = events("office.changed")
    assert detail(event)["after"] == {"phone": "212 555 0199"}
    # Renaming without a phone leaves the phone as it is.
    staff.update_office(office, "North", "America/New_York", actor=root)
    assert office_row(office).phone == "212 555 0199"
    bad = refused(lambda: staff.update_office(office, "North", "UTC", phone="call us", actor=root))
    assert (bad.field, bad.message) == ("phone", messages.PHONE_FORMAT)
    assert office_row(office).timezone == "America/New_York"


@pytest.mark.parametrize(
    "code,name,tz,field,message",
    [
        ("AA", "Again", "America/Chicago", "code", messages.OFFICE_CODE_TAKEN.format(code="AA")),
        ("B", "Bee", "America/Chicago", "code", messages.OFFICE_CODE_FORMAT),
        ("BB", "  ", "America/Chicago", "name", messages.OFFICE_NAME_REQUIRED),
        ("BB", "Bee", "Mars/Base", "timezone", messages.TIMEZONE_UNKNOWN.format(tz="Mars/Base")),
    ],
)
def test_a_bad_new_office_is_refused_beside_its_field_and_nothing_is_written(
    root, code, name, tz, field, message
):
    before = audit_count()
    refusal = refused(lambda: staff.create_office(code, name, tz, actor=root))
    assert (refusal.field, refusal.message) == (field, message)
    assert audit_count() == before
    assert [o.code for o in admin_offices()] == ["AA"]


def test_renaming_an_office_and_changing_its_zone_is_audited_with_before_and_after(office, root):
    staff.update_office(office, "North Clinic", "America/Denver", actor=root)

    found = office_row(office)
    assert (found.code, found.name, found.timezone) == ("AA", "North Clinic", "America/Denver")
    (event,) = events("office.changed")
    assert event.actor_id == root.id and event.office_id == office
    assert detail(event) == {
        "code": "AA",
        "before": {"name": "AA Office", "timezone": "America/New_York"},
        "after": {"name": "North Clinic", "timezone": "America/Denver"},
    }


def test_saving_an_office_unchanged_or_with_a_bad_zone_is_refused(office, root):
    assert refused(
        lambda: staff.update_office(office, "AA Office", "America/New_York", actor=root)
    ).message == (messages.NOTHING_CHANGED)
    assert refused(lambda: staff.update_office(office, "AA", "Nowhere", actor=root)).field == (
        "timezone"
    )
    assert refused(lambda: staff.update_office(999, "X", "UTC", actor=root)).message == (
        messages.OFFICE_NOT_FOUND
    )
    assert events("office.changed") == []


def test_an_office_with_an_open_case_cannot_be_deactivated(office, root):
    make_case(office, CaseStatus.SCHEDULED)
    make_case(office, CaseStatus.CLOSED)

    refusal = refused(lambda: staff.set_office_active(office, False, actor=root))

    assert (refusal.field, refusal.message) == (
        "active",
        messages.OFFICE_HAS_OPEN_CASES.format(code="AA", n=1),
    )
    assert office_row(office).active is True
    assert events("office.deactivated") == []


def test_a_deactivated_office_keeps_its_history_leaves_sign_in_scope_and_comes_back(
    office, root, nina
):
    closed = make_case(office, CaseStatus.CLOSED)
    other = make_office("BB")

    staff.set_office_active(office, False, actor=root)

    assert office_row(office).active is False
    with read_session() as s:
        assert s.get(Case, closed).office_id == office  # history kept
    assert sign_in("nina", PASSWORD).office_ids == frozenset()  # nowhere left to work
    assert sign_in("root", PASSWORD).office_ids == frozenset({other})
    assert refused(lambda: staff.set_office_active(office, False, actor=root)).message == (
        messages.OFFICE_ALREADY_INACTIVE
    )

    staff.set_office_active(office, True, actor=root)

    assert sign_in("nina", PASSWORD).office_ids == frozenset({office})
    assert [e.action for e in events() if e.entity == "office"] == [
        "office.deactivated",
        "office.reactivated",
    ]
    assert all(e.actor_id == root.id for e in events() if e.entity == "office")


def test_the_office_list_counts_active_staff_and_open_cases(office, root, nina):
    make_user("gone", Role.NURSE, [office], active=False)
    make_case(office, CaseStatus.SCHEDULED)
    make_case(office, CaseStatus.CANCELLED)

    (row,) = admin_offices()

    assert (row.code, row.staff, row.open_cases, row.active) == ("AA", 1, 1, True)


# --- accounts -------------------------------------------------------------------------------


def test_an_admin_adds_a_user_with_offices_and_sso_email_audited_without_the_password(office, root):
    make_office("BB")
    user_id = staff.create_user(
        " JDoe ",
        " Jo  Doe ",
        NEW_PASSWORD,
        Role.NURSE,
        ["bb", "AA"],
        actor=root,
        email="Jo.Doe@Example.org",
        repeat=NEW_PASSWORD,
    )

    found = user_row(user_id)
    assert (found.username, found.display_name, found.role, found.email) == (
        "jdoe",
        "Jo Doe",
        Role.NURSE,
        "jo.doe@example.org",
    )
    assert found.office_codes == ["AA", "BB"]
    assert PasswordHasher().verify(found.password_hash, NEW_PASSWORD)
    (event,) = events("staff_user.created")
    assert event.actor_id == root.id
    assert detail(event) == {
        "username": "jdoe",
        "display_name": "Jo Doe",
        "role": "nurse",
        "offices": ["AA", "BB"],
        "email": "jo.doe@example.org",
    }
    assert NEW_PASSWORD not in json.dumps([e.detail for e in events()])
    assert sign_in("jdoe", NEW_PASSWORD).office_ids == frozenset(
        {office, *[o.id for o in admin_offices() if o.code == "BB"]}
    )


@pytest.mark.parametrize(
    "kwargs,field,message",
    [
        ({"username": "nina"}, "username", messages.USERNAME_TAKEN),
        ({"username": "J D"}, "username", messages.USERNAME_FORMAT),
        ({"password": "short", "repeat": "short"}, "password", "at least 8"),
        ({"repeat": "something-else"}, "repeat", messages.PASSWORDS_DIFFER),
        ({"role": None}, "role", messages.ROLE_REQUIRED),
        ({"office_codes": []}, "offices", messages.OFFICES_REQUIRED),
        ({"office_codes": ["ZZ"]}, "offices", messages.OFFICE_UNKNOWN.format(code="ZZ")),
        ({"office_codes": ["OLD"]}, "offices", messages.OFFICE_INACTIVE.format(code="OLD")),
        ({"email": "NINA@example.org"}, "email", messages.EMAIL_TAKEN),
        ({"email": "not-an-address"}, "email", messages.EMAIL_FORMAT),
    ],
)
def test_a_bad_new_user_is_refused_beside_its_field_and_nothing_is_written(
    office, root, kwargs, field, message
):
    nina = make_user("nina", Role.NURSE, [office])
    staff.set_email(nina.id, "nina@example.org", actor=root)
    old = make_office("OLD")
    with transaction() as s:
        s.get(Office, old).active = False
    values = {
        "username": "jdoe",
        "display_name": "Jo",
        "password": NEW_PASSWORD,
        "repeat": NEW_PASSWORD,
        "role": Role.NURSE,
        "office_codes": ["AA"],
        "email": "",
    } | kwargs
    before = audit_count()

    refusal = refused(
        lambda: staff.create_user(
            values["username"],
            values["display_name"],
            values["password"],
            values["role"],
            values["office_codes"],
            actor=root,
            email=values["email"],
            repeat=values["repeat"],
        )
    )

    assert refusal.field == field and message in refusal.message
    assert audit_count() == before
    assert sorted(u.username for u in admin_users(dt.datetime.now(dt.UTC))) == ["nina", "root"]


def test_an_admin_needs_no_office_and_the_list_says_every_office(root):
    user_id = staff.create_user("boss", "", NEW_PASSWORD, Role.ADMIN, [], actor=root)
    assert user_row(user_id).display_name == "boss"


def test_changing_name_role_and_offices_is_audited_with_before_and_after(office, root, nina):
    make_office("BB")

    staff.update_user(
        nina.id, display_name="Nina Nurse", role=Role.MANAGER, office_codes=["BB"], actor=root
    )

    found = user_row(nina.id)
    assert (found.display_name, found.role, found.office_codes) == (
        "Nina Nurse",
        Role.MANAGER,
        ["BB"],
    )
    (event,) = events("staff_user.changed")
    assert event.actor_id == root.id and event.entity_id == nina.id
    assert detail(event) == {
        "username": "nina",
        "before": {"display_name": "Nina", "offices": ["AA"], "role": "nurse"},
        "after": {"display_name": "Nina Nurse", "offices": ["BB"], "role": "manager"},
    }


def test_an_admin_cannot_take_away_their_own_admin_role(office, root):
    refusal = refused(
        lambda: staff.update_user(
            root.id, display_name="Root", role=Role.MANAGER, office_codes=["AA"], actor=root
        )
    )
    assert (refusal.field, refusal.message) == ("role", messages.CANNOT_DEMOTE_SELF)
    assert user_row(root.id).role == Role.ADMIN
    assert events("staff_user.changed") == []


def test_an_admin_may_rename_themself_and_demote_another_admin(office, root):
    other = make_user("other", Role.ADMIN, [])
    staff.update_user(
        root.id, display_name="The Root", role=Role.ADMIN, office_codes=[], actor=root
    )
    staff.update_user(
        other.id, display_name="Other", role=Role.MANAGER, office_codes=["AA"], actor=root
    )
    assert user_row(root.id).display_name == "The Root"
    assert user_row(other.id).role == Role.MANAGER


@pytest.mark.parametrize(
    "kwargs,field,message",
    [
        ({}, "role", messages.NOTHING_CHANGED),
        ({"role": Role.COORDINATOR, "office_codes": []}, "offices", messages.OFFICES_REQUIRED),
        ({"office_codes": ["OLD"]}, "offices", messages.OFFICE_INACTIVE.format(code="OLD")),
        ({"role": None}, "role", messages.ROLE_REQUIRED),
    ],
)
def test_a_bad_change_of_a_user_is_refused_and_nothing_is_written(
    office, root, nina, kwargs, field, message
):
    old = make_office("OLD")
    with transaction() as s:
        s.get(Office, old).active = False
    values = {"display_name": "Nina", "role": Role.NURSE, "office_codes": ["AA"]} | kwargs
    refusal = refused(lambda: staff.update_user(nina.id, actor=root, **values))
    assert (refusal.field, refusal.message) == (field, message)
    assert user_row(nina.id).office_codes == ["AA"]
    assert events("staff_user.changed") == []


def test_a_user_keeps_a_deactivated_office_they_already_had(office, root, nina):
    make_office("BB")
    with transaction() as s:
        s.get(Office, office).active = False
    staff.update_user(
        nina.id, display_name="Nina", role=Role.NURSE, office_codes=["AA", "BB"], actor=root
    )
    assert user_row(nina.id).office_codes == ["AA", "BB"]


def test_disabling_a_user_ends_all_their_open_sessions_at_once_audited(office, root, nina):
    tablet = make_user_session(nina.id)
    desk = make_user_session(nina.id, display=True)
    old = make_user_session(nina.id, ended=True)

    assert staff.set_user_active(nina.id, False, actor=root) == 2

    assert user_row(nina.id).active is False
    for sid in (tablet, desk):
        row = session_row(sid)
        assert row.ended_at is not None and row.end_reason == "disabled"
    assert session_row(old).end_reason == "signed out"
    ended = events("auth.session_ended_by_admin")
    assert sorted(e.entity_id for e in ended) == sorted([tablet, desk])
    assert all(e.actor_id == root.id and detail(e)["reason"] == "disabled" for e in ended)
    (disabled,) = events("staff_user.disabled")
    assert detail(disabled) == {"username": "nina", "sessions_ended": 2}
    assert refused(lambda: sign_in("nina", PASSWORD)).message == messages.SIGN_IN_FAILED
    assert open_sessions() == []


def test_a_disabled_user_is_enabled_again_and_signs_in(office, root, nina):
    staff.set_user_active(nina.id, False, actor=root)
    assert refused(lambda: staff.set_user_active(nina.id, False, actor=root)).message == (
        messages.USER_ALREADY_DISABLED
    )
    staff.set_user_active(nina.id, True, actor=root)
    assert sign_in("nina", PASSWORD).id == nina.id
    assert [e.action for e in events() if e.action.startswith("staff_user.")] == [
        "staff_user.disabled",
        "staff_user.enabled",
    ]


def test_an_admin_cannot_disable_themself(root):
    own = make_user_session(root.id)
    me = dataclasses.replace(root, session_id=own)
    refusal = refused(lambda: staff.set_user_active(root.id, False, actor=me))
    assert (refusal.field, refusal.message) == ("active", messages.CANNOT_DISABLE_SELF)
    assert user_row(root.id).active is True
    assert session_row(own).ended_at is None


def test_a_password_reset_sets_a_new_password_ends_sessions_lifts_a_lock_and_hides_the_password(
    office, root, nina
):
    tablet = make_user_session(nina.id)
    with transaction() as s:
        s.add(
            SignInThrottle(
                username="nina",
                failures=5,
                last_failed_at=dt.datetime.now(dt.UTC),
                locked_until=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15),
            )
        )

    assert staff.reset_password(nina.id, NEW_PASSWORD, NEW_PASSWORD, actor=root) == 1

    assert session_row(tablet).end_reason == "password reset"
    assert refused(lambda: sign_in("nina", PASSWORD)).message == messages.SIGN_IN_FAILED
    assert sign_in("nina", NEW_PASSWORD).id == nina.id
    (event,) = events("staff_user.password_reset")
    assert event.actor_id == root.id
    assert detail(event) == {"username": "nina", "sessions_ended": 1, "unlocked": True}
    assert NEW_PASSWORD not in json.dumps([e.detail for e in events()])


def test_a_password_reset_is_refused_when_short_or_typed_differently(office, root, nina):
    assert (
        refused(lambda: staff.reset_password(nina.id, "short", "short", actor=root)).field
        == "password"
    )
    assert (
        refused(
            lambda: staff.reset_password(nina.id, NEW_PASSWORD, "other-pass-1", actor=root)
        ).message
        == messages.PASSWORDS_DIFFER
    )
    assert sign_in("nina", PASSWORD).id == nina.id
    assert events("staff_user.password_reset") == []


def test_an_admin_resetting_their_own_password_keeps_this_browser_signed_in(root):
    own = make_user_session(root.id)
    elsewhere = make_user_session(root.id)
    me = dataclasses.replace(root, session_id=own)

    assert staff.reset_password(root.id, NEW_PASSWORD, NEW_PASSWORD, actor=me) == 1

    assert session_row(own).ended_at is None
    assert session_row(elsewhere).end_reason == "password reset"


def test_an_sso_email_is_set_unique_and_cleared_each_audited(office, root, nina):
    other = make_user("other", Role.NURSE, [office])

    assert staff.set_email(nina.id, " Nina@Example.ORG ", actor=root) == "nina@example.org"
    taken = refused(lambda: staff.set_email(other.id, "nina@example.org", actor=root))
    bad = refused(lambda: staff.set_email(other.id, "nina@", actor=root))
    same = refused(lambda: staff.set_email(nina.id, "NINA@example.org", actor=root))
    assert staff.set_email(nina.id, "", actor=root) is None

    assert (taken.field, taken.message) == ("email", messages.EMAIL_TAKEN)
    assert (bad.field, bad.message) == ("email", messages.EMAIL_FORMAT)
    assert same.message == messages.NOTHING_CHANGED
    assert user_row(nina.id).email is None
    assert [
        (e.action, detail(e)["before"], detail(e)["after"])
        for e in events()
        if e.action.startswith("staff_user.email")
    ] == [
        ("staff_user.email_changed", None, "nina@example.org"),
        ("staff_user.email_cleared", "nina@example.org", None),
    ]


def test_the_user_list_shows_offices_last_sign_in_open_sessions_and_a_lock(office, root, nina):
    sign_in("nina", PASSWORD)
    make_user_session(nina.id)
    until = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)
    with transaction() as s:
        s.add(SignInThrottle(username="root", failures=5, locked_until=until))

    users = {u.username: u for u in admin_users(dt.datetime.now(dt.UTC))}

    assert users["nina"].office_codes == ("AA",)
    assert users["nina"].last_sign_in is not None
    assert users["nina"].last_sign_in.tzinfo is not None
    assert users["nina"].open_sessions >= 1
    assert users["nina"].locked_until is None
    assert users["root"].last_sign_in is None
    assert abs(users["root"].locked_until - until) < dt.timedelta(seconds=1)


# --- sessions -------------------------------------------------------------------------------


def test_an_admin_ends_one_session_at_once_audited(office, root, nina):
    tablet = make_user_session(nina.id)
    desk = make_user_session(nina.id)

    admin.end_session(tablet, actor=root)

    ended = session_row(tablet)
    assert ended.ended_at is not None and ended.end_reason == "ended by admin"
    assert session_row(desk).ended_at is None
    (event,) = events("auth.session_ended_by_admin")
    assert (event.actor_id, event.entity, event.entity_id) == (root.id, "user_session", tablet)
    assert detail(event) == {"user_id": nina.id, "username": "nina", "reason": "ended by admin"}
    assert [s.id for s in open_sessions()] == [desk]


def test_ending_a_session_that_already_ended_or_ones_own_is_refused(office, root, nina):
    gone = make_user_session(nina.id, ended=True)
    own = make_user_session(root.id)
    me = dataclasses.replace(root, session_id=own)

    assert refused(lambda: admin.end_session(gone, actor=me)).message == (
        messages.SESSION_ALREADY_ENDED
    )
    assert refused(lambda: admin.end_session(own, actor=me)).message == messages.SESSION_IS_YOURS
    assert session_row(own).ended_at is None
    assert events("auth.session_ended_by_admin") == []


def test_an_admin_ends_every_session_of_a_user_and_of_themself_all_but_this_browser(
    office, root, nina
):
    nina_sessions = [make_user_session(nina.id) for _ in range(3)]
    own = make_user_session(root.id)
    elsewhere = make_user_session(root.id)
    me = dataclasses.replace(root, session_id=own)

    assert admin.end_user_sessions(nina.id, actor=me) == 3
    assert admin.end_user_sessions(root.id, actor=me) == 1

    assert all(session_row(s).end_reason == "ended by admin" for s in nina_sessions)
    assert session_row(elsewhere).end_reason == "ended by admin"
    assert session_row(own).ended_at is None
    assert len(events("auth.session_ended_by_admin")) == 4
    assert refused(lambda: admin.end_user_sessions(nina.id, actor=me)).message == (
        messages.SESSIONS_NONE_OPEN
    )


def test_the_session_list_shows_sessions_in_use_with_user_and_display_flag(office, root, nina):
    display = make_user_session(nina.id, display=True)
    make_user_session(nina.id, ended=True)
    idle = make_user_session(nina.id)
    an_hour_ago = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    with transaction() as s:
        for sid in (display, idle):
            s.get(UserSession, sid).last_activity_at = an_hour_ago

    (row,) = open_sessions(active_since=an_hour_ago + dt.timedelta(minutes=45))

    assert row.id == display  # a waiting-room display never idles out; the idle tab is over
    assert [
        u.open_sessions
        for u in admin_users(dt.datetime.now(dt.UTC), an_hour_ago)
        if u.username == "nina"
    ] == [2]

    assert (row.username, row.role, row.display) == ("nina", Role.NURSE, True)
    assert row.created_at.tzinfo is not None and row.last_activity_at.tzinfo is not None


# --- the medication hold table --------------------------------------------------------------


def test_the_installed_hold_table_is_the_policy_default(db_url):
    assert current_hold_table() == DEFAULT_HOLD_TABLE


def test_an_admin_edits_a_drug_audited_with_before_after_who_and_when(root):
    seen = hold_row("naproxen").updated_at

    change = edit_hold_rule(
        "Naproxen",
        root,
        stop_before_hours=120,
        instruction="  Five half-lives  ",
        brands="Aleve; Naprosyn",
        expected_updated_at=seen,
    )

    row = hold_row("naproxen")
    assert (row.stop_before_hours, row.instruction, row.updated_by_id) == (
        120,
        "Five half-lives",
        root.id,
    )
    assert row.brands == "Aleve; Naprosyn"
    assert row.updated_at == change.at and change.at > seen
    (event,) = events("hold_rule.changed")
    assert (event.actor_id, event.actor_name) == (root.id, "root")
    assert detail(event) == {
        "drug": "naproxen",
        "before": {
            "brands": "Aleve; Naprosyn; Anaprox",
            "instruction": "",
            "stop_before_hours": 96,
        },
        "after": {
            "brands": "Aleve; Naprosyn",
            "instruction": "Five half-lives",
            "stop_before_hours": 120,
        },
    }
    (view,) = [r for r in hold_rules() if r.drug == "naproxen"]
    assert view.updated_by == "root"


def test_an_edit_over_someone_elses_newer_change_is_refused(root):
    seen = hold_row("naproxen").updated_at
    edit_hold_rule("naproxen", root, stop_before_hours=120, expected_updated_at=seen)

    refusal = refused(
        lambda: edit_hold_rule("naproxen", root, stop_before_hours=48, expected_updated_at=seen)
    )

    assert refusal.message == messages.HOLD_RULE_CHANGED_BY_SOMEONE_ELSE
    assert hold_row("naproxen").stop_before_hours == 120


@pytest.mark.parametrize(
    "drug,changes,field,message",
    [
        ("naproxen", {}, "drug", messages.NOTHING_CHANGED),
        (
            "naproxen",
            {"stop_before_hours": 721},
            "stop_before_hours",
            messages.HOLD_STOP_RANGE.format(max=720),
        ),
        (
            "naproxen",
            {"med_class": MedClass.OTHER},
            "stop_before_hours",
            messages.HOLD_NO_RELEVANCE_HAS_NO_STOP,
        ),
        ("naproxen", {"med_class": None}, "med_class", messages.HOLD_CLASS_REQUIRED),
        ("naproxen", {"source": ""}, "source", messages.HOLD_SOURCE_REQUIRED),
        (
            "apixaban",
            {"needs_clearance": False},
            "needs_clearance",
            messages.HOLD_CLEARANCE_REQUIRED,
        ),
        ("celecoxib", {}, "drug", messages.HOLD_DRUG_NOT_FOUND),
    ],
)
def test_a_bad_hold_table_edit_is_refused_and_nothing_is_written(
    root, drug, changes, field, message
):
    refusal = refused(lambda: edit_hold_rule(drug, root, **changes))
    assert (refusal.field, refusal.message) == (field, message)
    assert events("hold_rule.changed") == []
    assert current_hold_table() == DEFAULT_HOLD_TABLE


def test_an_admin_adds_a_drug_lower_case_once_audited(root):
    change = admin.add_hold_rule(hold_input(" Celecoxib ", brands="Celebrex"), actor=root)
    assert change.reclassed == ()

    row = hold_row("celecoxib")
    assert (row.med_class, row.stop_before_hours, row.active, row.updated_by_id) == (
        MedClass.NSAID,
        48,
        True,
        root.id,
    )
    assert row.brands == "Celebrex" and row.confirmed_by is None
    (event,) = events("hold_rule.added")
    assert detail(event)["drug"] == "celecoxib" and event.actor_id == root.id
    duplicate = refused(lambda: admin.add_hold_rule(hold_input("CELECOXIB"), actor=root))
    assert (duplicate.field, duplicate.message) == (
        "drug",
        messages.HOLD_DRUG_TAKEN.format(drug="celecoxib"),
    )
    assert len(events("hold_rule.added")) == 1


def test_a_row_is_confirmed_by_a_named_person_and_a_clinical_change_asks_again(root):
    seen = hold_row("apixaban").updated_at
    at = admin.confirm_hold_rule(
        "apixaban", " Dr. Medical Director ", expected_updated_at=seen, actor=root
    )
    row = hold_row("apixaban")
    assert (row.confirmed_by, row.confirmed_on) == ("Dr. Medical Director", at.date())
    (event,) = events("hold_rule.confirmed")
    assert detail(event)["confirmed_by"] == "Dr. Medical Director" and event.actor_id == root.id

    edit_hold_rule("apixaban", root, instruction="Take the last dose with food")
    assert hold_row("apixaban").confirmed_by == "Dr. Medical Director"  # wording only
    edit_hold_rule("apixaban", root, stop_before_hours=96)
    assert hold_row("apixaban").confirmed_by is None  # a clinical change: confirm again
    stale = refused(
        lambda: admin.confirm_hold_rule("apixaban", "X", expected_updated_at=seen, actor=root)
    )
    assert stale.message == messages.HOLD_RULE_CHANGED_BY_SOMEONE_ELSE


# --- intake classes drugs from the table as the admins keep it -----------------------------


def added(case_id: int, drug: str, nurse: Actor) -> CaseMedication:
    med_id = medications.add_medication(case_id, drug, actor=nurse)
    return med_row(med_id)


def med_row(med_id: int) -> CaseMedication:
    with read_session() as s:
        found = s.get(CaseMedication, med_id)
        s.expunge(found)
        return found


def test_an_admins_edit_changes_how_intake_classes_a_newly_added_drug(office, root, nina):
    after_edit = make_case(office)
    edit_hold_rule("ibuprofen", root, stop_before_hours=72)
    admin.add_hold_rule(hold_input("celecoxib", brands="Celebrex"), actor=root)

    ibuprofen = added(after_edit, "Advil 400 mg", nina)
    celecoxib = added(after_edit, "Celebrex", nina)
    assert (ibuprofen.med_class, ibuprofen.stop_before_hours, ibuprofen.dose) == (
        MedClass.NSAID,
        72,
        "400 mg",
    )
    assert (celecoxib.drug, celecoxib.stop_before_hours, celecoxib.needs_review) == (
        "celecoxib",
        48,
        False,
    )


def test_editing_the_hold_table_reclasses_the_drugs_of_open_cases_audited_and_listed(
    office, root, nina
):
    open_case = make_case(office)
    discharged = make_case(office, CaseStatus.DISCHARGED)
    mine = added(open_case, "Advil", nina)
    with transaction() as s:  # history: a discharged case's drug as it was given
        s.add(
            CaseMedication(
                case_id=discharged,
                drug="ibuprofen",
                hold_rule="ibuprofen",
                med_class=MedClass.NSAID,
                stop_before_hours=24,
            )
        )
    medications.confirm_hold_with_patient(mine.id, actor=nina)

    change = edit_hold_rule("ibuprofen", root, stop_before_hours=72)

    assert change.reclassed == (open_case_code(open_case),)
    row = med_row(mine.id)
    assert row.stop_before_hours == 72
    assert row.hold_confirmed_at is None  # the patient must be told the new time
    with read_session() as s:
        old = s.scalar(
            select(CaseMedication.stop_before_hours).where(CaseMedication.case_id == discharged)
        )
    assert old == 24
    (event,) = events("medication.reclassed")
    assert event.actor_id == root.id and event.entity_id == open_case
    assert detail(event)["from"]["stop_before_hours"] == 24
    assert detail(event)["to"]["stop_before_hours"] == 72


def test_a_new_row_places_open_drugs_the_table_did_not_know(office, root, nina):
    case_id = make_case(office)
    mystery = added(case_id, "Celebrex 200 mg", nina)
    assert mystery.needs_review

    change = admin.add_hold_rule(hold_input("celecoxib", brands="Celebrex"), actor=root)

    assert change.reclassed == (open_case_code(case_id),)
    row = med_row(mystery.id)
    assert (row.drug, row.needs_review, row.stop_before_hours) == ("celecoxib", False, 48)


def open_case_code(case_id: int) -> str:
    with read_session() as s:
        return s.get(Case, case_id).code


def test_a_drug_taken_out_of_use_is_unknown_to_intake_and_needs_review(office, root, nina):
    edit_hold_rule("naproxen", root, active=False)

    med = added(make_case(office), "naproxen", nina)

    assert (med.med_class, med.needs_review, med.stop_before_hours) == (
        MedClass.UNKNOWN,
        True,
        None,
    )


def test_a_drug_a_nurse_placed_follows_its_row_when_the_table_changes(office, root, nina):
    case_id = make_case(office)
    typo = added(case_id, "Eliqis", nina)  # not a name the table knows
    medications.place_drug(typo.id, "apixaban", "Pharmacy: a misspelt Eliquis", actor=nina)

    edit_hold_rule("apixaban", root, stop_before_hours=96)

    row = med_row(typo.id)
    assert (row.drug, row.needs_review, row.stop_before_hours) == ("apixaban", False, 96)


def test_a_glp1_hold_decision_survives_a_hold_table_edit(office, root, nina):
    case_id = make_case(office, CaseStatus.INTAKE)
    ozempic = added(case_id, "Ozempic", nina)
    medications.record_glp1_decision(
        ozempic.id, {"gi_symptoms": True}, Glp1Decision.HOLD, "Dr. Sleep", actor=nina
    )
    assert med_row(ozempic.id).stop_before_hours == 168  # weekly by its row

    edit_hold_rule("semaglutide, weekly injection", root, brands="Ozempic; Wegovy; Other")

    assert med_row(ozempic.id).stop_before_hours == 168
