"""Escalations that reach someone, against both databases: the outbox filled in the escalating
transaction, one dispatcher per notification, reminders once per round, failures tried again
and then reported, the provider's own scope, and the Admin screen's settings (issue 11)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading

import pytest
from sqlalchemy import func, select

import manage
from db.models import AuditEvent, Case, FollowUp, Notification, StaffUser
from db.queries.board import board
from db.queries.followup import escalations_to_resolve
from db.queries.home import offices
from db.session import read_session
from mild import messages
from mild.escalations import (
    MAX_ATTEMPTS,
    SENDING_LEASE,
    Delivery,
    Recipient,
    Tier,
    masked_url,
)
from mild.followup import RedFlag
from mild.staff import Role
from services import followup, notify, notify_settings, staff, tiers
from tests.builders import (
    escalate,
    make_discharged_case,
    make_office,
    make_provider_user,
    make_user,
    notifications_of,
    red_flag_call,
    refusal,
    set_on_call,
)

CALL = "next_day_call"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def closed_port() -> int:
    """A loopback port nothing listens on: a connection to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def office(db_url) -> int:
    return make_office("AA")


@pytest.fixture
def nurse(office):
    return make_user("nina", Role.NURSE, [office])


@pytest.fixture
def escalated(office, nurse):
    """A case discharged yesterday whose next-day call found saddle numbness: (case id,
    follow-up id)."""
    case_id, ids = make_discharged_case(office, now() - dt.timedelta(hours=30))
    escalate(ids[CALL], nurse, RedFlag.SADDLE_NUMBNESS)
    return case_id, ids[CALL]


def audit_rows(action: str) -> list[dict]:
    with read_session() as s:
        details = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == action))
        return [json.loads(d) for d in details]


# --- the outbox -----------------------------------------------------------------------------


def test_an_escalating_call_queues_the_provider_and_the_on_call_contact_at_its_tier(office, nurse):
    _, ids = make_discharged_case(office, now() - dt.timedelta(hours=30))

    result = escalate(ids[CALL], nurse, RedFlag.FEVER, RedFlag.BOWEL_BLADDER)

    assert result.tier == Tier.EMERGENCY
    with read_session() as s:
        assert s.get(FollowUp, ids[CALL]).escalation_tier == "emergency"
    queued = notifications_of(ids[CALL])
    assert [(n.recipient, n.round, n.status, n.tier) for n in queued] == [
        (Recipient.ON_CALL, 1, Delivery.PENDING, Tier.EMERGENCY),
        (Recipient.PROVIDER, 1, Delivery.PENDING, Tier.EMERGENCY),
    ]
    assert audit_rows("follow_up.call_recorded")[0]["tier"] == "emergency"


def test_a_call_with_no_red_flag_queues_nothing(office, nurse):
    _, ids = make_discharged_case(office, now() - dt.timedelta(hours=30))

    followup.record_followup_call(ids[CALL], red_flag_call(), actor=nurse)

    assert notifications_of(ids[CALL]) == []


def test_the_notifications_roll_back_with_the_escalation_they_belong_to(office, nurse, monkeypatch):
    _, ids = make_discharged_case(office, now() - dt.timedelta(hours=30))

    def fail(*_args, **_kwargs):
        raise RuntimeError("the database went away mid-action")

    monkeypatch.setattr(followup, "audit", fail)  # after the notifications were added
    with pytest.raises(RuntimeError):
        escalate(ids[CALL], nurse, RedFlag.WOUND)

    with read_session() as s:
        assert s.get(FollowUp, ids[CALL]).escalated_at is None
        assert s.scalar(select(func.count()).select_from(Notification)) == 0


def test_a_red_flag_moved_to_another_tier_escalates_at_the_new_one(office, nurse, root):
    _, ids = make_discharged_case(office, now() - dt.timedelta(hours=30))
    tiers.update_flag_tier(
        "fever", tier="emergency", source="Dr. Ames", expected_updated_at=None, actor=root
    )

    assert escalate(ids[CALL], nurse, RedFlag.FEVER).tier == Tier.EMERGENCY
    assert audit_rows("red_flag_tier.changed")[0]["after"]["tier"] == "emergency"


@pytest.fixture
def root(office):
    return make_user("root", Role.ADMIN, [])


# --- sending --------------------------------------------------------------------------------


def test_two_dispatchers_racing_for_one_notification_send_it_once(escalated):
    _, follow_up_id = escalated
    (first, _) = notifications_of(follow_up_id)
    at = now()
    start = threading.Barrier(2)
    claimed: list[object] = []

    def claim() -> None:
        start.wait()
        claimed.append(notify._claim(first.id, at))

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(job is None for job in claimed) == [False, True]
    (row,) = [n for n in notifications_of(follow_up_id) if n.id == first.id]
    assert (row.status, row.attempts) == (Delivery.SENDING, 1)


def test_a_send_slower_than_the_lease_is_taken_over_once_and_only_the_new_result_counts(
    escalated, monkeypatch
):
    """A slow mail server: the first dispatcher's claim runs out mid-send, a second takes the
    notification over (one more attempt) and records it; the first one's late result is not
    written over it, and each claim's lease counts from when it was taken."""
    _, follow_up_id = escalated
    (first, _) = notifications_of(follow_up_id)
    taken = notify._claim(first.id, now())
    assert taken is not None
    (row,) = [n for n in notifications_of(follow_up_id) if n.id == first.id]
    assert row.next_attempt_at >= now() + SENDING_LEASE - dt.timedelta(seconds=5)

    later = now() + SENDING_LEASE + dt.timedelta(seconds=1)  # the first send still going
    over = notify._claim(first.id, later)
    assert over is not None and over.attempts == taken.attempts + 1
    assert notify._record(over, notify.Outcome(Delivery.SENT), later) == Delivery.SENT
    late = notify.Outcome(Delivery.FAILED, "refused")
    assert notify._record(taken, late, later) == Delivery.SENT  # the first's result dropped

    (row,) = [n for n in notifications_of(follow_up_id) if n.id == first.id]
    assert (row.status, row.attempts, row.last_error) == (Delivery.SENT, 2, None)
    assert len(audit_rows("notification.sent")) == 1


def test_every_due_notification_is_handed_to_one_dispatcher_whatever_runs_at_once(
    escalated, monkeypatch
):
    _, follow_up_id = escalated
    delivered: list[int] = []
    lock = threading.Lock()

    def deliver(job, _config):
        with lock:
            delivered.append(job.id)
        return notify.Outcome(Delivery.SENT)

    monkeypatch.setattr(notify, "deliver", deliver)
    threads = [threading.Thread(target=notify.dispatch_due) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert sorted(delivered) == sorted(n.id for n in notifications_of(follow_up_id))
    assert {n.status for n in notifications_of(follow_up_id)} == {Delivery.SENT}


def test_with_nothing_set_up_each_notification_says_not_configured_and_why(escalated):
    _, follow_up_id = escalated

    report = notify.dispatch_due(follow_up_id=follow_up_id)

    assert report.count(Delivery.NOT_CONFIGURED) == 2
    shown = {n.recipient: (n.status, n.last_error) for n in notifications_of(follow_up_id)}
    assert shown == {
        Recipient.PROVIDER: (Delivery.NOT_CONFIGURED, messages.NOTIFY_NO_PROVIDER_EMAIL),
        Recipient.ON_CALL: (Delivery.NOT_CONFIGURED, messages.NOTIFY_NO_ON_CALL_URLS),
    }
    assert len(audit_rows("notification.not_configured")) == 2


def test_a_failed_notification_is_tried_again_on_its_schedule_then_reported_failed(
    office, escalated
):
    _, follow_up_id = escalated
    set_on_call(office, f"json://127.0.0.1:{closed_port()}/")
    start = now()

    def on_call() -> Notification:
        return next(n for n in notifications_of(follow_up_id) if n.recipient == Recipient.ON_CALL)

    notify.dispatch_due(start, follow_up_id=follow_up_id)
    first = on_call()
    assert (first.status, first.attempts) == (Delivery.PENDING, 1)
    # A minute after the failure (the send itself takes a moment of the real clock).
    retry = first.next_attempt_at - start
    assert dt.timedelta(minutes=1) <= retry < dt.timedelta(minutes=1, seconds=10)
    assert first.last_error == messages.NOTIFY_NOT_DELIVERED.format(services="JSON")
    assert "127.0.0.1" not in first.last_error  # never the address

    notify.dispatch_due(start + dt.timedelta(seconds=30), follow_up_id=follow_up_id)
    assert on_call().attempts == 1  # not due yet
    for minutes in (1, 6, 21):
        later = start + dt.timedelta(minutes=minutes, seconds=10)
        notify.dispatch_due(later, follow_up_id=follow_up_id)

    failed = on_call()
    assert (failed.status, failed.attempts, failed.next_attempt_at) == (
        Delivery.FAILED,
        MAX_ATTEMPTS,
        None,
    )
    (reported,) = audit_rows("notification.failed")
    assert reported["recipient"] == "on_call" and reported["attempts"] == MAX_ATTEMPTS
    (shown,) = escalations_to_resolve({office}).notifications
    assert Delivery.FAILED in {s.status for s in shown}


def test_the_settings_file_s_entries_tagged_with_the_office_s_code_reach_its_on_call(
    office, escalated, tmp_path, monkeypatch
):
    _, follow_up_id = escalated
    config = tmp_path / "notify.yml"
    config.write_text(
        f"urls:\n  - json://127.0.0.1:{closed_port()}/:\n      tag: AA\n", encoding="utf-8"
    )
    monkeypatch.setenv("MILD_NOTIFY_CONFIG", str(config))

    notify.dispatch_due(follow_up_id=follow_up_id)

    on_call = next(n for n in notifications_of(follow_up_id) if n.recipient == Recipient.ON_CALL)
    assert (on_call.status, on_call.last_error) == (
        Delivery.PENDING,  # tried (and refused): it is configured, and goes again in a minute
        messages.NOTIFY_NOT_DELIVERED.format(services="JSON"),
    )
    monkeypatch.setenv("MILD_NOTIFY_CONFIG", str(tmp_path / "missing.yml"))
    assert notify_settings.practice_view().config_readable is False


def test_a_reminder_round_is_queued_once_each_time_limit_and_no_more_than_the_last(escalated):
    _, follow_up_id = escalated
    at = notifications_of(follow_up_id)[0].created_at
    notify.dispatch_due(at)

    for _ in range(2):  # two dispatchers in turn: one reminder round, not two
        notify.dispatch_due(at + dt.timedelta(minutes=16))
    assert sorted(n.round for n in notifications_of(follow_up_id)) == [1, 1, 2, 2]

    notify.dispatch_due(at + dt.timedelta(minutes=31))
    notify.dispatch_due(at + dt.timedelta(hours=5))
    assert sorted(n.round for n in notifications_of(follow_up_id)) == [1, 1, 2, 2, 3, 3]


def test_an_escalation_open_past_its_limit_turns_red_on_the_board(office, escalated):
    _, follow_up_id = escalated
    later = now() + dt.timedelta(minutes=16)  # emergency: 15 minutes

    (view,) = board(offices({office}), later, scope={office}, public=False)
    (fresh,) = board(offices({office}), now(), scope={office}, public=False)

    assert list(view.escalations.past_limit) == [True]
    assert list(fresh.escalations.past_limit) == [False]
    assert list(fresh.escalations.tier) == [Tier.EMERGENCY]
    assert list(fresh.escalations.notified) == [
        "Provider: waiting to send · On-call: waiting to send"
    ]


def test_open_escalations_list_the_most_urgent_tier_first_then_the_longest_open(office, nurse):
    _, fever = make_discharged_case(office, now() - dt.timedelta(hours=40))
    _, chest = make_discharged_case(office, now() - dt.timedelta(hours=30))
    escalate(fever[CALL], nurse, RedFlag.FEVER)
    escalate(chest[CALL], nurse, RedFlag.CHEST_PAIN_BREATHING)

    rows = escalations_to_resolve({office})

    assert list(rows.follow_up_id) == [chest[CALL], fever[CALL]]
    assert list(rows.tier) == [Tier.EMERGENCY, Tier.PROVIDER_TODAY]
    assert list(rows.limit_minutes) == [15, 120]


# --- resolving ------------------------------------------------------------------------------


def test_resolving_an_escalation_cancels_what_has_not_gone_yet(escalated, nurse):
    _, follow_up_id = escalated

    followup.resolve_escalation(follow_up_id, "Sent to the ED; seen", actor=nurse)

    assert {n.status for n in notifications_of(follow_up_id)} == {Delivery.CANCELLED}
    assert notify.dispatch_due(now() + dt.timedelta(hours=1)).outcomes == []


def test_a_provider_sees_and_resolves_the_escalations_of_their_own_cases_only(
    office, nurse, escalated
):
    case_id, follow_up_id = escalated
    other_case, other = make_discharged_case(office, now() - dt.timedelta(hours=30))
    escalate(other[CALL], nurse, RedFlag.WOUND)
    ames = make_provider_user("dr.ames", case_id)

    mine = escalations_to_resolve(ames.office_ids, provider_id=ames.provider_id)
    assert list(mine.follow_up_id) == [follow_up_id]

    assert refusal(followup.resolve_escalation, other[CALL], "Not mine", actor=ames) == (
        "follow_up",
        messages.ESCALATION_NOT_YOURS,
    )
    followup.resolve_escalation(follow_up_id, "Called her; MRI tonight", actor=ames)
    assert escalations_to_resolve({office}).follow_up_id.tolist() == [other[CALL]]


# --- provider sign-ins ----------------------------------------------------------------------


def test_a_provider_sign_in_is_linked_to_one_provider_and_works_at_their_office(
    office, escalated, root
):
    case_id, _ = escalated
    with read_session() as s:
        provider_id = s.get(Case, case_id).provider_id
    make_office("BB")

    def create(username, role=Role.PROVIDER, provider=provider_id, codes=()):
        return staff.create_user(
            username, "Dr. X", "long-enough-1", role, list(codes), actor=root, provider_id=provider
        )

    user_id = create("dr.ames")
    with read_session() as s:
        user = s.get(StaffUser, user_id)
        assert (user.role, user.provider_id) == (Role.PROVIDER, provider_id)
        assert [o.code for o in user.offices] == ["AA"]  # the provider's office

    assert refusal(create, "dr.two")[0] == "provider"  # one sign-in per provider
    assert refusal(create, "dr.none", provider=None) == (
        "provider",
        messages.PROVIDER_SIGN_IN_NEEDS_PROVIDER,
    )
    assert refusal(create, "nurse.x", Role.NURSE, codes=["AA"]) == (
        "provider",
        messages.PROVIDER_ONLY_FOR_PROVIDER_ROLE,
    )
    assert refusal(
        staff.update_user,
        user_id,
        display_name="Dr. X",
        role=Role.NURSE,
        office_codes=["AA"],
        actor=root,
    ) == ("role", messages.PROVIDER_ROLE_FIXED)


# --- the Admin screen's settings ------------------------------------------------------------


def test_two_admins_saving_an_office_s_first_settings_do_not_overwrite_each_other(office, root):
    notify_settings.save_office_notifications(
        office, "North RN", "json://127.0.0.1:9/", expected_updated_at=None, actor=root
    )

    assert refusal(
        notify_settings.save_office_notifications,
        office,
        "Dr. Ames' pager",
        "",
        expected_updated_at=None,  # this screen, too, showed no settings when it opened
        actor=root,
    ) == ("urls", messages.NOTIFY_SETTINGS_CHANGED_BY_SOMEONE_ELSE)
    assert notify_settings.office_settings()[0].on_call_name == "North RN"


def test_an_office_s_urls_are_saved_and_audited_masked_never_in_full(office, root):
    secret = "https://hooks.slack.com/services/T1234ABCD/B1234ABCD/abcdefghijklmnopqrstuvwx"

    at = notify_settings.save_office_notifications(
        office, " Dr. Ames' pager ", secret, expected_updated_at=None, actor=root
    )

    (view,) = notify_settings.office_settings()
    assert view.on_call_name == "Dr. Ames' pager" and view.updated_at == at
    assert view.urls == (masked_url(secret, "Slack"),)
    with read_session() as s:
        detail = s.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "office_notification.changed")
        )
    assert "abcdefghijklmnopqrstuvwx" not in detail and "T1234ABCD" not in detail
    assert json.loads(detail)["after"]["urls"] == [masked_url(secret, "Slack")]

    assert refusal(
        notify_settings.save_office_notifications,
        office,
        "Dr. Ames' pager",
        "nonsense://x",
        expected_updated_at=at,
        actor=root,
    ) == ("urls", messages.NOTIFY_URL_UNKNOWN.format(line=1))
    assert refusal(
        notify_settings.save_office_notifications,
        office,
        "Someone else",
        "",
        expected_updated_at=at - dt.timedelta(seconds=1),
        actor=root,
    ) == ("urls", messages.NOTIFY_SETTINGS_CHANGED_BY_SOMEONE_ELSE)
    notify_settings.save_office_notifications(
        office, "Dr. Ames' pager", "", remove_urls=True, expected_updated_at=at, actor=root
    )
    assert notify_settings.office_settings()[0].urls == ()


def test_a_test_message_to_a_dead_url_is_refused_with_the_reason_and_audited(office, root):
    dead = f"json://127.0.0.1:{closed_port()}/"

    field, message = refusal(notify_settings.send_test, office, dead, actor=root)

    assert field == "urls"
    assert message == messages.NOTIFY_TEST_FAILED.format(
        reason=messages.NOTIFY_NOT_DELIVERED.format(services="JSON")
    )
    assert refusal(notify_settings.send_test, office, "", actor=root) == (
        "urls",
        messages.NOTIFY_NOTHING_TO_TEST,
    )
    (tested, _) = audit_rows("office_notification.tested")
    assert tested["services"] == 1 and "127.0.0.1" not in tested["error"]


# --- the command line -----------------------------------------------------------------------


def test_cli_adds_a_provider_sign_in_by_the_provider_s_id_and_sends_what_is_due(
    escalated, monkeypatch, capsys
):
    case_id, follow_up_id = escalated
    with read_session() as s:
        provider_id = s.get(Case, case_id).provider_id
    monkeypatch.setenv("MILD_NEW_PASSWORD", "a-long-enough-pw")

    argv = ["create-user", "ames", "--role", "provider", "--provider", str(provider_id)]
    assert manage.main(argv) == 0
    assert manage.main(["create-user", "bob", "--role", "provider"]) == 2
    assert messages.PROVIDER_SIGN_IN_NEEDS_PROVIDER in capsys.readouterr().err
    assert manage.main(["notify"]) == 0

    assert "not configured 2" in capsys.readouterr().out
    assert {n.status for n in notifications_of(follow_up_id)} == {Delivery.NOT_CONFIGURED}
    with read_session() as s:
        ames = s.scalars(select(StaffUser).where(StaffUser.username == "ames")).one()
        assert (ames.role, ames.provider_id) == (Role.PROVIDER, provider_id)
    monkeypatch.setenv("MILD_NOTIFY_SECONDS", "soon")
    assert manage.main(["notify"]) == 2
    assert "MILD_NOTIFY_SECONDS" in capsys.readouterr().err
