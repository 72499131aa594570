"""Session rules: the idle timeout, the sign-in lockout, their settings, safe redirects."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.errors import RuleViolation
from mild.sessions import (
    SessionPolicy,
    after_failure,
    idle_expired,
    is_locked,
    lock_expired,
    lock_warning_due,
    needs_touch,
    policy_from,
    safe_next,
)

NOW = dt.datetime(2026, 11, 24, 15, 0, tzinfo=dt.UTC)
POLICY = SessionPolicy()


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def test_the_defaults_are_15_idle_minutes_and_5_failures_locking_for_15_minutes():
    assert (POLICY.idle_minutes, POLICY.lockout_failures, POLICY.lockout_minutes) == (15, 5, 15)
    assert policy_from({}) == POLICY


def test_settings_come_from_the_environment_and_a_bad_value_names_its_variable():
    env = {"MILD_IDLE_MINUTES": "5", "MILD_LOCKOUT_FAILURES": " 3 ", "MILD_LOCKOUT_MINUTES": ""}
    assert policy_from(env) == SessionPolicy(idle_minutes=5, lockout_failures=3)
    for value in ("0", "-1", "abc", "1.5", "100000"):
        with pytest.raises(RuleViolation) as caught:
            policy_from({"MILD_IDLE_MINUTES": value})
        assert caught.value.field == "MILD_IDLE_MINUTES"
        assert caught.value.message == messages.SETTING_RANGE.format(
            name="MILD_IDLE_MINUTES", low=1, high=1440, value=value
        )


def test_a_session_idles_out_after_the_idle_minutes_but_a_waiting_room_display_never_does():
    assert not idle_expired(NOW - minutes(15), NOW, POLICY, display=False)
    assert idle_expired(NOW - minutes(15.01), NOW, POLICY, display=False)
    assert not idle_expired(NOW - minutes(600), NOW, POLICY, display=True)


def test_activity_is_written_at_most_every_30_seconds():
    assert not needs_touch(NOW - dt.timedelta(seconds=29), NOW, POLICY)
    assert needs_touch(NOW - dt.timedelta(seconds=30), NOW, POLICY)


def test_the_fifth_failure_locks_for_15_minutes_and_starts_a_new_count():
    count, last = 0, None
    for _ in range(4):
        failed = after_failure(count, last, NOW, POLICY)
        assert not failed.just_locked
        count, last = failed.count, NOW
    assert count == 4
    fifth = after_failure(count, last, NOW, POLICY)
    assert fifth == type(fifth)(0, NOW + minutes(15))
    assert is_locked(fifth.locked_until, NOW + minutes(14.9))
    assert not is_locked(fifth.locked_until, NOW + minutes(15))
    assert not is_locked(None, NOW)


def test_failures_older_than_the_lockout_period_are_forgotten():
    assert after_failure(4, NOW - minutes(16), NOW, POLICY).count == 1
    assert after_failure(4, NOW - minutes(14), NOW, POLICY).just_locked


@pytest.mark.parametrize(
    ("asked", "sent"),
    [
        ("/schedule", "/schedule"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_after_sign_in_the_browser_goes_back_only_to_a_page_of_this_site(asked, sent):
    assert safe_next(asked) == sent


# --- the idle lock (issue 13) -----------------------------------------------------------------

T0 = NOW
RULES = POLICY  # 15 minutes idle, a minute's warning, locked 12 hours at most


def idle_for(**kwargs) -> dt.datetime:
    return T0 + dt.timedelta(**kwargs)


def test_a_session_locks_after_15_idle_minutes_and_ends_12_hours_later():
    assert not idle_expired(T0, idle_for(minutes=15), RULES, display=False)
    assert idle_expired(T0, idle_for(minutes=15, seconds=1), RULES, display=False)
    assert not lock_expired(T0, idle_for(hours=12, minutes=15), RULES, display=False)
    assert lock_expired(T0, idle_for(hours=12, minutes=15, seconds=1), RULES, display=False)


def test_the_lock_is_announced_in_the_minute_before_it():
    assert not lock_warning_due(T0, idle_for(minutes=13, seconds=59), RULES, display=False)
    assert lock_warning_due(T0, idle_for(minutes=14), RULES, display=False)
    assert lock_warning_due(T0, idle_for(minutes=15), RULES, display=False)
    assert not lock_warning_due(T0, idle_for(minutes=15, seconds=1), RULES, display=False)


def test_a_waiting_room_display_never_locks_warns_or_ends():
    later = idle_for(hours=30)
    assert not idle_expired(T0, later, RULES, display=True)
    assert not lock_expired(T0, later, RULES, display=True)
    assert not lock_warning_due(T0, idle_for(minutes=14), RULES, display=True)


def test_the_locks_lifetime_is_a_setting_of_1_to_72_hours():
    assert policy_from({"MILD_LOCK_HOURS": "8"}).lock_hours == 8
    for bad in ("0", "73", "x"):
        with pytest.raises(RuleViolation):
            policy_from({"MILD_LOCK_HOURS": bad})
