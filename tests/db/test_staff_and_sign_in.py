"""Accounts, sign-in and the command-line tool that creates offices and users."""

from __future__ import annotations

import json

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

import manage
from db.models import AuditEvent, StaffUser
from db.session import read_session
from mild import messages
from mild.errors import RuleViolation
from mild.staff import Role
from services.auth import sign_in, sign_out
from tests.builders import PASSWORD, make_office, make_user


def _audit_actions() -> list[tuple[str, str | None]]:
    with read_session() as s:
        return list(
            s.execute(select(AuditEvent.action, AuditEvent.actor_name).order_by(AuditEvent.id))
        )


def test_sign_in_returns_the_user_with_only_their_offices_and_is_audited(db_url):
    north, south = make_office("NTH"), make_office("STH")
    make_user("nurse1", Role.NURSE, [north])

    actor = sign_in("  Nurse1 ", PASSWORD)
    sign_out(actor)

    assert (actor.username, actor.role, actor.office_ids) == ("nurse1", Role.NURSE, {north})
    assert south not in actor.office_ids
    assert _audit_actions() == [("auth.sign_in", "nurse1"), ("auth.sign_out", "nurse1")]


def test_an_admin_is_scoped_to_every_office(db_url):
    offices = {make_office(), make_office(), make_office()}
    make_user("boss", Role.ADMIN, [])
    assert sign_in("boss", PASSWORD).office_ids == offices


@pytest.mark.parametrize("username,password", [("nurse1", "wrong-password"), ("ghost", PASSWORD)])
def test_a_failed_sign_in_says_the_same_thing_and_is_audited(db_url, username, password):
    make_user("nurse1", Role.NURSE, [make_office()])

    with pytest.raises(RuleViolation) as refusal:
        sign_in(username, password)

    assert refusal.value.message == messages.SIGN_IN_FAILED
    assert _audit_actions() == [("auth.sign_in_failed", username)]


def test_a_disabled_account_cannot_sign_in(db_url):
    make_user("gone", Role.NURSE, [make_office()], active=False)
    with pytest.raises(RuleViolation) as refusal:
        sign_in("gone", PASSWORD)
    assert refusal.value.message == messages.SIGN_IN_FAILED


def test_cli_creates_an_office_and_a_user_with_an_argon2_hash_audited_to_the_os_user(
    db_url, monkeypatch, capsys
):
    monkeypatch.setenv("MILD_NEW_PASSWORD", "a-long-enough-pw")
    assert (
        manage.main(["create-office", "nth", "North Office", "--timezone", "America/Chicago"]) == 0
    )
    assert (
        manage.main(
            ["create-user", "jdoe", "--role", "nurse", "--offices", "NTH", "--name", "Jo Doe"]
        )
        == 0
    )

    with read_session() as s:
        user = s.scalars(select(StaffUser).where(StaffUser.username == "jdoe")).one()
        assert [o.code for o in user.offices] == ["NTH"]
        assert user.password_hash.startswith("$argon2")
        assert PasswordHasher().verify(user.password_hash, "a-long-enough-pw")
        office_id = user.offices[0].id
        events = s.execute(
            select(AuditEvent.action, AuditEvent.actor_name, AuditEvent.detail)
        ).all()
    assert [e.action for e in events] == ["office.created", "staff_user.created"]
    assert all(e.actor_name.startswith("cli:") for e in events)
    assert "a-long-enough-pw" not in json.dumps([e.detail for e in events])
    assert sign_in("jdoe", "a-long-enough-pw").office_ids == {office_id}


@pytest.mark.parametrize(
    "argv,message",
    [
        (["create-user", "jdoe", "--role", "surgeon", "--offices", "NTH"], "Role must be one of"),
        (["create-user", "jdoe", "--role", "nurse", "--offices", "XYZ"], "No office with the code"),
        (["create-user", "jdoe", "--role", "nurse"], messages.OFFICES_REQUIRED),
        (["create-user", "J D", "--role", "nurse", "--offices", "NTH"], messages.USERNAME_FORMAT),
        (["create-office", "n", "North"], messages.OFFICE_CODE_FORMAT),
        (["create-office", "NTH", "Again"], "already exists"),
        (["create-office", "STH", "South", "--timezone", "Mars/Base"], "Unknown time zone"),
    ],
)
def test_cli_refuses_bad_values_with_a_clear_message_and_writes_nothing(
    db_url, monkeypatch, capsys, argv, message
):
    monkeypatch.setenv("MILD_NEW_PASSWORD", "a-long-enough-pw")
    make_office("NTH")
    assert manage.main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    with read_session() as s:
        assert s.scalars(select(StaffUser)).all() == []


def test_cli_refuses_a_short_password(db_url, monkeypatch, capsys):
    monkeypatch.setenv("MILD_NEW_PASSWORD", "short")
    make_office("NTH")
    assert manage.main(["create-user", "jdoe", "--role", "nurse", "--offices", "NTH"]) == 2
    assert messages.PASSWORD_TOO_SHORT.format(n=8) in capsys.readouterr().err
