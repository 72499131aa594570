"""A user's own account: the rules of the change-password form, every problem named at once,
and a single sign-on session sent to its identity provider."""

from __future__ import annotations

import pytest

from mild import messages
from mild.account import (
    BY_PASSWORD,
    BY_SSO,
    check_password_change,
    password_change_blocker,
    password_change_problems,
    password_changed_message,
)
from mild.errors import RuleViolation, RuleViolations

CURRENT = "old-password-1"
NEW = "new-password-2"


def test_a_new_password_typed_twice_that_differs_from_the_current_one_is_accepted():
    assert password_change_problems(CURRENT, NEW, NEW) == []
    assert check_password_change(CURRENT, NEW, NEW) == NEW


def test_an_empty_form_names_every_field_at_once_in_the_forms_order():
    assert password_change_problems("", "", "") == [
        ("current", messages.ACCOUNT_CURRENT_REQUIRED),
        ("password", messages.PASSWORD_TOO_SHORT.format(n=8)),
        ("repeat", messages.ACCOUNT_REPEAT_REQUIRED),
    ]


def test_the_new_password_follows_the_rules_an_admins_temporary_password_follows():
    assert password_change_problems(CURRENT, "short", "short") == [
        ("password", messages.PASSWORD_TOO_SHORT.format(n=8))
    ]
    long = "x" * 257
    assert password_change_problems(CURRENT, long, long) == [
        ("password", messages.PASSWORD_TOO_LONG)
    ]
    lone_surrogate = "abcdefgh\ud800"
    assert password_change_problems(CURRENT, lone_surrogate, lone_surrogate) == [
        ("password", messages.TEXT_NOT_STORABLE)
    ]


def test_the_new_password_must_differ_from_the_current_one():
    assert password_change_problems(CURRENT, CURRENT, CURRENT) == [
        ("password", messages.ACCOUNT_SAME_PASSWORD)
    ]


def test_the_repeat_must_match_the_new_password():
    assert password_change_problems(CURRENT, NEW, NEW + "x") == [
        ("repeat", messages.PASSWORDS_DIFFER)
    ]


def test_a_too_short_password_typed_differently_names_both_problems():
    assert password_change_problems(CURRENT, "short", "shorter") == [
        ("password", messages.PASSWORD_TOO_SHORT.format(n=8)),
        ("repeat", messages.PASSWORDS_DIFFER),
    ]


def test_a_refused_change_raises_every_problem_and_reads_as_the_first():
    with pytest.raises(RuleViolations) as caught:
        check_password_change("", NEW, "")
    refusal = caught.value
    assert isinstance(refusal, RuleViolation)
    assert (refusal.field, refusal.message) == ("current", messages.ACCOUNT_CURRENT_REQUIRED)
    assert [field for field, _ in refusal.problems] == ["current", "repeat"]


@pytest.mark.parametrize("via", [BY_PASSWORD, None])
def test_a_session_signed_in_with_a_password_may_change_it(via):
    assert password_change_blocker(via) is None


def test_a_single_sign_on_session_is_sent_to_its_identity_provider():
    assert password_change_blocker(BY_SSO) == messages.ACCOUNT_SSO


@pytest.mark.parametrize(
    "ended,words",
    [
        (0, "Password changed."),
        (1, "Password changed; your other session was signed out."),
        (3, "Password changed; your 3 other sessions were signed out."),
    ],
)
def test_the_change_says_how_many_other_sessions_were_signed_out(ended, words):
    assert password_changed_message(ended) == words
