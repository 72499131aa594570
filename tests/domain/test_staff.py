"""Staff: what each role sees, which offices, and the rules for usernames and passwords."""

from __future__ import annotations

import pytest

from mild import messages
from mild.errors import RuleViolation
from mild.staff import (
    Role,
    Screen,
    check_password,
    check_username,
    may_open,
    office_scope,
    parse_role,
    screens_for,
)

ALL_OFFICES = {1, 2, 3}


def test_office_staff_start_on_home_a_provider_on_escalations_each_in_work_order() -> None:
    S = Screen
    # Everyone's last: their own account (the router draws it in the user bar, not the nav).
    assert screens_for(Role.NURSE) == [
        S.HOME,
        S.CHECKLIST,
        S.FOLLOW_UP,
        S.INTAKE,
        S.SCHEDULE,
        S.BOARD,
        S.ACCOUNT,
    ]
    assert screens_for(Role.COORDINATOR) == [S.HOME, S.INTAKE, S.SCHEDULE, S.BOARD, S.ACCOUNT]
    assert screens_for(Role.MANAGER) == [
        S.HOME,
        S.SCHEDULE,
        S.BOARD,
        S.METRICS,
        S.AUDIT,
        S.ACCOUNT,
    ]
    # Their own cases' escalations, not the office's other patients (minimum necessary).
    assert screens_for(Role.PROVIDER) == [S.ESCALATIONS, S.ACCOUNT]
    assert screens_for(Role.ADMIN) == list(S)
    assert [r for r in Role if may_open(r, S.ADMIN)] == [Role.ADMIN]
    for role in Role:
        assert may_open(role, Screen.HOME) == (role != Role.PROVIDER), role
        assert may_open(role, Screen.BOARD) == (role != Role.PROVIDER), role
    assert not may_open(Role.MANAGER, Screen.CHECKLIST)


def test_an_admin_sees_every_office_and_everyone_else_only_their_own() -> None:
    assert office_scope(Role.ADMIN, [1], ALL_OFFICES) == frozenset({1, 2, 3})
    assert office_scope(Role.ADMIN, [], ALL_OFFICES) == frozenset({1, 2, 3})
    for role in (Role.NURSE, Role.COORDINATOR, Role.MANAGER, Role.PROVIDER):
        assert office_scope(role, [2], ALL_OFFICES) == frozenset({2}), role
        assert office_scope(role, [], ALL_OFFICES) == frozenset(), role


def test_a_username_is_2_to_40_letters_digits_dots_dashes_lower_cased() -> None:
    assert check_username("  Nurse.Jo ") == "nurse.jo"
    assert check_username("ab") == "ab"
    assert check_username("a" + "b" * 39) == "a" + "b" * 39  # 40 characters
    for bad in ("", "a", "1nurse", "nurse jo", "nurse@office", "a" * 41):
        with pytest.raises(RuleViolation) as caught:
            check_username(bad)
        assert (caught.value.field, caught.value.message) == (
            "username",
            messages.USERNAME_FORMAT,
        ), bad


def test_a_password_has_8_to_256_characters_kept_as_typed() -> None:
    assert check_password("12345678") == "12345678"
    assert check_password(" pass word ") == " pass word "
    assert check_password("x" * 256) == "x" * 256

    with pytest.raises(RuleViolation) as caught:
        check_password("1234567")
    assert caught.value.field == "password"
    assert caught.value.message == "A password needs at least 8 characters."

    with pytest.raises(RuleViolation) as caught:
        check_password("x" * 257)
    assert caught.value.message == messages.PASSWORD_TOO_LONG


def test_a_role_is_read_ignoring_case_and_an_unknown_one_is_refused_listing_the_roles() -> None:
    assert parse_role(" Nurse ") == Role.NURSE
    assert parse_role("ADMIN") == Role.ADMIN
    with pytest.raises(RuleViolation) as caught:
        parse_role("surgeon")
    assert caught.value.field == "role"
    assert caught.value.message == (
        "Role must be one of: nurse, coordinator, manager, admin, provider."
    )
