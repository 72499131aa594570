"""Changing one's own password (services.account), on both backends: the other sessions end and
this one stays, every problem of the form is refused at once with nothing changed, a wrong
current password counts toward the lockout, and it is audited without either password."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from db.models import AuditEvent, SignInThrottle, StaffUser
from db.queries.account import landing_choice
from db.session import read_session
from mild import messages
from mild.account import BY_SSO
from mild.errors import RuleViolation, RuleViolations
from mild.staff import Role, Screen
from services import sessions
from services.account import change_own_password, choose_landing
from services.auth import sign_in
from services.common import Actor
from tests.builders import PASSWORD, make_office, make_user

NEW = "a-new-password-9"


@pytest.fixture
def nina(db_url) -> str:
    make_user("nina", Role.NURSE, [make_office("AA")])
    return "nina"


def signed_in(username: str, password: str = PASSWORD, **start) -> Actor:
    """A browser of `username` signed in with `password` (a session of its own)."""
    return sessions.start(sign_in(username, password), **start).actor


def refused(action) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        action()
    return caught.value


def password_hash(username: str) -> str:
    with read_session() as s:
        return s.scalar(select(StaffUser.password_hash).where(StaffUser.username == username))


def audit_rows() -> list[tuple[str, str | None]]:
    with read_session() as s:
        return list(s.execute(select(AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.id)))


def test_the_new_password_signs_in_and_every_other_session_ends_but_this_one(nina):
    here, tablet, desk = signed_in(nina), signed_in(nina), signed_in(nina)

    assert change_own_password(PASSWORD, NEW, NEW, actor=here) == 2

    assert sessions.check(session_id=here.session_id).actor == here
    for other in (tablet, desk):
        found = sessions.check(session_id=other.session_id)
        assert (found.actor, found.ended_reason) == (None, "password changed")
    assert refused(lambda: sign_in(nina, PASSWORD)).message == messages.SIGN_IN_FAILED
    assert sign_in(nina, NEW).username == nina


def test_the_change_is_audited_to_the_user_without_either_password(nina):
    here = signed_in(nina)
    signed_in(nina)  # a tablet
    change_own_password(PASSWORD, NEW, NEW, actor=here)

    rows = audit_rows()
    assert [action for action, _ in rows[-2:]] == [
        "auth.session_ended_by_password_change",
        "staff_user.password_changed",
    ]
    assert json.loads(rows[-1][1]) == {"username": "nina", "sessions_ended": 1}
    assert all(PASSWORD not in (d or "") and NEW not in (d or "") for _, d in rows)
    with read_session() as s:
        last = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert (last.actor_id, last.actor_name) == (here.id, "nina")


def test_every_problem_of_the_form_is_refused_at_once_and_nothing_changes(nina):
    here, tablet = signed_in(nina), signed_in(nina)
    before = password_hash(nina)

    refusal = refused(lambda: change_own_password("wrong-guess", "short", "other", actor=here))

    assert isinstance(refusal, RuleViolations)
    assert refusal.problems == (
        ("current", messages.ACCOUNT_CURRENT_WRONG),
        ("password", messages.PASSWORD_TOO_SHORT.format(n=8)),
        ("repeat", messages.PASSWORDS_DIFFER),
    )
    assert password_hash(nina) == before
    assert sessions.check(session_id=tablet.session_id).actor is not None
    assert [a for a, _ in audit_rows()][-1] == "staff_user.password_change_refused"


def test_a_right_current_password_with_a_bad_new_one_changes_nothing_and_counts_nothing(nina):
    here = signed_in(nina)
    refusal = refused(lambda: change_own_password(PASSWORD, NEW, NEW + "x", actor=here))
    assert refusal.problems == (("repeat", messages.PASSWORDS_DIFFER),)
    with read_session() as s:
        assert s.get(SignInThrottle, nina) is None


def test_wrong_current_passwords_lock_the_username_like_failed_sign_ins(nina):
    here = signed_in(nina)

    def guess():
        return refused(lambda: change_own_password("guess-1234", NEW, NEW, actor=here)).message

    assert [guess() for _ in range(4)] == [messages.ACCOUNT_CURRENT_WRONG] * 4
    locked = messages.SIGN_IN_LOCKED.format(minutes=15)

    assert guess() == locked
    # Locked: not even the right password changes it, nor signs in elsewhere.
    assert refused(lambda: change_own_password(PASSWORD, NEW, NEW, actor=here)).message == locked
    assert refused(lambda: sign_in(nina, PASSWORD)).message == locked
    assert "auth.locked" in [a for a, _ in audit_rows()]


def test_a_change_clears_the_failures_counted_before_it(nina):
    here = signed_in(nina)
    refused(lambda: change_own_password("guess-1234", NEW, NEW, actor=here))
    change_own_password(PASSWORD, NEW, NEW, actor=here)
    with read_session() as s:
        assert s.get(SignInThrottle, nina) is None


def test_a_change_through_a_session_that_ended_is_refused_and_nothing_changes(nina):
    here = signed_in(nina)
    before = password_hash(nina)
    sessions.end(here)

    assert refused(lambda: change_own_password(PASSWORD, NEW, NEW, actor=here)).message == (
        messages.SESSION_ENDED
    )
    assert password_hash(nina) == before


def test_a_single_sign_on_session_is_told_to_change_it_at_the_identity_provider(nina):
    here = signed_in(nina, via=BY_SSO)
    before = password_hash(nina)

    refusal = refused(lambda: change_own_password(PASSWORD, NEW, NEW, actor=here))

    assert (refusal.field, refusal.message) == ("current", messages.ACCOUNT_SSO)
    assert password_hash(nina) == before


# --- the screen a sign-in lands on ------------------------------------------------------------


def test_choosing_a_landing_screen_is_stored_and_audited_with_before_and_after(nina):
    actor = signed_in(nina)

    assert choose_landing("follow-up", actor=actor) == Screen.FOLLOW_UP

    assert landing_choice(actor.id) == "follow-up"
    with read_session() as s:
        detail = s.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "staff_user.landing_changed")
        )
    assert json.loads(detail) == {"from": None, "to": "follow-up"}


def test_a_landing_screen_the_role_may_not_open_is_refused_and_nothing_changes(nina):
    actor = signed_in(nina)

    err = refused(lambda: choose_landing("admin", actor=actor))

    assert (err.field, err.message) == ("landing", messages.LANDING_NOT_ALLOWED)
    assert landing_choice(actor.id) is None
