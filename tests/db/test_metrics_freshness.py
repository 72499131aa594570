"""The metrics cache is keyed by the last saved change (both backends): every audited write
moves it, so figures cached before a write are never served after it."""

from __future__ import annotations

import pytest

from db.queries.metrics import last_change
from db.session import transaction
from mild.cases import CancelReason
from mild.staff import Role, Screen
from services.cases import cancel_case
from services.common import audit
from services.reads import record_audit_view, record_case_view
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


# SQLite serialises writers, so ids always commit in order there: PostgreSQL only.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_the_last_change_moves_when_an_earlier_id_commits_after_a_later_one(db_url):
    """Issue 12 (replicas on PostgreSQL): a writer that took id N may commit after one that
    took N+1. A version read between the two commits must differ from the one read after."""
    office = make_office("AA")
    manager = make_user("mona", Role.MANAGER, [office])
    with transaction() as s:  # the slow writer takes its id first and holds its commit
        audit(s, manager, "test.slow", "office", office)
        s.flush()
        with transaction() as other:  # the quick writer takes the next id and commits
            audit(other, manager, "test.quick", "office", office)
        between = last_change()
    assert last_change() != between


def test_a_recorded_read_leaves_the_last_change_where_it_was(db_url):
    """Opening a case or the audit trail changes no figure: the cached metrics stay."""
    office = make_office("AA")
    manager = make_user("mona", Role.MANAGER, [office])
    case_id = make_case(office)
    before = last_change()
    record_case_view(manager, case_id, Screen.SCHEDULE)
    record_audit_view(manager)
    assert last_change() == before
    cancel_case(case_id, CancelReason.NO_SHOW, actor=manager)
    assert last_change() > before
