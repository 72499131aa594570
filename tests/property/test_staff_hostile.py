"""Offices and staff accounts under hostile input (services/staff.py, as the admin screen and
manage.py call it): office codes, names and time zones; usernames, display names, passwords,
roles, office lists and single sign-on addresses. Each call is refused with a message from
mild/messages.py, or stored as the rules document (codes upper case, names with single spaces,
usernames and addresses lower case)."""

from __future__ import annotations

import math

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from db.models import HoldRuleRow, Office, StaffUser
from db.session import read_session
from mild.admin import HoldRuleInput
from mild.medications import MedClass
from mild.staff import Role
from services import admin, staff
from services.auth import _verify
from tests.builders import make_office, make_user
from tests.property.hostile import (
    attempt,
    collapsed,
    hostile_number,
    hostile_text,
    mostly_valid,
)

plain_words = st.text(st.characters(categories=["L", "Zs"]), min_size=1, max_size=20)
codes = st.from_regex(r"[A-Za-z0-9]{2,12}", fullmatch=True)
usernames = st.from_regex(r"[a-z][a-z0-9._-]{1,15}", fullmatch=True)
passwords = st.text(st.characters(codec="utf-8"), min_size=8, max_size=30)
emails = st.from_regex(r"[a-z0-9.]{1,10}@[a-z]{1,8}\.[a-z]{2,4}", fullmatch=True)
zones = st.sampled_from(("America/New_York", "Europe/Paris", "UTC", "Asia/Kolkata"))


def _admin():
    """An admin, and office AA for the accounts to work at."""
    office = make_office("AA")
    return make_user("root", Role.ADMIN, []), office


def _user(user_id: int) -> StaffUser:
    with read_session() as s:
        row = s.get(StaffUser, user_id)
        codes_ = sorted(o.code for o in row.offices)
        s.expunge(row)
        return row, codes_


def test_creating_an_office_refuses_or_stores_hostile_fields(db_url, examples, cheap_hashing):
    root, _ = _admin()

    @examples.settings(sqlite=80, postgresql=25)
    @given(
        form=mostly_valid(
            {"code": codes, "name": plain_words, "timezone": zones},
            {
                "code": hostile_text(codes),
                "name": hostile_text(plain_words),
                "timezone": hostile_text(zones),
            },
        )
    )
    @example({"code": "'; DROP", "name": "North", "timezone": "UTC"})
    @example({"code": "NTH", "name": "<script>alert(1)</script>", "timezone": "UTC"})
    @example({"code": "NTH2", "name": "North\x00", "timezone": "UTC"})
    @example({"code": "NTH3", "name": "\ud800", "timezone": "UTC"})
    @example({"code": "NTH4", "name": "x" * 100_000, "timezone": "UTC"})
    @example({"code": "NTH5", "name": "North", "timezone": "../../etc/passwd"})
    @example({"code": "NTH6", "name": "North", "timezone": "UTC\x00"})
    @example({"code": "ﬀ", "name": "  North   Office ", "timezone": " UTC "})
    def check(form) -> None:
        examples.tick()
        code, name, timezone = form.values()
        accepted, office_id = attempt(lambda: staff.create_office(code, name, timezone, actor=root))
        if not accepted:
            return
        with read_session() as s:
            office = s.get(Office, office_id)
            stored = (office.code, office.name, office.timezone, office.active)
        assert stored == (code.strip().upper(), collapsed(name), timezone.strip(), True)

    check()


def test_creating_an_account_refuses_or_stores_hostile_fields(db_url, examples, cheap_hashing):
    root, _ = _admin()

    @examples.settings(sqlite=90, postgresql=25)
    @given(
        form=mostly_valid(
            {
                "username": usernames,
                "display_name": st.one_of(st.just(""), plain_words),
                "password": passwords,
                "role": st.sampled_from(Role),
                "offices": st.just(["AA"]),
                "email": st.one_of(st.none(), emails),
            },
            {
                "username": hostile_text(usernames),
                "display_name": hostile_text(plain_words),
                "password": hostile_text(passwords),
                "offices": st.lists(hostile_text(st.just("aa")), max_size=3),
                "email": hostile_text(emails),
            },
        ),
        repeat=st.booleans(),
    )
    @example(account("'; drop table staff_user; --"), True)
    @example(account("ann", display_name="<img src=x onerror=alert(1)>"), True)
    @example(account("bob", display_name="Bob\x00"), True)
    @example(account("cat", display_name="\ud800"), True)
    @example(account("dan", password="pass\x00word"), True)
    @example(account("eve", password="password\ud800"), True)
    @example(account("fay", email="fay\x00@x.org"), True)
    @example(account("gus", email="gus\ud800@x.org"), True)
    @example(account("hal", display_name="x" * 100_000, password="x" * 100_000), True)
    @example(account("ian", offices=["aa", "'; DROP TABLE office; --"]), True)
    @example(account(" Jo.Ann ", display_name="  Jo   Ann  ", email=" JO@X.ORG "), True)
    def check(form, repeat) -> None:
        examples.tick()
        username, display, password, role, offices, email = form.values()
        accepted, user_id = attempt(
            lambda: staff.create_user(
                username,
                display,
                password,
                role,
                offices,
                actor=root,
                email=email,
                repeat=password if repeat else None,
            )
        )
        if not accepted:
            return
        user, office_codes = _user(user_id)
        name = username.strip().lower()
        assert (user.username, user.display_name, user.role, user.active) == (
            name,
            collapsed(display) or name,
            role,
            True,
        )
        assert user.email == ((email or "").strip().lower() or None)
        assert office_codes == sorted({c.strip().upper() for c in offices if c.strip()})
        assert _verify(user.password_hash, password)

    check()


def account(username, **changes):
    form = {
        "username": username,
        "display_name": "",
        "password": "a-long-enough-pw",
        "role": Role.NURSE,
        "offices": ["AA"],
        "email": None,
    }
    return {**form, **changes}


def test_changing_an_account_refuses_or_stores_hostile_fields(db_url, examples, cheap_hashing):
    root, office = _admin()
    nina = make_user("nina", Role.NURSE, [office], password="hostile-sign-in-1")

    @examples.settings(sqlite=60, postgresql=20)
    @given(
        display=hostile_text(plain_words),
        password=hostile_text(passwords),
        email=hostile_text(emails),
    )
    @example("<script>alert(1)</script>", "pass\x00word", "n\x00@x.org")
    @example("\udc80", "\udc80" * 8, "\udc80@x.org")
    @example("x" * 100_000, "x" * 100_000, "x" * 100_000 + "@x.org")
    def check(display: str, password: str, email: str) -> None:
        examples.tick()
        before, _ = _user(nina.id)
        accepted, _ = attempt(
            lambda: staff.update_user(
                nina.id, display_name=display, role=Role.NURSE, office_codes=["AA"], actor=root
            )
        )
        after, _ = _user(nina.id)
        assert after.display_name == (
            (collapsed(display) or "nina") if accepted else before.display_name
        )
        accepted, _ = attempt(lambda: staff.reset_password(nina.id, password, password, actor=root))
        after, _ = _user(nina.id)
        if accepted:
            assert _verify(after.password_hash, password)
        else:
            assert after.password_hash == before.password_hash
        accepted, stored = attempt(lambda: staff.set_email(nina.id, email, actor=root))
        after, _ = _user(nina.id)
        assert after.email == (stored if accepted else before.email)
        if accepted:
            assert stored == (email.strip().lower() or None)

    check()


def test_an_office_list_names_the_unknown_code_without_running_it(db_url, cheap_hashing):
    root, _ = _admin()
    accepted, refusal = attempt(
        lambda: staff.create_user(
            "ann",
            "",
            "a-long-enough-pw",
            Role.NURSE,
            ["AA", "'; DROP TABLE office; --"],
            actor=root,
        )
    )
    assert not accepted and refusal.field == "offices"
    with read_session() as s:
        assert s.scalars(select(Office.code)).all() == ["AA"]


def test_adding_to_the_hold_table_refuses_or_stores_hostile_fields(db_url, examples, cheap_hashing):
    root, _ = _admin()

    @examples.settings(sqlite=70, postgresql=20)
    @given(
        form=mostly_valid(
            {
                "drug": st.from_regex(r"[a-z]{3,12}( [a-z]{2,8})?", fullmatch=True),
                "brands": st.one_of(st.just(""), st.from_regex(r"[A-Z][a-z]{3,9}", fullmatch=True)),
                "med_class": st.sampled_from(
                    [c for c in MedClass if c not in (MedClass.UNKNOWN, MedClass.OTHER)]
                ),
                "stop_before_hours": st.one_of(st.none(), st.integers(0, 720)),
                "restart_after_hours": st.one_of(st.none(), st.integers(0, 720)),
                "needs_clearance": st.just(True),
                "instruction": st.one_of(st.just(""), plain_words),
                "source": plain_words,
            },
            {
                "drug": hostile_text(),
                "brands": hostile_text(),
                "med_class": st.sampled_from((MedClass.UNKNOWN, MedClass.OTHER, None)),
                "stop_before_hours": hostile_number(),
                "restart_after_hours": hostile_number(),
                "needs_clearance": st.just(False),
                "instruction": hostile_text(plain_words),
                "source": hostile_text(plain_words),
            },
        )
    )
    @example(hold("zzdrug", stop_before_hours=math.nan))
    @example(hold("zzdrug", restart_after_hours=math.inf))
    @example(hold("zzdrug", stop_before_hours="3"))
    @example(hold("zzdrug", instruction="stop <script>alert(1)</script>\x00"))
    @example(hold("zzdrug", brands="Good; <b>bad</b>"))
    @example(hold("zzdrug", source="\x00"))
    @example(hold("'; DROP TABLE hold_rule; --"))
    def check(form) -> None:
        examples.tick()
        typed = HoldRuleInput(
            drug=form["drug"],
            generic=form["drug"],
            brands=form["brands"],
            med_class=form["med_class"],
            stop_before_hours=form["stop_before_hours"],
            skip_on_day=False,
            restart_after_hours=form["restart_after_hours"],
            needs_clearance=form["needs_clearance"],
            instruction=form["instruction"],
            source=form["source"],
        )
        accepted, change = attempt(lambda: admin.add_hold_rule(typed, actor=root))
        if not accepted:
            return
        name = " ".join(form["drug"].lower().split())
        with read_session() as s:
            row = s.get(HoldRuleRow, name)
            stored = (row.med_class, row.stop_before_hours, row.instruction, row.source)
        assert stored == (
            form["med_class"],
            form["stop_before_hours"],
            form["instruction"].strip(),
            form["source"].strip(),
        )

    check()


def hold(drug, **changes):
    form = {
        "drug": drug,
        "brands": "",
        "med_class": MedClass.DOAC,
        "stop_before_hours": 72,
        "restart_after_hours": 24,
        "needs_clearance": True,
        "source": "Practice",
    }
    return {**form, "instruction": "", **changes}
