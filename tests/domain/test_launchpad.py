"""Today's counts open the screen where their work is done (issue 13)."""

from __future__ import annotations

import pytest

from mild.launchpad import CountKind, count_opens
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
