"""The follow-up screen's reads stay with the work in hand as history grows (both backends):
open escalations come from their own index, and the worklist hands its moments over as plain
aware datetimes."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event, inspect, update

from db.models import FollowUp
from db.queries.followup import escalations_to_resolve, worklist
from db.session import get_engine, transaction
from mild.followup import FollowUpKind, RedFlag
from tests.builders import make_discharged_case, make_office

ESCALATION_INDEX = "ix_follow_up_open_escalation"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _escalate(follow_up_id: int, *, resolved: bool) -> None:
    at = _now() - dt.timedelta(hours=3)
    with transaction() as s:
        s.execute(
            update(FollowUp)
            .where(FollowUp.id == follow_up_id)
            .values(
                completed_at=at,
                reached=True,
                red_flags=RedFlag.FEVER.value,
                escalated_at=at,
                escalation_resolved_at=at + dt.timedelta(hours=1) if resolved else None,
            )
        )


def _statements_of(read) -> list[tuple[str, object]]:
    """The SELECTs a read sends to the database, with their parameters."""
    sent: list[tuple[str, object]] = []
    engine = get_engine()

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        read()
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    return sent


def _plan(statement: str, parameters) -> str:
    """How the database would run the statement, as text (index use on a near-empty table)."""
    with get_engine().connect() as conn:
        if conn.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
            return "\n".join(str(r[-1]) for r in rows)
        # A handful of rows: PostgreSQL would rightly read the table; ask what it does when
        # the table is too big for that, as at five years.
        conn.exec_driver_sql("SET enable_seqscan = off")
        return "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {statement}", parameters))


def test_open_escalations_are_read_through_an_index_that_holds_only_the_unresolved_ones(db_url):
    office = make_office("AA")
    for days in range(1, 6):  # history: escalations long resolved, follow-ups long done
        _, ids = make_discharged_case(office, _now() - dt.timedelta(days=30 * days))
        _escalate(ids[FollowUpKind.NEXT_DAY_CALL], resolved=True)
    case_id, ids = make_discharged_case(office, _now() - dt.timedelta(days=1))
    _escalate(ids[FollowUpKind.NEXT_DAY_CALL], resolved=False)

    (index,) = [
        i for i in inspect(get_engine()).get_indexes("follow_up") if i["name"] == ESCALATION_INDEX
    ]
    assert index["column_names"] == ["office_id", "escalated_at"]
    read, *beside = _statements_of(lambda: escalations_to_resolve({office}))
    assert ESCALATION_INDEX in _plan(*read)
    # Then the tiers' limits (a row per tier) and the notifications of the escalations shown.
    assert ["escalation_tier" in s or "notification" in s for s, _ in beside] == [True, True]
    assert list(escalations_to_resolve({office}).case_id) == [case_id]


def test_the_worklist_gives_due_and_overdue_moments_as_aware_python_datetimes(db_url):
    office = make_office("AA")
    discharged = (_now() - dt.timedelta(days=15)).replace(microsecond=0)
    make_discharged_case(office, discharged)

    rows = worklist({office}, _now())

    assert list(rows.kind) == [FollowUpKind.NEXT_DAY_CALL, FollowUpKind.WEEKS_2]
    for column, after in (("due_at", dt.timedelta(days=1)), ("overdue_at", dt.timedelta(days=2))):
        moment = rows[column].iloc[0]
        assert type(moment) is dt.datetime and moment.utcoffset() == dt.timedelta(0)
        assert moment == discharged + after


def test_an_empty_worklist_still_has_every_column(db_url):
    office = make_office("AA")

    rows = worklist({office}, _now())

    assert rows.empty
    assert "state" in rows.columns and "due_at" in rows.columns and "escalated" in rows.columns
