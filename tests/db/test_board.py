"""Board reads on both backends: today's stages per office, time in stage, alerts at the
practice's thresholds, escalations, scope, the waiting-room mode that never reads a name or a
case code, and the query count per refresh."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import event

from db.models import Case, FollowUp, Patient
from db.queries.board import board
from db.queries.home import offices
from db.queries.settings import setting_rows
from db.session import get_engine, transaction
from mild.board import PUBLIC_COLUMNS
from mild.board_alerts import AlertKind, AlertLevel, BoardAlert
from mild.cases import CaseStatus
from mild.days import at_local
from mild.followup import RedFlag
from mild.staff import Role
from services.settings import update_practice_setting
from tests.builders import make_case, make_follow_up, make_office, make_user

NEW_YORK = "America/New_York"
TODAY = dt.date(2026, 11, 24)
NOW = at_local(NEW_YORK, TODAY, dt.time(11, 0))


def local(hour: int, minute: int = 0, day: dt.date = TODAY, tz: str = NEW_YORK) -> dt.datetime:
    return at_local(tz, day, dt.time(hour, minute))


def stamp(case_id: int, **times: dt.datetime) -> None:
    with transaction() as s:
        case = s.get(Case, case_id)
        for field, value in times.items():
            setattr(case, field, value)


def name_of(case_id: int) -> tuple[str, str, str]:
    with transaction() as s:
        case = s.get(Case, case_id)
        patient = s.get(Patient, case.patient_id)
        return patient.last_name, case.provider.name, case.code


def escalate(case_id: int, office_id: int, flags: str) -> None:
    follow_up = make_follow_up(case_id, office_id)
    with transaction() as s:
        fu = s.get(FollowUp, follow_up)
        fu.escalated_at = NOW - dt.timedelta(hours=1)
        fu.red_flags = flags


def statements_during(action) -> list[str]:
    """The SELECT statements run while `action` runs."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not SQLite's BEGIN DEFERRED
            seen.append(statement)

    event.listen(get_engine(), "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(get_engine(), "before_cursor_execute", record)
    return seen


def test_todays_cases_come_by_stage_with_time_in_stage_and_cancellations_apart(db_url):
    ny = make_office("NY")
    later = make_case(ny, CaseStatus.SCHEDULED, local(13))
    in_procedure = make_case(ny, CaseStatus.IN_PROCEDURE, local(10))
    stamp(in_procedure, checked_in_at=local(9, 15), procedure_started_at=local(10, 20))
    recovery = make_case(ny, CaseStatus.RECOVERY, local(8))
    stamp(recovery, recovery_in_at=local(9, 5))
    arrived = make_case(ny, CaseStatus.CHECKED_IN, local(11, 30))
    stamp(arrived, checked_in_at=local(10, 55))
    gone = make_case(ny, CaseStatus.FOLLOW_UP, local(7, 30))
    cancelled = make_case(ny, CaseStatus.CANCELLED, local(12))
    stamp(cancelled, cancelled_at=local(8))
    make_case(ny, CaseStatus.SCHEDULED, local(9, day=TODAY + dt.timedelta(days=1)))

    (office,) = board(offices([ny]), NOW, scope={ny}, public=False)

    cases = office.cases
    assert list(cases.case_id) == [later, arrived, in_procedure, recovery, gone]
    assert list(cases.stage) == [
        "Scheduled",
        "Checked in",
        "In procedure",
        "Recovery",
        "Discharged",
    ]
    assert cases.in_stage_minutes.tolist()[1:4] == [5, 40, 115]
    assert cases.in_stage_minutes.isna().tolist()[0]
    assert list(office.cancelled.case_id) == [cancelled]
    last_name, provider, _code = name_of(later)
    assert last_name in cases.patient[0] and cases.provider[0] == provider


def test_each_office_shows_its_own_local_today(db_url):
    ny = make_office("NY", NEW_YORK)
    la = make_office("LA", "America/Los_Angeles")
    los_angeles = "America/Los_Angeles"
    # 18:00 in Los Angeles on the 24th is 02:00 UTC on the 25th: tomorrow by UTC, today there.
    late_la = make_case(la, CaseStatus.SCHEDULED, local(18, tz=los_angeles))
    # 23:30 there on the 23rd is 02:30 on the 24th in New York: today by New York, not there.
    early_la = make_case(
        la, CaseStatus.SCHEDULED, local(23, 30, day=TODAY - dt.timedelta(days=1), tz=los_angeles)
    )
    ny_case = make_case(ny, CaseStatus.SCHEDULED, local(21))

    by_code = {
        b.office.code: b for b in board(offices([ny, la]), NOW, scope={ny, la}, public=False)
    }

    assert list(by_code["LA"].cases.case_id) == [late_la]
    assert early_la not in set(by_code["LA"].cases.case_id)
    assert list(by_code["NY"].cases.case_id) == [ny_case]


def test_an_office_outside_the_scope_is_never_read(db_url):
    mine, theirs = make_office("MY"), make_office("TH")
    make_case(theirs, CaseStatus.SCHEDULED, local(13))

    for public in (False, True):
        assert board(offices([mine, theirs]), NOW, scope={mine}, public=public)[0].cases.empty
        assert [
            b.office.code for b in board(offices([theirs]), NOW, scope={mine}, public=public)
        ] == []


def test_an_open_escalation_flags_todays_case_and_lists_older_ones(db_url):
    ny = make_office("NY")
    today = make_case(ny, CaseStatus.DISCHARGED, local(8))
    yesterday = make_case(ny, CaseStatus.DISCHARGED, local(9, day=TODAY - dt.timedelta(days=1)))
    escalate(today, ny, RedFlag.FEVER.value)
    escalate(yesterday, ny, f"{RedFlag.WOUND},{RedFlag.BOWEL_BLADDER}")

    (office,) = board(offices([ny]), NOW, scope={ny}, public=False)

    assert office.cases.escalation.tolist() == [RedFlag.FEVER.label]
    listed = office.escalations.set_index("code").red_flags.to_dict()
    assert listed == {
        name_of(today)[2]: RedFlag.FEVER.label,
        name_of(yesterday)[2]: f"{RedFlag.WOUND.label}, {RedFlag.BOWEL_BLADDER.label}",
    }


def test_waiting_room_rows_carry_the_waiting_code_and_stage_of_patients_on_site_only(db_url):
    ny = make_office("NY")
    ids = [
        make_case(ny, CaseStatus.SCHEDULED, local(13)),
        make_case(ny, CaseStatus.IN_PROCEDURE, local(10)),
        make_case(ny, CaseStatus.CHECKED_IN, local(11)),
        make_case(ny, CaseStatus.CANCELLED, local(12)),
        make_case(ny, CaseStatus.DISCHARGED, local(7)),
    ]
    stamp(ids[1], waiting_code="K482")
    stamp(ids[2], waiting_code="P117")
    escalate(ids[1], ny, RedFlag.FEVER.value)

    (office,) = board(offices([ny]), NOW, scope={ny}, public=True)

    for rows in (office.cases, office.cancelled):
        assert list(rows.columns) == list(PUBLIC_COLUMNS)
    assert office.cases[["waiting_code", "stage"]].values.tolist() == [
        ["P117", "Checked in"],
        ["K482", "In procedure"],
    ]
    assert office.cancelled.empty  # a cancellation is none of the waiting room's business
    assert office.escalations.empty
    text = office.cases.to_csv() + office.cancelled.to_csv()
    for case_id in ids:
        last_name, provider, code = name_of(case_id)
        assert last_name not in text and provider not in text and code not in text
    assert "1950" not in text  # the builders' date of birth


def test_waiting_room_mode_never_reads_patients_providers_or_follow_ups(db_url):
    ny = make_office("NY")
    make_case(ny, CaseStatus.IN_PROCEDURE, local(10))
    rows = offices([ny])

    statements = statements_during(lambda: board(rows, NOW, scope={ny}, public=True))

    assert len(statements) == 1
    for table in ("patient", "provider", "follow_up"):
        assert f"{table}." not in statements[0] and f"JOIN {table}" not in statements[0]
    assert "mild_case.code" not in statements[0]  # the staff's case code is never read


def test_a_refresh_costs_three_queries_however_busy_the_day(db_url):
    ny, la = make_office("NY"), make_office("LA", "America/Los_Angeles")
    rows = offices([ny, la])
    quiet = statements_during(lambda: board(rows, NOW, scope={ny, la}, public=False))
    for hour in range(7, 17):
        make_case(ny, CaseStatus.SCHEDULED, local(hour))
        make_case(la, CaseStatus.SCHEDULED, local(hour, tz="America/Los_Angeles"))

    busy = statements_during(lambda: board(rows, NOW, scope={ny, la}, public=False))

    # The cases, the alert thresholds, the open escalations.
    assert len(quiet) == len(busy) == 3
    assert sum("practice_setting" in statement for statement in busy) == 1


def test_late_long_and_long_stay_cases_carry_their_alert_and_the_rest_none(db_url):
    ny = make_office("NY")
    on_time = make_case(ny, CaseStatus.CHECKED_IN, local(10, 58))  # 2 min past: within grace
    late = make_case(ny, CaseStatus.CHECKED_IN, local(10, 50))  # 10 min past: amber
    very_late = make_case(ny, CaseStatus.SCHEDULED, local(10, 30))  # 30 min past: red
    started = make_case(ny, CaseStatus.CHECKED_IN, local(10, 30))
    stamp(started, patient_in_room_at=local(10, 40))  # in the room: not late
    running = make_case(ny, CaseStatus.IN_PROCEDURE, local(9, 30))
    stamp(running, procedure_started_at=local(9, 50))  # 60 planned, 70 running: amber
    resting = make_case(ny, CaseStatus.RECOVERY, local(7))
    stamp(resting, recovery_in_at=local(8, 50))  # 130 min: red
    later = make_case(ny, CaseStatus.SCHEDULED, local(13))

    (office,) = board(offices([ny]), NOW, scope={ny}, public=False)

    alerts = dict(zip(office.cases.case_id, office.cases.alert, strict=True))
    assert alerts[late] == BoardAlert(AlertKind.LATE_START, AlertLevel.AMBER, 10)
    assert alerts[very_late] == BoardAlert(AlertKind.LATE_START, AlertLevel.RED, 30)
    assert alerts[running] == BoardAlert(AlertKind.LONG_PROCEDURE, AlertLevel.AMBER, 10)
    assert alerts[resting] == BoardAlert(AlertKind.LONG_RECOVERY, AlertLevel.RED, 130)
    assert [alerts[c] for c in (on_time, started, later)] == [None, None, None]


def test_an_admin_changing_a_threshold_changes_the_board_at_its_next_refresh(db_url):
    ny = make_office("NY")
    admin = make_user("ada", Role.ADMIN, [ny])
    late = make_case(ny, CaseStatus.CHECKED_IN, local(10, 50))
    row = {r.setting.key: r for r in setting_rows()}["board_late_start_red"]
    assert row.setting.source == "Practice policy (no published number)"  # migration 0015

    update_practice_setting(
        "board_late_start_red",
        value=8,
        source="Practice decision, Dec 2026: red sooner",
        expected_updated_at=row.updated_at,
        actor=admin,
    )

    (office,) = board(offices([ny]), NOW, scope={ny}, public=False)
    assert office.cases.alert[office.cases.case_id == late].item().level == AlertLevel.RED
