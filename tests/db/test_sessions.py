"""Server-side sessions and the sign-in lockout, on both backends: the ticket traded once for
the cookie token, the checks on every request, the idle timeout, sign-out and a disabled
account ending a session at once, a write refused after its session ended, and the lock."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from db.models import AuditEvent, Case, SignInThrottle, StaffUser, UserSession
from db.session import read_session, transaction
from mild import messages
from mild.account import BY_SSO
from mild.cases import CaseStatus
from mild.errors import RuleViolation
from mild.staff import Role
from services import lock, sessions
from services.auth import end_display, sign_in, sign_in_sso, start_display
from services.cases import advance_case
from tests.builders import PASSWORD, make_case, make_office, make_user


@pytest.fixture
def office(db_url) -> int:
    return make_office("AA")


@pytest.fixture
def nina(office):
    make_user("nina", Role.NURSE, [office])
    return sign_in("nina", PASSWORD)


def row(session_id: int) -> UserSession:
    with read_session() as s:
        found = s.get(UserSession, session_id)
        s.expunge(found)
        return found


def set_row(session_id: int, **values) -> None:
    with transaction() as s:
        found = s.get(UserSession, session_id)
        for name, value in values.items():
            setattr(found, name, value)


def actions() -> list[str]:
    with read_session() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def ago(**kwargs) -> dt.datetime:
    return dt.datetime.now(dt.UTC) - dt.timedelta(**kwargs)


def refused(action) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        action()
    return caught.value


# --- the ticket and the cookie token ---------------------------------------------------------


def test_a_sign_in_ticket_is_traded_once_for_a_token_and_only_hashes_are_stored(nina):
    started = sessions.start(nina, user_agent="tablet")
    assert started.actor.session_id is not None and started.actor.username == "nina"

    token = sessions.adopt(started.ticket)

    assert token and sessions.adopt(started.ticket) is None  # once only
    stored = row(started.actor.session_id)
    assert stored.token_hash == sessions.digest(token) and token not in stored.token_hash
    assert stored.ticket_hash is None and stored.user_agent == "tablet"
    found = sessions.check(token=token)
    assert found.actor == started.actor
    assert sessions.check(token="not-a-token").actor is None
    assert "auth.session_started" in actions()


def test_a_stale_ticket_or_one_of_an_ended_session_opens_nothing(nina):
    late = sessions.start(nina)
    set_row(late.actor.session_id, ticket_expires_at=ago(seconds=1))
    assert sessions.adopt(late.ticket) is None
    ended = sessions.start(nina)
    sessions.end(ended.actor)
    assert sessions.adopt(ended.ticket) is None
    assert sessions.adopt("") is None and sessions.adopt("x" * 500) is None


# --- checks on every request -----------------------------------------------------------------


def test_activity_is_recorded_at_most_every_30_seconds_and_a_timer_check_records_none(nina):
    actor = sessions.start(nina).actor
    sid = actor.session_id
    set_row(sid, last_activity_at=ago(seconds=10))
    before = row(sid).last_activity_at
    assert sessions.check(session_id=sid).actor == actor
    assert row(sid).last_activity_at == before  # too soon to write again
    set_row(sid, last_activity_at=ago(seconds=40))
    before = row(sid).last_activity_at
    sessions.check(session_id=sid, touch=False)
    assert row(sid).last_activity_at == before
    sessions.check(session_id=sid)
    assert row(sid).last_activity_at > before


def test_a_session_idle_for_more_than_15_minutes_locks_when_next_seen_audited_once(nina):
    sid = sessions.start(nina).actor.session_id
    set_row(sid, last_activity_at=ago(minutes=15, seconds=5))

    found = sessions.check(session_id=sid, touch=False)
    again = sessions.check(session_id=sid)  # a locked screen's run is no activity

    assert found.locked and found.actor is not None and found.ended_reason is None
    assert again.locked and row(sid).ended_at is None
    assert row(sid).last_activity_at < ago(minutes=15)
    assert actions().count("auth.session_locked") == 1


def test_a_session_locked_longer_than_the_locks_lifetime_ends(nina):
    sid = sessions.start(nina).actor.session_id
    set_row(sid, last_activity_at=ago(minutes=15, hours=12, seconds=5))

    found = sessions.check(session_id=sid, touch=False)

    assert (found.actor, found.ended_reason) == (None, sessions.IDLE)
    assert row(sid).end_reason == sessions.IDLE
    assert actions()[-1] == "auth.session_timed_out"
    assert sessions.check(session_id=sid).ended_reason == sessions.IDLE  # stays ended


def test_the_idle_timeout_and_the_locks_lifetime_are_configurable(nina, monkeypatch):
    monkeypatch.setenv("MILD_IDLE_MINUTES", "2")
    monkeypatch.setenv("MILD_LOCK_HOURS", "1")
    sid = sessions.start(nina).actor.session_id
    set_row(sid, last_activity_at=ago(minutes=1))
    assert not sessions.check(session_id=sid).locked
    set_row(sid, last_activity_at=ago(minutes=3))
    assert sessions.check(session_id=sid).locked
    set_row(sid, last_activity_at=ago(minutes=63))
    assert sessions.check(session_id=sid).ended_reason == sessions.IDLE


def test_the_locked_sessions_own_password_unlocks_it_and_is_activity(nina):
    actor = sessions.start(nina).actor
    set_row(actor.session_id, last_activity_at=ago(minutes=20))
    assert sessions.check(session_id=actor.session_id).locked

    lock.unlock(actor, PASSWORD)

    found = sessions.check(session_id=actor.session_id)
    assert not found.locked and found.actor == actor
    assert actions()[-2:] == ["auth.session_locked", "auth.session_unlocked"]


def test_a_wrong_password_keeps_it_locked_and_counts_like_a_failed_sign_in(nina):
    actor = sessions.start(nina).actor
    set_row(actor.session_id, last_activity_at=ago(minutes=20))
    for _ in range(4):
        err = refused(lambda: lock.unlock(actor, "not-her-password"))
        assert (err.field, err.message) == ("password", messages.UNLOCK_PASSWORD_WRONG)
    err = refused(lambda: lock.unlock(actor, "not-her-password"))  # the fifth: locked out
    assert err.message == messages.SIGN_IN_LOCKED.format(minutes=15)
    err = refused(lambda: lock.unlock(actor, PASSWORD))  # even the right one, for now
    assert err.message == messages.SIGN_IN_LOCKED.format(minutes=15)

    assert sessions.check(session_id=actor.session_id).locked
    assert actions().count("auth.unlock_failed") == 5
    assert "auth.locked" in actions()


def test_unlocking_without_a_password_is_refused_beside_the_field(nina):
    actor = sessions.start(nina).actor
    err = refused(lambda: lock.unlock(actor, ""))
    assert (err.field, err.message) == ("password", messages.UNLOCK_PASSWORD_REQUIRED)


def test_a_waiting_room_display_does_not_idle_out(nina, office):
    sid = sessions.start(nina).actor.session_id
    set_row(sid, display_offices=str(office), last_activity_at=ago(hours=5))
    found = sessions.check(session_id=sid)
    assert found.actor is not None and found.display_offices == (office,)


def test_sign_out_ends_the_session_for_every_tab_at_once(nina):
    started = sessions.start(nina)
    token = sessions.adopt(started.ticket)
    sessions.end(started.actor)
    assert sessions.check(token=token).ended_reason == sessions.SIGNED_OUT
    assert sessions.check(session_id=started.actor.session_id).actor is None
    assert actions()[-1] == "auth.sign_out"


def test_disabling_an_account_ends_its_sessions_when_next_seen(nina):
    sid = sessions.start(nina).actor.session_id
    with transaction() as s:
        s.scalars(select(StaffUser).where(StaffUser.username == "nina")).one().active = False
    assert sessions.check(session_id=sid).ended_reason == sessions.DISABLED
    assert actions()[-1] == "auth.session_ended"


def test_a_write_through_an_ended_or_idle_session_is_refused_and_nothing_is_saved(nina, office):
    case_id = make_case(office, CaseStatus.REQUESTED)
    idle = sessions.start(nina).actor
    set_row(idle.session_id, last_activity_at=ago(minutes=20))
    ended = sessions.start(nina).actor
    sessions.end(ended)
    for actor, message in (
        (idle, messages.SESSION_LOCKED_NOT_SAVED),
        (ended, messages.SESSION_ENDED),
    ):
        err = refused(lambda a=actor: advance_case(case_id, CaseStatus.INTAKE, actor=a))
        assert (err.field, err.message) == ("session", message)
    with read_session() as s:
        assert s.get(Case, case_id).status == CaseStatus.REQUESTED
    live = sessions.start(nina).actor
    advance_case(case_id, CaseStatus.INTAKE, actor=live)
    with read_session() as s:
        assert s.get(Case, case_id).status == CaseStatus.INTAKE


# --- lockout ----------------------------------------------------------------------------------


def failures(username: str, n: int, password: str = "wrong-password") -> list[str]:
    said = []
    for _ in range(n):
        said.append(refused(lambda: sign_in(username, password)).message)
    return said


def test_five_failed_sign_ins_lock_the_account_for_15_minutes_even_for_the_right_password(nina):
    locked = messages.SIGN_IN_LOCKED.format(minutes=15)
    assert failures("nina", 5) == [messages.SIGN_IN_FAILED] * 4 + [locked]
    assert refused(lambda: sign_in("nina", PASSWORD)).message == locked
    assert actions().count("auth.locked") == 1
    assert actions()[-1] == "auth.sign_in_locked"

    with transaction() as s:  # the 15 minutes pass
        s.get(SignInThrottle, "nina").locked_until = ago(seconds=1)
    assert sign_in("nina", PASSWORD).username == "nina"
    with read_session() as s:
        assert s.get(SignInThrottle, "nina") is None  # a success starts afresh


def test_an_unknown_username_locks_the_same_way_so_the_lock_reveals_nothing(office):
    make_user("nina", Role.NURSE, [office])
    known = failures("nina", 6)
    unknown = failures("ghost", 6)
    assert known == unknown


def test_the_lockout_is_configurable(nina, monkeypatch):
    monkeypatch.setenv("MILD_LOCKOUT_FAILURES", "2")
    monkeypatch.setenv("MILD_LOCKOUT_MINUTES", "30")
    assert failures("nina", 2)[-1] == messages.SIGN_IN_LOCKED.format(minutes=30)
    with read_session() as s:
        until = s.get(SignInThrottle, "nina").locked_until
    assert dt.timedelta(minutes=29) < until - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=30)


def test_failed_sign_ins_are_counted_per_username_only(office):
    make_user("nina", Role.NURSE, [office])
    make_user("cora", Role.COORDINATOR, [office])
    failures("nina", 5)
    assert sign_in("cora", PASSWORD).username == "cora"
    with read_session() as s:
        assert s.scalar(select(func.count()).select_from(SignInThrottle)) == 1


# --- single sign-on ---------------------------------------------------------------------------


def test_single_sign_on_finds_the_active_user_by_email_and_roles_come_from_our_table(office):
    make_user("nina", Role.NURSE, [office])
    with transaction() as s:
        s.scalars(
            select(StaffUser).where(StaffUser.username == "nina")
        ).one().email = "nina@example.test"

    actor = sign_in_sso("  Nina@Example.TEST ")

    assert (actor.username, actor.role, actor.office_ids) == ("nina", Role.NURSE, {office})
    with read_session() as s:
        (event,) = s.scalars(select(AuditEvent).where(AuditEvent.action == "auth.sign_in"))
        assert event.detail == '{"via": "sso"}'


def test_single_sign_on_refuses_an_address_no_active_account_carries_and_audits_it(office):
    make_user("gone", Role.NURSE, [office], active=False)
    with transaction() as s:
        s.scalars(select(StaffUser).where(StaffUser.username == "gone")).one().email = "g@x.test"
    for email in ("nobody@x.test", "g@x.test"):
        err = refused(lambda e=email: sign_in_sso(e))
        assert err.message == messages.SSO_NOT_A_USER.format(email=email)
    assert refused(lambda: sign_in_sso("  ")).message == messages.SSO_NO_EMAIL
    assert actions() == ["auth.sso_refused", "auth.sso_refused"]


def test_guessing_the_waiting_room_display_password_locks_like_failed_sign_ins(nina, office):
    actor = sessions.start(nina).actor
    start_display(actor, [office])
    said = [refused(lambda: end_display(actor, "a-guess")).message for _ in range(5)]
    locked = messages.SIGN_IN_LOCKED.format(minutes=15)
    assert said == [messages.DISPLAY_PASSWORD_WRONG] * 4 + [locked]
    assert refused(lambda: end_display(actor, PASSWORD)).message == locked
    assert row(actor.session_id).display_offices == str(office)  # the display stays on
    assert refused(lambda: sign_in("nina", PASSWORD)).message == locked


def test_a_single_sign_on_sessions_lock_takes_no_password_and_counts_no_guess(nina):
    actor = sessions.start(nina, via=BY_SSO).actor
    set_row(actor.session_id, last_activity_at=ago(minutes=20))

    err = refused(lambda: lock.unlock(actor, PASSWORD))

    assert (err.field, err.message) == ("password", messages.UNLOCK_SSO)
    assert sessions.check(session_id=actor.session_id).locked
    with read_session() as s:
        assert s.get(SignInThrottle, "nina") is None
