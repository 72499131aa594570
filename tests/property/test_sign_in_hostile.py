"""Sign-in under hostile usernames and passwords: every attempt is refused with the one
sign-in message (or the lockout message), or signs in the right user; nothing else escapes."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import delete

from db.models import SignInThrottle
from db.session import transaction
from mild import messages
from mild.staff import Role
from services.auth import sign_in
from tests.builders import make_office, make_user
from tests.property.hostile import attempt, hostile_text, mostly_valid

PASSWORD = "hostile-sign-in-1"
SIGN_IN_REFUSALS = {
    messages.SIGN_IN_FAILED,
    messages.SIGN_IN_MISSING,
    messages.SIGN_IN_LOCKED.format(minutes=15),
}

usernames = hostile_text(st.sampled_from(("nina", "NINA", " nina ", "nina\x00", "nin\u0430")))
passwords = hostile_text(st.sampled_from((PASSWORD, PASSWORD + " ", PASSWORD.upper())))


def test_sign_in_refuses_hostile_credentials_with_its_own_message(db_url, examples, cheap_hashing):
    office = make_office("AA")
    make_user("nina", Role.NURSE, [office], password=PASSWORD)

    @examples.settings(sqlite=80, postgresql=30)
    @given(
        form=mostly_valid(
            {"username": st.just("nina"), "password": st.just(PASSWORD)},
            {"username": usernames, "password": passwords},
        )
    )
    @example({"username": "nina\x00", "password": PASSWORD})
    @example({"username": "nina", "password": PASSWORD + "\x00"})
    @example({"username": "ni\ud800na", "password": PASSWORD})
    @example({"username": "nina", "password": "\ud800"})
    @example({"username": "'; DROP TABLE mild_case; --", "password": "1 OR 1=1"})
    @example({"username": "x" * 100_000, "password": "x" * 100_000})
    @example({"username": " NINA ", "password": PASSWORD})
    def check(form) -> None:
        examples.tick()
        username, password = form["username"], form["password"]
        with transaction() as s:  # each attempt starts unlocked, so a right one can succeed
            s.execute(delete(SignInThrottle))
        accepted, result = attempt(lambda: sign_in(username, password))
        if accepted:
            assert username.strip().lower() == "nina" and password == PASSWORD
            assert result.username == "nina"
        else:
            assert result.message in SIGN_IN_REFUSALS

    check()
