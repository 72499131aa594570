"""Rules of the admin screen: office codes and zones, accounts, lock-out protection, sessions,
and the medication hold table."""

from __future__ import annotations

import datetime as dt

import pytest

from mild import messages
from mild.admin import (
    ALWAYS_CLEARED,
    HOLD_HOURS_MAX,
    HoldRuleInput,
    browser_label,
    check_admin,
    check_confirmer,
    check_display_name,
    check_hold_drug,
    check_hold_rule,
    check_new_password,
    check_office_code,
    check_office_name,
    check_offices_for_role,
    check_role,
    check_timezone,
    normalize_email,
    office_deactivation_blocker,
    self_lockout_blocker,
    session_end_blocker,
    time_ago,
    timezone_names,
)
from mild.medications import DEFAULT_HOLD_TABLE, HOURS, MedClass
from mild.staff import Role
from tests.builders import refusal

# --- who may administer ---------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.NURSE, Role.COORDINATOR, Role.MANAGER])
def test_only_an_admin_may_administer(role):
    assert refusal(check_admin, role) == ("role", messages.ADMIN_ONLY)


def test_a_disabled_admin_may_not_administer_and_an_active_one_may():
    assert refusal(check_admin, Role.ADMIN, active=False) == ("role", messages.ADMIN_ONLY)
    check_admin(Role.ADMIN)


# --- offices --------------------------------------------------------------------------------


def test_an_office_code_is_stored_upper_case_and_trimmed():
    assert check_office_code("  nth2 ") == "NTH2"


@pytest.mark.parametrize("code", ["", "N", "NORTH-1", "ABCDEFGHIJKLM", "NÖR", "N TH"])
def test_an_office_code_of_other_characters_or_length_is_refused(code):
    assert refusal(check_office_code, code) == ("code", messages.OFFICE_CODE_FORMAT)


def test_an_office_name_is_required_collapsed_and_limited():
    assert check_office_name("  North   Clinic ") == "North Clinic"
    assert refusal(check_office_name, "   ") == ("name", messages.OFFICE_NAME_REQUIRED)
    assert refusal(check_office_name, "x" * 121) == (
        "name",
        messages.TEXT_TOO_LONG.format(limit=120),
    )


@pytest.mark.parametrize("tz", ["America/Chicago", "Europe/Berlin", "UTC", "America/Denver"])
def test_an_iana_time_zone_is_accepted(tz):
    assert check_timezone(f" {tz} ") == tz


@pytest.mark.parametrize("tz", ["Mars/Base", "", "EST+5", "../etc/passwd", "america/chicago"])
def test_anything_but_an_iana_time_zone_name_is_refused(tz):
    field, message = refusal(check_timezone, tz)
    assert field == "timezone"
    assert message == messages.TIMEZONE_UNKNOWN.format(tz=tz.strip())


def test_the_time_zone_picker_lists_area_city_names_sorted_and_each_passes_the_check():
    names = timezone_names()
    assert list(names) == sorted(names)
    assert {"America/New_York", "America/Chicago", "America/Los_Angeles", "UTC"} <= set(names)
    assert all(check_timezone(n) == n for n in names)


def test_an_office_with_open_cases_cannot_be_deactivated_and_one_without_can():
    assert office_deactivation_blocker("NTH", 0) is None
    assert office_deactivation_blocker("NTH", 3) == messages.OFFICE_HAS_OPEN_CASES.format(
        code="NTH", n=3
    )


# --- accounts -------------------------------------------------------------------------------


def test_a_blank_display_name_becomes_the_username_and_a_long_one_is_refused():
    assert check_display_name("  ", "jdoe") == "jdoe"
    assert check_display_name(" Jo   Doe ", "jdoe") == "Jo Doe"
    assert refusal(check_display_name, "x" * 121, "jdoe")[0] == "display_name"


def test_a_temporary_password_follows_the_password_rules_and_must_be_typed_twice_alike():
    assert check_new_password("long-enough-1", "long-enough-1") == "long-enough-1"
    assert refusal(check_new_password, "short", "short") == (
        "password",
        messages.PASSWORD_TOO_SHORT.format(n=8),
    )
    assert refusal(check_new_password, "long-enough-1", "long-enough-2") == (
        "repeat",
        messages.PASSWORDS_DIFFER,
    )


def test_an_sso_email_is_stored_lower_case_and_blank_means_none():
    assert normalize_email("  Jo.Doe@Example.ORG ") == "jo.doe@example.org"
    assert normalize_email("") is None
    assert normalize_email(None) is None


@pytest.mark.parametrize(
    "email", ["jo", "jo@", "@example.org", "jo doe@example.org", "jo@example", "a@b@c.org"]
)
def test_a_mistyped_sso_email_is_refused(email):
    assert refusal(normalize_email, email) == ("email", messages.EMAIL_FORMAT)


def test_an_sso_email_longer_than_the_column_is_refused():
    assert refusal(normalize_email, "a" * 250 + "@x.org") == ("email", messages.EMAIL_FORMAT)


def test_a_role_must_be_chosen():
    assert refusal(check_role, None) == ("role", messages.ROLE_REQUIRED)
    assert check_role(Role.NURSE) == Role.NURSE


@pytest.mark.parametrize("role", [Role.NURSE, Role.COORDINATOR, Role.MANAGER])
def test_everyone_but_an_admin_needs_an_office(role):
    assert refusal(check_offices_for_role, role, 0) == ("offices", messages.OFFICES_REQUIRED)
    check_offices_for_role(role, 1)
    check_offices_for_role(Role.ADMIN, 0)


def test_an_admin_cannot_disable_themself():
    assert self_lockout_blocker(7, 7, active=False, role=Role.ADMIN) == (
        "active",
        messages.CANNOT_DISABLE_SELF,
    )


@pytest.mark.parametrize("role", [Role.NURSE, Role.COORDINATOR, Role.MANAGER])
def test_an_admin_cannot_take_away_their_own_admin_role(role):
    assert self_lockout_blocker(7, 7, active=True, role=role) == (
        "role",
        messages.CANNOT_DEMOTE_SELF,
    )


def test_an_admin_may_disable_or_demote_another_admin_and_keep_their_own_role():
    assert self_lockout_blocker(7, 8, active=False, role=Role.NURSE) is None
    assert self_lockout_blocker(7, 7, active=True, role=Role.ADMIN) is None
    assert self_lockout_blocker(None, 7, active=False, role=Role.NURSE) is None  # command line


# --- sessions -------------------------------------------------------------------------------


def test_an_admin_ends_their_own_browsers_session_with_sign_out_not_from_the_list():
    assert session_end_blocker(5, 5) == messages.SESSION_IS_YOURS
    assert session_end_blocker(5, 6) is None
    assert session_end_blocker(5, None) is None


# --- the medication hold table --------------------------------------------------------------


def test_a_hold_table_drug_is_keyed_as_intake_looks_it_up():
    assert check_hold_drug("  Ginkgo   Biloba ") == "ginkgo biloba"


@pytest.mark.parametrize(
    "name,field,message",
    [
        ("", "drug", messages.DRUG_REQUIRED),
        ("<script>", "drug", messages.DRUG_NAME_CHARACTERS),
        ("x" * 81, "drug", messages.TEXT_TOO_LONG.format(limit=80)),
    ],
)
def test_a_bad_hold_table_drug_name_is_refused(name, field, message):
    assert refusal(check_hold_drug, name) == (field, message)


def typed(**changes) -> HoldRuleInput:
    values = dict(
        drug="Vorapaxar",
        generic="vorapaxar",
        brands="Zontivity",
        med_class=MedClass.P2Y12_INHIBITOR,
        stop_before_hours=336,
        skip_on_day=False,
        restart_after_hours=24,
        needs_clearance=True,
        instruction="",
        source="Practice decision, 2026-12",
    )
    return HoldRuleInput(**{**values, **changes})


def as_typed(rule) -> HoldRuleInput:
    return HoldRuleInput(
        drug=rule.drug,
        generic=rule.generic,
        brands="; ".join(rule.brands),
        med_class=rule.med_class,
        stop_before_hours=None if rule.stop_before is None else rule.stop_before / HOURS,
        skip_on_day=rule.skip_on_day,
        restart_after_hours=None if rule.restart_after is None else rule.restart_after / HOURS,
        needs_clearance=rule.needs_clearance,
        instruction=rule.instruction,
        source=rule.source,
    )


def test_every_default_hold_rule_passes_the_rules_the_admin_screen_applies():
    for rule in DEFAULT_HOLD_TABLE.values():
        assert check_hold_rule(as_typed(rule)) == rule


def test_a_hold_rule_is_stored_with_durations_and_brand_names():
    rule = check_hold_rule(typed(brands=" Zontivity ;  ; Other Brand "))
    assert rule.drug == "vorapaxar" and rule.stop_before == 336 * HOURS
    assert rule.brands == ("Zontivity", "Other Brand")
    assert rule.restart_after == 24 * HOURS


def test_a_hold_rule_needs_a_class_other_than_unknown():
    for med_class in (None, MedClass.UNKNOWN):
        assert refusal(check_hold_rule, typed(med_class=med_class)) == (
            "med_class",
            messages.HOLD_CLASS_REQUIRED,
        )


@pytest.mark.parametrize("hours", [-1, HOLD_HOURS_MAX + 1, 2.5, True, float("nan")])
def test_stop_and_restart_hours_outside_0_to_720_whole_hours_are_refused(hours):
    assert refusal(check_hold_rule, typed(stop_before_hours=hours)) == (
        "stop_before_hours",
        messages.HOLD_STOP_RANGE.format(max=HOLD_HOURS_MAX),
    )
    assert refusal(check_hold_rule, typed(restart_after_hours=hours)) == (
        "restart_after_hours",
        messages.HOLD_RESTART_RANGE.format(max=HOLD_HOURS_MAX),
    )


def test_a_drug_with_no_bleeding_or_fasting_relevance_has_no_stop():
    other = typed(med_class=MedClass.OTHER, needs_clearance=False)
    assert refusal(check_hold_rule, other) == (
        "stop_before_hours",
        messages.HOLD_NO_RELEVANCE_HAS_NO_STOP,
    )
    assert (
        check_hold_rule(typed(**{**other.__dict__, "stop_before_hours": None})).stop_before is None
    )


@pytest.mark.parametrize("med_class", sorted(ALWAYS_CLEARED))
def test_an_anticoagulant_or_antiplatelet_stop_always_needs_the_prescribers_clearance(med_class):
    assert refusal(check_hold_rule, typed(med_class=med_class, needs_clearance=False)) == (
        "needs_clearance",
        messages.HOLD_CLEARANCE_REQUIRED,
    )


def test_aspirin_clearance_is_left_to_the_practice():
    assert MedClass.ASPIRIN not in ALWAYS_CLEARED
    rule = check_hold_rule(typed(med_class=MedClass.ASPIRIN, needs_clearance=False))
    assert not rule.needs_clearance


def test_a_hold_rule_names_its_source():
    assert refusal(check_hold_rule, typed(source="  ")) == (
        "source",
        messages.HOLD_SOURCE_REQUIRED,
    )


def test_brand_names_use_the_characters_a_drug_name_may():
    assert refusal(check_hold_rule, typed(brands="Zontivity; <b>x</b>")) == (
        "brands",
        messages.HOLD_BRANDS_FORMAT,
    )


def test_a_hold_instruction_is_limited_in_length():
    assert refusal(check_hold_rule, typed(instruction="x" * 301)) == (
        "instruction",
        messages.TEXT_TOO_LONG.format(limit=300),
    )


def test_a_row_is_confirmed_by_a_named_person():
    assert check_confirmer("  Dr. Medical Director ") == "Dr. Medical Director"
    assert refusal(check_confirmer, " ") == ("confirmed_by", messages.HOLD_CONFIRMED_BY_REQUIRED)


@pytest.mark.parametrize(
    "agent,label",
    [
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131 on Windows",
        ),
        (
            "Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko)"
            " Version/17.4 Mobile/15E148 Safari/604.1",
            "Safari 17 on iPad",
        ),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML,"
            " like Gecko) CriOS/124.0.6367.111 Mobile/15E148 Safari/604.1",
            "Chrome 124 on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/124.0 Safari/537.36 Edg/124.0",
            "Edge 124 on Windows",
        ),
        (
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)"
            " HeadlessChrome/156.0.0.0 Safari/537.36",
            "Chrome 156 on Linux",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.4; rv:125.0) Gecko Firefox/125.0",
            "Firefox 125 on Mac",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko)"
            " Chrome/131.0.0.0 Safari/537.36",
            "Chrome 131 on Android tablet",
        ),
        ("curl/8.5", "curl 8"),
        ("", "Unknown browser"),
        (None, "Unknown browser"),
    ],
)
def test_a_session_names_its_browser_version_and_device_in_plain_words(agent, label):
    assert browser_label(agent) == label


@pytest.mark.parametrize(
    "seconds,words",
    [
        (-30, "just now"),  # a clock a little ahead
        (0, "just now"),
        (59, "just now"),
        (60, "1 minute ago"),
        (25 * 60 + 59, "25 minutes ago"),
        (3600, "1 hour ago"),
        (2 * 3600 + 1800, "2 hours ago"),
        (86_400, "1 day ago"),
        (3 * 86_400 + 7200, "3 days ago"),
    ],
)
def test_last_activity_reads_as_whole_units_ago_with_one_minute_singular(seconds, words):
    now = dt.datetime(2030, 3, 1, 12, 0, tzinfo=dt.UTC)
    assert time_ago(now - dt.timedelta(seconds=seconds), now) == words
