"""The audit trail as people read it: scope by role, action names and groups, plain detail,
CSV cells a spreadsheet will not run."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from mild import messages
from mild.audit import (
    ACTION_GROUPS,
    ACTION_LABELS,
    action_label,
    audit_scope,
    check_case_code,
    check_group,
    check_range,
    default_range,
    detail_text,
    group_of,
    spreadsheet_safe,
)
from mild.errors import RuleViolation
from mild.followup import FollowUpKind
from mild.staff import Role


def test_admins_read_every_row_and_managers_only_their_offices():
    assert audit_scope(Role.ADMIN, {1, 2}).every_row
    manager = audit_scope(Role.MANAGER, {2})
    assert not manager.every_row and manager.office_ids == {2}


@pytest.mark.parametrize("role", [Role.NURSE, Role.COORDINATOR])
def test_nurses_and_coordinators_may_not_read_the_audit_trail(role):
    with pytest.raises(RuleViolation) as refusal:
        audit_scope(role, {1})
    assert refusal.value.message == messages.NOT_ALLOWED_HERE


def test_the_screen_opens_on_the_last_seven_days_today_included():
    assert default_range(dt.date(2025, 3, 10)) == (dt.date(2025, 3, 4), dt.date(2025, 3, 10))


def test_every_known_action_has_a_label_and_belongs_to_exactly_one_group():
    for action in ACTION_LABELS:
        assert group_of(action) is not None, action
        assert sum(action in g.codes for g in ACTION_GROUPS) <= 1


def test_reads_admin_actions_and_sign_ins_fall_into_their_own_groups():
    assert group_of("case.viewed").key == "case_reads"
    assert group_of("case.cancelled").key == "cases"
    assert group_of("auth.sign_in_failed").key == "sign_in"
    assert group_of("auth.session_ended_by_admin").key == "admin"
    assert group_of("medication.added").key == "intake"
    assert group_of("audit.exported").key == "audit"


def test_an_action_the_labels_do_not_know_yet_reads_as_words_and_joins_its_areas_group():
    assert action_label("follow_up.letter_sent") == "Follow up: letter sent"
    assert group_of("follow_up.letter_sent").key == "follow_up"


def test_a_group_key_not_offered_is_refused():
    assert check_group(None) is None
    with pytest.raises(RuleViolation) as refusal:
        check_group("everything")
    assert refusal.value.message == messages.AUDIT_ACTION_UNKNOWN


def test_the_case_code_filter_takes_a_code_however_typed_and_refuses_odd_text():
    assert check_case_code("  aa-12 ") == "AA-12"
    assert check_case_code("   ") is None
    for bad in ["'; DROP TABLE audit_event; --", "A" * 25]:
        with pytest.raises(RuleViolation) as refusal:
            check_case_code(bad)
        assert refusal.value.message == messages.AUDIT_CASE_CODE_FORMAT


def test_a_range_ending_before_it_starts_is_refused():
    with pytest.raises(RuleViolation) as refusal:
        check_range(dt.date(2025, 3, 2), dt.date(2025, 3, 1))
    assert refusal.value.message == messages.AUDIT_RANGE_BACKWARDS


def test_the_detail_reads_as_plain_words_with_typed_text_kept_verbatim():
    detail = json.dumps(
        {
            "step": "checked_in",
            "value": None,
            "left_open": ["consent_signed"],
            "before": {"start": None, "ok": True},
            "note": "**bold** <script>alert(1)</script>",
        }
    )
    assert detail_text(detail) == (
        "step: Checked in · left open: [consent_signed] · before: {start: none; ok: yes} · "
        "note: **bold** <script>alert(1)</script>"
    )


def test_codes_the_app_stored_read_as_the_clinics_words_and_unknown_codes_as_stored():
    assert detail_text(json.dumps({"from": "scheduled", "reason": "no_escort"})) == (
        "from: Scheduled · reason: No escort"
    )
    assert detail_text(json.dumps({"kind": "next_day_call", "step": "no_such_step"})) == (
        f"kind: {FollowUpKind.NEXT_DAY_CALL.label} · step: no_such_step"
    )
    assert detail_text(json.dumps({"reason": "idle timeout"})) == "reason: idle timeout"
    assert detail_text(None) == ""
    assert detail_text("not json {") == "not json {"


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused():
    assert spreadsheet_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert spreadsheet_safe("@SUM(A1)") == "'@SUM(A1)"
    assert spreadsheet_safe("+1") == "'+1" and spreadsheet_safe("-1") == "'-1"
    assert spreadsheet_safe("nurse1") == "nurse1"
    assert spreadsheet_safe(12) == 12
