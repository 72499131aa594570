"""Escalation emails through a real SMTP server the test starts (aiosmtpd on a loopback port):
the messages arrive, to the provider and the office's on-call address, with the case code, the
tier and a link and nothing that says who the patient is; a dead server is tried again and
finally shown as failed on the escalation."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from db.models import Case, Patient
from db.queries.followup import escalations_to_resolve
from db.session import read_session
from mild import messages
from mild.escalations import MAX_ATTEMPTS, Delivery, Recipient, Tier
from mild.followup import RedFlag
from mild.staff import Role
from services import notify
from tests.builders import (
    escalate,
    make_discharged_case,
    make_office,
    make_user,
    notifications_of,
    provider_of,
    set_on_call,
)

CALL = "next_day_call"
PROVIDER_EMAIL = "dr.ames@example.org"
ON_CALL_EMAIL = "oncall@example.org"
SENDER = "mild@example.org"
BASE_URL = "https://mild.example.org"


@dataclass
class Received:
    to: list[str]
    subject: str
    text: str


@dataclass
class Inbox:
    """What the test's SMTP server was handed (aiosmtpd calls handle_DATA per message)."""

    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, _server, _session, envelope) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = [p.get_content() for p in parsed.walk() if p.get_content_maintype() == "text"]
        self.messages.append(
            Received(list(envelope.rcpt_tos), str(parsed["subject"]), "\n".join(parts))
        )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mail_server() -> Iterator[tuple[Controller, Inbox]]:
    inbox = Inbox()
    server = Controller(inbox, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        yield server, inbox
    finally:
        if server._thread is not None:  # a test may have stopped it already
            server.stop()


@pytest.fixture
def practice_on(db_url, monkeypatch):
    """An office whose on-call address and providers' emails go through the SMTP server on a
    loopback port: (office id, its nurse)."""

    def set_up(port: int):
        smtp = f"mailto://127.0.0.1:{port}?from={SENDER}"
        monkeypatch.setenv("MILD_SMTP_URL", smtp)
        monkeypatch.setenv("MILD_BASE_URL", BASE_URL)
        office = make_office("AA")
        set_on_call(office, f"{smtp}&to={ON_CALL_EMAIL}", name="Office on-call RN")
        return office, make_user("nina", Role.NURSE, [office])

    return set_up


def escalated_case(office: int, nurse) -> tuple[int, int]:
    case_id, ids = make_discharged_case(office, dt.datetime.now(dt.UTC) - dt.timedelta(hours=30))
    provider_of(case_id, email=PROVIDER_EMAIL)
    escalate(ids[CALL], nurse, RedFlag.BOWEL_BLADDER)
    return case_id, ids[CALL]


def who_the_patient_is(case_id: int) -> list[str]:
    with read_session() as s:
        case = s.get(Case, case_id)
        p = s.get(Patient, case.patient_id)
        born = p.date_of_birth
        return [p.first_name, p.last_name, p.mrn, p.phone, born.isoformat(), f"{born:%m/%d/%Y}"]


def test_an_escalation_emails_the_provider_and_the_on_call_contact_nothing_about_the_patient(
    practice_on, mail_server
):
    server, inbox = mail_server
    office, nurse = practice_on(server.port)
    case_id, follow_up_id = escalated_case(office, nurse)
    code = escalations_to_resolve({office}).code[0]

    report = notify.dispatch_due(follow_up_id=follow_up_id)

    assert report.count(Delivery.SENT) == 2
    by_recipient = {tuple(m.to): m for m in inbox.messages}
    assert set(by_recipient) == {(PROVIDER_EMAIL,), (ON_CALL_EMAIL,)}
    for to, link in ((PROVIDER_EMAIL, "escalations"), (ON_CALL_EMAIL, "follow-up")):
        received = by_recipient[(to,)]
        assert received.subject == messages.NOTIFY_TITLE.format(
            code=code, tier=Tier.EMERGENCY.label
        )
        assert code in received.text and Tier.EMERGENCY.label in received.text
        assert f"{BASE_URL}/{link}" in received.text
        for identifying in who_the_patient_is(case_id):
            assert identifying not in received.text and identifying not in received.subject
        assert RedFlag.BOWEL_BLADDER.label not in received.text
    (row,) = escalations_to_resolve({office}).itertuples()
    assert {(s.recipient, s.status, s.name) for s in row.notifications} == {
        (Recipient.PROVIDER, Delivery.SENT, row.provider),
        (Recipient.ON_CALL, Delivery.SENT, "Office on-call RN"),
    }


def test_a_dead_mail_server_is_tried_again_and_the_escalation_shows_it_failed(
    practice_on, mail_server
):
    server, inbox = mail_server
    server.stop()  # nothing listens on its port any more: each connection is refused at once
    office, nurse = practice_on(server.port)
    _, follow_up_id = escalated_case(office, nurse)
    start = dt.datetime.now(dt.UTC)

    notify.dispatch_due(start, follow_up_id=follow_up_id)

    for row in notifications_of(follow_up_id):
        assert (row.status, row.attempts) == (Delivery.PENDING, 1)
        retry = row.next_attempt_at - start  # a minute after the failure
        assert dt.timedelta(minutes=1) <= retry < dt.timedelta(minutes=1, seconds=10)
        assert row.last_error == messages.NOTIFY_NOT_DELIVERED.format(services="E-Mail")
    for minutes in (1, 6, 21):
        later = start + dt.timedelta(minutes=minutes, seconds=10)
        notify.dispatch_due(later, follow_up_id=follow_up_id)

    assert inbox.messages == []
    (shown,) = escalations_to_resolve({office}).notifications
    assert {(s.recipient, s.status, s.attempts) for s in shown} == {
        (Recipient.PROVIDER, Delivery.FAILED, MAX_ATTEMPTS),
        (Recipient.ON_CALL, Delivery.FAILED, MAX_ATTEMPTS),
    }
