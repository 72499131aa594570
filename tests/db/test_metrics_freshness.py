"""The metrics cache is keyed by the last saved change (both backends): every audited write
moves it, so figures cached before a write are never served after it."""

from __future__ import annotations

from db.queries.metrics import last_change
from mild.cases import CancelReason
from mild.staff import Role
from services.cases import cancel_case
from tests.builders import make_case, make_office, make_user


def test_the_last_change_moves_with_every_saved_change_and_only_then(db_url):
    office = make_office("AA")
    manager = make_user("mona", Role.MANAGER, [office])
    first, second = make_case(office), make_case(office)
    before = last_change()
    assert last_change() == before  # reading moves nothing

    cancel_case(first, CancelReason.NO_SHOW, actor=manager)
    after_one = last_change()
    cancel_case(second, CancelReason.PATIENT_ILLNESS, actor=manager)

    assert before < after_one < last_change()
