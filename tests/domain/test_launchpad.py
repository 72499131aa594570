"""Today's counts open the screen where their work is done (issue 13)."""

from __future__ import annotations

import pytest

from mild import messages
from mild.errors import RuleViolation
from mild.launchpad import (
    CountKind,
    check_landing,
    count_opens,
    landing_choices,
    landing_screen,
)
from mild.staff import Role, Screen, may_open


def test_a_nurse_opens_the_days_cases_on_the_checklist():
    assert count_opens(Role.NURSE, CountKind.DAY) == Screen.CHECKLIST
    assert count_opens(Role.ADMIN, CountKind.DAY) == Screen.CHECKLIST


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.MANAGER])
def test_a_coordinator_or_manager_opens_the_days_cases_on_the_schedule(role):
    assert count_opens(role, CountKind.DAY) == Screen.SCHEDULE


def test_cancellations_open_the_schedule_for_everyone_who_may_see_it():
    for role in (Role.NURSE, Role.COORDINATOR, Role.MANAGER, Role.ADMIN):
        assert count_opens(role, CountKind.CANCELLED) == Screen.SCHEDULE


def test_follow_ups_open_the_follow_up_screen_only_for_who_makes_the_calls():
    assert count_opens(Role.NURSE, CountKind.FOLLOW_UP) == Screen.FOLLOW_UP
    assert count_opens(Role.COORDINATOR, CountKind.FOLLOW_UP) is None
    assert count_opens(Role.MANAGER, CountKind.FOLLOW_UP) is None


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("kind", list(CountKind))
def test_a_count_never_opens_a_screen_the_role_may_not_open(role, kind):
    screen = count_opens(role, kind)
    assert screen is None or may_open(role, screen)


# --- the screen a sign-in lands on ---------------------------------------------------------------


def test_a_sign_in_lands_on_today_until_the_user_chooses_another_screen():
    assert landing_screen(Role.NURSE, None) == Screen.HOME
    assert landing_screen(Role.NURSE, "checklist") == Screen.CHECKLIST


def test_a_provider_without_today_lands_on_their_escalations():
    assert landing_screen(Role.PROVIDER, None) == Screen.ESCALATIONS


def test_a_choice_the_role_no_longer_opens_falls_back_to_today():
    """A nurse who chose the checklist and became a coordinator lands on Today."""
    assert landing_screen(Role.COORDINATOR, "checklist") == Screen.HOME
    assert landing_screen(Role.NURSE, "no-such-screen") == Screen.HOME


@pytest.mark.parametrize("role", list(Role))
def test_every_screen_the_role_opens_may_be_chosen_but_not_my_account(role):
    choices = landing_choices(role)
    assert Screen.ACCOUNT not in choices
    for screen in choices:
        assert may_open(role, screen) and check_landing(role, screen.value) == screen


@pytest.mark.parametrize("chosen", [None, "", "account", "admin", "nonsense"])
def test_a_landing_a_nurse_may_not_open_is_refused(chosen):
    with pytest.raises(RuleViolation) as refused:
        check_landing(Role.NURSE, chosen)
    assert (refused.value.field, refused.value.message) == (
        "landing",
        messages.LANDING_NOT_ALLOWED,
    )
