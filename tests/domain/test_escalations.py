"""Escalation tiers, who is told and how often, and what a message may say (mild.escalations)."""

from __future__ import annotations

import datetime as dt

import pytest
from faker import Faker

from mild import messages
from mild.escalations import (
    DEFAULT_FLAG_TIER_TABLE,
    MAX_ATTEMPTS,
    MAX_ROUNDS,
    Delivery,
    NotificationState,
    Recipient,
    Tier,
    check_flag_tier,
    check_provider_scope,
    check_tier_limit,
    escalation_link,
    escalation_message,
    escalation_scope,
    escalation_tier,
    masked_url,
    next_attempt_after,
    notification_summary,
    notify_settings,
    past_limit,
    renotify_round_due,
    split_urls,
    tier_of_flag,
    tier_of_stored,
    with_recipient,
)
from mild.followup import RedFlag
from mild.staff import Role
from tests.builders import refusal

T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
LINK = "https://mild.example.org/follow-up"


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


def test_each_red_flag_escalates_at_the_tier_the_issue_gives_it():
    emergency = {f for f, t in DEFAULT_FLAG_TIER_TABLE.items() if t == Tier.EMERGENCY}
    assert emergency == {
        RedFlag.WEAKNESS_NUMBNESS,
        RedFlag.SADDLE_NUMBNESS,
        RedFlag.BOWEL_BLADDER,
        RedFlag.CHEST_PAIN_BREATHING,
    }
    assert set(DEFAULT_FLAG_TIER_TABLE) == set(RedFlag)  # every flag has a tier
    assert Tier.EMERGENCY.label == "Go to the emergency department now"
    assert Tier.PROVIDER_TODAY.label == "Provider today"


def test_a_flags_tier_is_read_from_the_practices_mapping_not_from_code():
    mapping = {RedFlag.FEVER: Tier.EMERGENCY}  # a practice that sends fevers to the ED

    assert tier_of_flag(RedFlag.FEVER, mapping) == Tier.EMERGENCY
    assert tier_of_flag(RedFlag.FEVER, DEFAULT_FLAG_TIER_TABLE) == Tier.PROVIDER_TODAY


def test_an_escalation_takes_the_most_urgent_tier_of_its_flags():
    today, now = [RedFlag.FEVER, RedFlag.WOUND], [RedFlag.FEVER, RedFlag.SADDLE_NUMBNESS]

    assert escalation_tier(today, DEFAULT_FLAG_TIER_TABLE) == Tier.PROVIDER_TODAY
    assert escalation_tier(now, DEFAULT_FLAG_TIER_TABLE) == Tier.EMERGENCY
    assert escalation_tier([], DEFAULT_FLAG_TIER_TABLE) is None
    assert Tier.EMERGENCY.rank < Tier.PROVIDER_TODAY.rank


def test_a_flag_the_mapping_lacks_or_a_tier_this_version_does_not_know_counts_as_an_emergency():
    assert tier_of_flag(RedFlag.FEVER, {}) == Tier.EMERGENCY
    assert tier_of_stored(None) == Tier.EMERGENCY
    assert tier_of_stored("urgent_care") == Tier.EMERGENCY
    assert tier_of_stored("provider_today") == Tier.PROVIDER_TODAY


def test_an_escalation_is_past_its_limit_once_open_that_long():
    assert not past_limit(T0, 15, T0 + minutes(14.9))
    assert past_limit(T0, 15, T0 + minutes(15))


def test_a_failed_notification_is_tried_again_after_1_5_and_15_minutes_then_has_failed():
    assert [next_attempt_after(n, T0) for n in range(1, MAX_ATTEMPTS + 1)] == [
        T0 + minutes(1),
        T0 + minutes(5),
        T0 + minutes(15),
        None,
    ]
    with pytest.raises(ValueError):
        next_attempt_after(0, T0)


def test_a_reminder_is_due_each_time_limit_the_escalation_stays_open_up_to_the_last_round():
    assert renotify_round_due(T0, 15, 1, T0 + minutes(14)) is None
    assert renotify_round_due(T0, 15, 1, T0 + minutes(15)) == 2
    assert renotify_round_due(T0, 15, 2, T0 + minutes(29)) is None  # round 2 went; 3 at 30
    assert renotify_round_due(T0, 15, 2, T0 + minutes(30)) == 3
    assert renotify_round_due(T0, 15, MAX_ROUNDS, T0 + dt.timedelta(days=2)) is None
    assert renotify_round_due(T0, 15, 0, T0 + dt.timedelta(days=2)) is None  # never notified


def test_a_message_carries_the_case_code_the_tier_and_a_link_and_nothing_about_the_patient():
    fake = Faker("en_US")
    fake.seed_instance(11)
    for _ in range(200):
        first, last = fake.first_name(), fake.last_name()
        mrn, born = fake.bothify("MRN#######"), fake.date_of_birth(minimum_age=50)
        code = fake.bothify("???-#####").upper()
        for tier in Tier:
            message = escalation_message(code, tier, LINK)
            text = f"{message.title}\n{message.body}"
            assert code in message.title and code in message.body
            assert tier.label in text and LINK in message.body
            for secret in (first, last, mrn, born.isoformat(), f"{born:%m/%d/%Y}"):
                assert secret not in text
            for flag in RedFlag:  # the flags stay inside the practice too
                assert flag.label not in text


def test_a_reminder_says_it_is_one_and_how_long_the_escalation_has_been_open():
    message = escalation_message("NTH-00012", Tier.EMERGENCY, LINK, round_=3, limit_minutes=15)

    assert message.title.startswith("Reminder")
    assert messages.NOTIFY_STILL_OPEN.format(minutes=30) in message.body


def test_the_provider_is_sent_to_their_screen_and_the_on_call_contact_to_follow_up():
    base = "https://mild.example.org/"
    assert escalation_link(base, Recipient.PROVIDER) == "https://mild.example.org/escalations"
    assert escalation_link(base, Recipient.ON_CALL) == "https://mild.example.org/follow-up"


def test_the_practices_smtp_url_is_addressed_to_the_provider():
    smtp = "mailtos://mild:pw@smtp.example.org?from=mild@example.org"
    assert with_recipient(smtp, "ana+dr@example.org") == f"{smtp}&to=ana%2Bdr@example.org"
    assert (
        with_recipient("mailto://127.0.0.1:2525", "a@b.org") == "mailto://127.0.0.1:2525?to=a@b.org"
    )


def test_a_provider_acts_on_the_escalations_of_their_own_cases_only():
    check_provider_scope(Role.PROVIDER, 7, 7)
    check_provider_scope(Role.NURSE, None, 7)  # staff: their offices, checked with the case
    for own in (8, None):
        assert refusal(check_provider_scope, Role.PROVIDER, own, 7) == (
            "follow_up",
            messages.ESCALATION_NOT_YOURS,
        )


def test_an_admin_sets_a_tier_limit_in_whole_minutes_with_a_source():
    assert check_tier_limit("emergency", 30, " ED policy ").limit_minutes == 30
    for bad in (4, 24 * 60 + 1, 12.5, None, True):
        assert refusal(check_tier_limit, "emergency", bad, "x")[0] == "limit_minutes", bad
    assert refusal(check_tier_limit, "emergency", 30, " ")[0] == "source"
    assert refusal(check_tier_limit, "urgent", 30, "x") == ("key", messages.TIER_UNKNOWN)


def test_an_admin_moves_a_red_flag_to_another_tier_with_a_source():
    moved = check_flag_tier("fever", "emergency", "Dr. Ames, 2026-12")
    assert (moved.flag, moved.tier) == (RedFlag.FEVER, Tier.EMERGENCY)
    assert refusal(check_flag_tier, "fever", None, "x") == ("tier", messages.TIER_REQUIRED)
    assert refusal(check_flag_tier, "rash", "emergency", "x")[0] == "key"


def test_notification_urls_are_one_a_line_without_spaces_at_most_ten():
    assert split_urls(" slack://a/b/c \n\n json://h/ \nslack://a/b/c") == [
        "slack://a/b/c",
        "json://h/",
    ]
    assert split_urls(None) == []
    too_many = "\n".join(f"json://h{n}/" for n in range(11))
    assert refusal(split_urls, too_many)[0] == "urls"
    assert refusal(split_urls, "json://h/ x")[0] == "urls"


def test_the_settings_come_from_the_environment_and_a_bad_value_names_its_variable():
    assert notify_settings({}).base_url == "http://localhost:8501"
    assert notify_settings({}).interval_seconds == 30
    got = notify_settings(
        {
            "MILD_SMTP_URL": "mailtos://u:p@smtp.example.org",
            "MILD_BASE_URL": "https://mild.example.org/",
            "MILD_NOTIFY_SECONDS": "0",
        }
    )
    assert (got.smtp_url, got.base_url, got.interval_seconds) == (
        "mailtos://u:p@smtp.example.org",
        "https://mild.example.org",
        0,
    )
    for name, value in (
        ("MILD_NOTIFY_SECONDS", "soon"),
        ("MILD_NOTIFY_SECONDS", "-1"),
        ("MILD_SMTP_URL", "smtp.example.org"),
        ("MILD_BASE_URL", "mild.example.org"),
    ):
        field, message = refusal(notify_settings, {name: value})
        assert field == name and name in message


def test_the_summary_reads_each_recipients_latest_round_provider_first():
    states = [
        NotificationState(Recipient.ON_CALL, 1, Delivery.SENT, 1),
        NotificationState(Recipient.PROVIDER, 1, Delivery.SENT, 1),
        NotificationState(Recipient.ON_CALL, 2, Delivery.FAILED, 4),
    ]
    assert notification_summary(states) == "Provider: sent · On-call: failed"
    assert notification_summary([]) == ""


def test_a_provider_resolves_their_own_cases_escalations_and_others_their_offices():
    assert escalation_scope(Role.PROVIDER, {3}, 7) == ([3], 7)
    assert escalation_scope(Role.PROVIDER, {3}, None) == ([], None)  # a sign-in not linked
    assert escalation_scope(Role.NURSE, {3, 4}, None) == ([3, 4], None)
    assert escalation_scope(Role.ADMIN, {3}, 7) == ([3], None)


@pytest.mark.parametrize(
    "url",
    [
        "json://hooks.example.com/api/SECRETTOKEN123",
        "slack://TOKENA1/TOKENB2/TOKENC3/#on-call",
        "mailtos://mild:PASSWORD9@smtp.example.org?from=a@example.org&to=b@example.org",
        "ntfy://SECRETTOPIC7",
    ],
)
def test_a_notification_url_is_shown_by_its_service_and_a_fingerprint_never_its_secrets(url):
    shown = masked_url(url, "Service")
    for secret in ("SECRETTOKEN123", "TOKENA1", "TOKENB2", "PASSWORD9", "SECRETTOPIC7", "smtp"):
        assert secret not in shown
    assert shown.startswith("Service " + url.split("://")[0] + "://… #")
    assert masked_url(url) != masked_url(url + "x")  # two URLs told apart
