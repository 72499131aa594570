"""The audit trail in words: one renderer per action, each tested here on the detail its
service writes; every action the code writes has words (a new one without fails); ids read
as names; who acted and when, as the story tells them."""

from __future__ import annotations

import ast
import datetime as dt
import json
import re
from pathlib import Path

import pytest

from mild.audit import ACTION_LABELS, group_of
from mild.audit_words import (
    RENDERERS,
    FollowUpName,
    Names,
    Refs,
    event,
    references,
    sentence,
    tell,
    what,
    when,
    who,
)
from mild.escalations import Delivery

ROOT = Path(__file__).resolve().parents[2]
NY = "America/New_York"
NAMES = Names(
    staff={3: "Nina Nurse", 4: "Bert Nurse"},
    providers={5: "Dr Ames", 6: "Dr Baker"},
    offices={1: "AA", 2: "BB"},
    follow_ups={
        42: FollowUpName("next_day_call", "AA-00007"),
        43: FollowUpName("weeks_2", "AA-00007"),
    },
)


def told(action, detail, expected, about=("case", 7)):
    return pytest.param(action, detail, expected, about, id=action)


# One row per action (two where its detail comes in two shapes), with the detail as its
# service writes it and the words a manager reads.
TOLD = [
    told("auth.sign_in", {}, "signed in", about=("staff_user", 3)),
    told("auth.sign_in", {"via": "sso"}, "signed in with single sign-on", about=("staff_user", 3)),
    told(
        "auth.sign_in_failed",
        {"reason": "bad password"},
        "could not sign in: a wrong password",
        about=("staff_user", 3),
    ),
    told(
        "auth.sign_in_locked",
        None,
        "was refused sign-in: the username is locked",
        about=("staff_user", 3),
    ),
    told(
        "auth.locked",
        {"minutes": 15},
        "was locked out after repeated failed sign-ins for 15 minutes",
        about=("staff_user", 3),
    ),
    told(
        "auth.sso_refused",
        {"reason": "no account"},
        "was refused single sign-on: no active account has that email",
        about=("staff_user", None),
    ),
    told("auth.sign_out", None, "signed out", about=("staff_user", 3)),
    told("auth.session_started", None, "started a session", about=("user_session", 9)),
    told(
        "auth.session_ended",
        {"reason": "disabled"},
        "had their session ended (account disabled)",
        about=("user_session", 9),
    ),
    told(
        "auth.session_timed_out",
        {"reason": "idle timeout"},
        "was signed out after being idle",
        about=("user_session", 9),
    ),
    told(
        "auth.session_ended_by_admin",
        {"user_id": 3, "username": "nina", "reason": "ended by admin"},
        "ended Nina Nurse's session",
        about=("user_session", 9),
    ),
    told(
        "auth.session_ended_by_password_change",
        {"user_id": 3, "username": "nina", "reason": "password changed"},
        "had another session ended by their password change",
        about=("user_session", 9),
    ),
    told(
        "auth.session_locked",
        {"idle_minutes": 15},
        "had their screen locked after 15 minutes without activity",
        about=("user_session", 9),
    ),
    told("auth.session_unlocked", None, "unlocked their screen", about=("user_session", 9)),
    told(
        "auth.unlock_failed",
        None,
        "could not unlock their screen: a wrong password",
        about=("user_session", 9),
    ),
    told(
        "auth.unlock_locked_out",
        None,
        "was refused unlocking their screen: the username is locked",
        about=("user_session", 9),
    ),
    told(
        "board.display_started",
        {"office_ids": [1, 2]},
        "started the waiting-room display for AA, BB",
        about=("staff_user", 3),
    ),
    told("board.display_ended", None, "ended the waiting-room display", about=("staff_user", 3)),
    told(
        "board.display_unlock_failed",
        None,
        "could not end the waiting-room display: a wrong password",
        about=("staff_user", 3),
    ),
    told(
        "board.display_unlock_locked",
        None,
        "was refused ending the waiting-room display: the username is locked",
        about=("staff_user", 3),
    ),
    told(
        "board.display_unlock_refused",
        {"username": "bert", "office_ids": [1]},
        "was refused ending the waiting-room display: Bert Nurse does not work at AA",
        about=("staff_user", 4),
    ),
    told("case.viewed", {"screen": "checklist"}, "opened the case on the checklist screen"),
    told("audit.viewed", None, "opened the audit trail", about=("audit_event", None)),
    told(
        "audit.exported",
        {
            "filters": {
                "from": "2026-03-02",
                "to": "2026-03-08",
                "zone": NY,
                "office_id": 1,
                "user": "nina",
                "actions": "follow_up",
                "case": None,
            },
            "rows": 12,
            "matched": 12,
        },
        (
            "exported 12 rows of the audit trail (Mon 2 Mar 2026 to Sun 8 Mar 2026, AA, user "
            "“nina”, actions: follow-up and escalation notices)"
        ),
        about=("audit_event", None),
    ),
    told(
        "fhir.exported",
        {
            "format": "bundle",
            "fhir_version": "4.0.1",
            "bundles": 1,
            "resources": {"Patient": 1, "Procedure": 1, "Encounter": 2},
            "sha256": "ab",
        },
        "exported the case as FHIR (4 resources)",
    ),
    told(
        "patient.created",
        {"mrn": "T0000042", "likely_duplicates": []},
        "added the patient (MRN T0000042)",
        about=("patient", 11),
    ),
    told(
        "case.requested",
        {"mrn": "T0000042", "channel": "phone", "provider_id": 5},
        "requested a consult by phone with Dr Ames (MRN T0000042)",
    ),
    told(
        "case.booked",
        {
            "from": {"start": None},
            "to": {
                "start": "2026-03-10T14:00:00+00:00",
                "local_start": "2026-03-10T10:00:00-04:00",
                "planned_minutes": 60,
                "planned_levels": "L4-L5",
                "planned_side": "bilateral",
                "provider_id": 5,
                "office_id": 1,
            },
            "confirmations_cleared": False,
        },
        "booked the case for Tue 10 Mar 2026 10:00 EDT with Dr Ames, 60 min, L4-L5 bilateral",
    ),
    told(
        "case.rebooked",
        {
            "from": {
                "start": "2026-03-10T14:00:00+00:00",
                "planned_minutes": 60,
                "provider_id": 5,
                "office_id": 1,
            },
            "to": {
                "start": "2026-03-12T15:30:00+00:00",
                "planned_minutes": 90,
                "provider_id": 6,
                "office_id": 1,
            },
            "confirmations_cleared": True,
        },
        (
            "rescheduled the case from Tue 10 Mar 2026 10:00 EDT to Thu 12 Mar 2026 11:30 EDT, "
            "provider Dr Ames → Dr Baker, minutes 60 → 90; hold confirmations withdrawn"
        ),
    ),
    told("case.confirmed", {"from": "intake", "to": "scheduled"}, "confirmed the case for its day"),
    told(
        "case.confirmation_withdrawn",
        {"why": "medication holds revised (2026-12)"},
        "withdrew the case's confirmation for its day: medication holds revised (2026-12)",
    ),
    told(
        "case.cancelled",
        {"from": "scheduled", "reason": "no_escort", "note": "daughter cannot come"},
        "cancelled the case (No escort): “daughter cannot come”",
    ),
    told(
        "case.status_changed",
        {"from": "discharged", "to": "follow_up"},
        "moved the case: Discharged → Follow-up",
    ),
    told(
        "case.kidney_function_reapplied",
        {"egfr": 28.5},
        "re-applied the dabigatran stop after the eGFR limit changed (eGFR 28.5)",
    ),
    told("case.waiting_code_issued", {"code": "K417"}, "issued the waiting-room code K417"),
    told(
        "preop_call.recorded",
        {
            "outcome": "reached",
            "last_doses": [
                {
                    "medication": 4,
                    "drug": "apixaban",
                    "from": None,
                    "to": "2026-03-07T13:00:00+00:00",
                    "via": "pre_op_call",
                }
            ],
            "escort": {"from": ["Ann Lee", "555-0100"], "to": ["Bob Lee", "555-0101"]},
            "call": 31,
        },
        (
            "made the pre-op call: reached; last dose of apixaban Sat 7 Mar 2026 08:00 EST; escort"
            " Ann Lee, 555-0100 → Bob Lee, 555-0101"
        ),
    ),
    told(
        "intake.assessment_saved",
        {
            "changed": {
                "asa_class": {"from": None, "to": 2},
                "weight_kg": {"from": 80, "to": 82.5},
            },
            "bmi": 28.4,
        },
        "saved the assessment: ASA class: none → 2; weight (kg): 80 → 82.5; BMI 28.4",
    ),
    told(
        "intake.baseline_odi_saved",
        {"from": None, "to": 42.0, "answers": {"pain": 3}},
        "saved the baseline ODI: 42",
    ),
    told(
        "intake.escort_saved",
        {"from": [None, None, None], "to": ["Ann Lee", "daughter", "555-0100"]},
        "saved the escort: Ann Lee (daughter), 555-0100",
    ),
    told(
        "intake.driver_saved",
        {"from": ["Ann Lee", "daughter", "555-0100"], "to": ["Bob Lee", "son", "555-0101"]},
        "saved the escort: Bob Lee (son), 555-0101 (was Ann Lee (daughter), 555-0100)",
    ),
    told(
        "intake.medicare_saved",
        {"from": [None, False, None], "to": [True, True, "NCT03610737"]},
        "saved the coverage: not answered → Medicare, in CMS study NCT03610737",
    ),
    told(
        "medication.added",
        {
            "medication": 4,
            "name_given": "Eliquis",
            "dose": "5 mg",
            "class_label": "Direct oral anticoagulant (factor Xa)",
            "candidates": [],
            "drug": "apixaban",
            "class": "doac",
            "stop_before_hours": 72,
            "no_dose_on_the_day": False,
            "restart_after_hours": 24,
            "needs_clearance": True,
            "last_dose_by": "2026-03-07T14:00:00+00:00",
        },
        (
            "added apixaban 5 mg (typed “Eliquis”), direct oral anticoagulant (factor Xa): stop 72"
            " h before, last dose by Sat 7 Mar 2026 09:00 EST"
        ),
    ),
    told(
        "medication.dose_changed",
        {"medication": 4, "drug": "apixaban", "from": "5 mg", "to": "2.5 mg"},
        "changed the dose of apixaban: 5 mg → 2.5 mg",
    ),
    told(
        "medication.removed",
        {"medication": 4, "dose": "5 mg", "drug": "apixaban", "class": "doac"},
        "removed apixaban 5 mg",
    ),
    told(
        "medication.reclassed",
        {
            "medication": 4,
            "from": {"drug": "apixaban", "class": "doac", "stop_before_hours": 48},
            "to": {"drug": "apixaban", "class": "doac", "stop_before_hours": 72},
            "hold_rule": "apixaban",
        },
        "re-classed apixaban by the hold table's apixaban row; stop (hours before): 48 → 72",
    ),
    told(
        "medication.last_dose_reported",
        {
            "medication": 4,
            "drug": "apixaban",
            "from": None,
            "to": "2026-03-07T13:00:00+00:00",
            "via": "day_of",
        },
        "charted the last dose of apixaban: Sat 7 Mar 2026 08:00 EST (asked on the day)",
    ),
    told(
        "medication.glp1_decided",
        {
            "medication": 5,
            "drug": "semaglutide",
            "screen": {"nausea": True},
            "elevated_risk": True,
            "decision": "hold",
            "decided_by": "Dr Ames",
            "from": {},
            "to": {},
        },
        (
            "screened semaglutide for GLP-1 risk: elevated risk; decision: hold, as the anesthesia"
            " team decided (Dr Ames)"
        ),
    ),
    told(
        "medication.reviewed",
        {
            "medication": 6,
            "choice": "no_relevance",
            "reason": "eye drops",
            "from": {"drug": "latanoprost"},
            "to": {"drug": "latanoprost"},
        },
        (
            "placed the unknown drug latanoprost as having no bleeding or fasting relevance: “eye "
            "drops”"
        ),
    ),
    told(
        "medication.hold_confirmed",
        {"medication": 4, "drug": "apixaban", "last_dose_by": "2026-03-07T14:00:00+00:00"},
        "confirmed the apixaban hold with the patient (last dose by Sat 7 Mar 2026 09:00 EST)",
    ),
    told(
        "medication.prescriber_cleared",
        {"medication": 4, "drug": "apixaban", "prescriber": "Dr Patel", "agreed_stop_hours": None},
        "recorded Dr Patel's clearance to stop apixaban",
    ),
    told(
        "medication.kidney_function_applied",
        {
            "medication": 8,
            "egfr": 28.0,
            "from": {"drug": "dabigatran", "stop_before_hours": 96},
            "to": {"drug": "dabigatran", "stop_before_hours": 144},
        },
        "changed the dabigatran stop by kidney function (eGFR 28); stop (hours before): 96 → 144",
    ),
    told(
        "condition.flagged",
        {"condition": "diabetes", "details": "type 2, on metformin"},
        "flagged diabetes: “type 2, on metformin”",
    ),
    told(
        "condition.unflagged",
        {"condition": "latex_allergy", "details": None, "cleared_at": None},
        "removed latex allergy",
    ),
    told(
        "condition.details_changed",
        {"condition": "diabetes", "from": "type 2", "to": "type 2, insulin"},
        "changed the details of diabetes: “type 2” → “type 2, insulin”",
    ),
    told(
        "condition.cleared",
        {"condition": "bleeding_disorder", "clearance": ["Hematology clearance"]},
        "recorded the clearance for bleeding disorder: Hematology clearance",
    ),
    told("checklist.ticked", {"step": "checked_in", "value": None}, "ticked “Checked in”"),
    told(
        "checklist.ticked",
        {"step": "discharged", "value": None, "left_open": ["restart_dates_given"]},
        "ticked “Discharged”; left open: “Restart dates for held medications given”",
    ),
    told(
        "checklist.unticked",
        {"step": "checked_in", "reason": "wrong patient chart"},
        "un-ticked “Checked in”: “wrong patient chart”",
    ),
    told(
        "checklist.time_corrected",
        {
            "step": "procedure_start",
            "from": "2026-03-10T14:05:00+00:00",
            "to": "2026-03-10 14:12:00+00:00",
            "reason": "clock was slow",
        },
        (
            "corrected the time of “Procedure start (incision)” from Tue 10 Mar 2026 10:05 EDT to "
            "10:12 EDT: “clock was slow”"
        ),
    ),
    told(
        "checklist.escort_exempted",
        {"physician": "Dr Ames", "reason": "patient stays overnight"},
        "recorded Dr Ames's exemption from the escort rule: “patient stays overnight”",
    ),
    told(
        "document.printed",
        {"document": "discharge_instructions", "template_version": "2026-12.1", "sha256": "ab"},
        "printed the discharge instructions (template 2026-12.1)",
    ),
    told(
        "document.printed",
        {
            "document": "day_sheet",
            "day": "2026-03-10",
            "cases": ["AA-00007", "AA-00008"],
            "template_version": "1",
            "sha256": "ab",
        },
        "printed the day sheet for Tue 10 Mar 2026, 2 cases",
        about=("office", 1),
    ),
    told(
        "safety_event.recorded",
        {
            "event": 3,
            "kind": "fall",
            "measure": "ASC-2",
            "source": "CMS",
            "occurred_at": "2026-03-10T15:00:00+00:00",
            "description": "slipped in recovery",
        },
        (
            "recorded a safety event: Patient fall (ASC-2), Tue 10 Mar 2026 11:00 EDT: “slipped in"
            " recovery”"
        ),
    ),
    told(
        "follow_up.call_attempt",
        {"follow_up": 42, "kind": "next_day_call", "outcome": "voicemail", "note": "left number"},
        (
            "did not reach the patient for the next-day call of AA-00007 (left a voicemail): “left"
            " number”"
        ),
    ),
    told(
        "follow_up.closed_not_reached",
        {
            "follow_up": 42,
            "kind": "next_day_call",
            "attempts": 3,
            "note": "",
            "status": {"from": "discharged", "to": "follow_up"},
        },
        "closed the next-day call of AA-00007 as not reached after 3 tries; Discharged → Follow-up",
    ),
    told(
        "follow_up.call_recorded",
        {
            "follow_up": 42,
            "nprs": 3,
            "red_flags": ["fever", "wound"],
            "escalated": True,
            "tier": "provider_today",
            "status": ["discharged", "follow_up"],
        },
        (
            "recorded the next-day call of AA-00007: NPRS 3, red flags: Fever 38 C / 100.4 F or "
            "more, Wound redness, warmth or drainage; escalated: provider today; Discharged → "
            "Follow-up"
        ),
    ),
    told(
        "follow_up.visit_recorded",
        {
            "follow_up": 43,
            "kind": "weeks_2",
            "visited_on": "2026-03-24",
            "nprs": 2,
            "odi": 20.0,
            "status": ["follow_up", "follow_up"],
        },
        "recorded the 2-week visit of AA-00007 on Tue 24 Mar 2026: NPRS 2, ODI 20",
    ),
    told(
        "follow_up.escalation_resolved",
        {"follow_up": 42, "note": "seen in clinic", "notifications_cancelled": 2},
        (
            "resolved the escalation from the next-day call of AA-00007: “seen in clinic”; 2 "
            "notifications no longer sent"
        ),
    ),
    told(
        "notification.sent",
        {
            "follow_up": 42,
            "recipient": "provider",
            "name": "Dr Ames",
            "round": 1,
            "tier": "emergency",
            "attempts": 1,
            "error": None,
        },
        (
            "sent round 1 of the escalation from the next-day call of AA-00007 to Dr Ames "
            "(provider); tier: go to the emergency department now"
        ),
    ),
    told(
        "notification.failed",
        {
            "follow_up": 42,
            "recipient": "on_call",
            "name": "On-call RN",
            "round": 2,
            "tier": "provider_today",
            "attempts": 4,
            "error": "SMTP refused",
        },
        (
            "could not send round 2 of the escalation from the next-day call of AA-00007 to "
            "On-call RN (on-call) after 4 attempts: “SMTP refused”; tier: provider today"
        ),
    ),
    told(
        "notification.not_configured",
        {
            "follow_up": 42,
            "recipient": "on_call",
            "name": None,
            "round": 1,
            "tier": "emergency",
            "attempts": 0,
            "error": None,
        },
        (
            "could not send round 1 of the escalation from the next-day call of AA-00007 to the "
            "on-call contact: not configured; tier: go to the emergency department now"
        ),
    ),
    told(
        "notification.cancelled",
        {
            "follow_up": 42,
            "recipient": "provider",
            "name": "Dr Ames",
            "round": 1,
            "tier": "emergency",
            "attempts": 0,
            "error": None,
        },
        (
            "did not send round 1 of the escalation from the next-day call of AA-00007 to Dr Ames "
            "(provider): it was resolved first; tier: go to the emergency department now"
        ),
    ),
    told(
        "notification.pending",
        {
            "follow_up": 42,
            "recipient": "provider",
            "name": "Dr Ames",
            "round": 1,
            "tier": "emergency",
        },
        (
            "queued round 1 of the escalation from the next-day call of AA-00007 for Dr Ames "
            "(provider); tier: go to the emergency department now"
        ),
    ),
    told(
        "notification.sending",
        {
            "follow_up": 42,
            "recipient": "provider",
            "name": "Dr Ames",
            "round": 1,
            "tier": "emergency",
        },
        (
            "queued round 1 of the escalation from the next-day call of AA-00007 for Dr Ames "
            "(provider); tier: go to the emergency department now"
        ),
    ),
    told(
        "office.created",
        {"code": "AA", "name": "Albany", "timezone": NY, "phone": None},
        "created office AA · Albany (America/New_York)",
        about=("office", 1),
    ),
    told(
        "office.changed",
        {
            "code": "AA",
            "before": {"name": "Albany", "timezone": NY},
            "after": {"name": "Albany North", "timezone": "America/Chicago"},
        },
        (
            "changed office AA: name: “Albany” → “Albany North”; time zone: America/New_York → "
            "America/Chicago"
        ),
        about=("office", 1),
    ),
    told("office.deactivated", {"code": "AA"}, "deactivated office AA", about=("office", 1)),
    told("office.reactivated", {"code": "AA"}, "reactivated office AA", about=("office", 1)),
    told(
        "provider.created",
        {"office": "AA", "name": "Dr Ames", "email": "ames@example.org", "phone": None},
        "added provider Dr Ames at AA",
        about=("provider", 5),
    ),
    told(
        "provider.changed",
        {"before": {"email": None}, "after": {"email": "ames@example.org"}},
        "changed provider Dr Ames: email: none → ames@example.org",
        about=("provider", 5),
    ),
    told(
        "provider.deactivated",
        {"name": "Dr Ames"},
        "deactivated provider Dr Ames",
        about=("provider", 5),
    ),
    told(
        "provider.reactivated",
        {"name": "Dr Ames"},
        "reactivated provider Dr Ames",
        about=("provider", 5),
    ),
    told(
        "staff_user.created",
        {
            "username": "nina",
            "display_name": "Nina Nurse",
            "role": "nurse",
            "offices": ["AA", "BB"],
            "email": None,
        },
        "created the account of Nina Nurse (nina): Nurse at AA, BB",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.changed",
        {
            "username": "nina",
            "before": {"role": "nurse", "offices": ["AA"]},
            "after": {"role": "manager", "offices": ["AA", "BB"]},
        },
        "changed Nina Nurse's account: role: Nurse → Manager; offices: AA → AA, BB",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.disabled",
        {"username": "nina", "sessions_ended": 2},
        "disabled Nina Nurse's account; 2 sessions ended",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.enabled",
        {"username": "nina", "sessions_ended": 0},
        "enabled Nina Nurse's account",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.password_reset",
        {"username": "nina", "sessions_ended": 1, "unlocked": True},
        "reset Nina Nurse's password; 1 session ended; sign-in lock lifted",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.password_changed",
        {"username": "nina", "sessions_ended": 1},
        "changed their own password; 1 session ended",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.password_change_refused",
        None,
        "could not change their password: the current password was wrong",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.landing_changed",
        {"from": None, "to": "checklist"},
        "chose to land on Checklist after signing in",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.landing_changed",
        {"from": "checklist", "to": "follow-up"},
        "chose to land on Follow-up after signing in (was Checklist)",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.email_changed",
        {"username": "nina", "before": None, "after": "nina@example.org"},
        "set Nina Nurse's sign-on email to nina@example.org",
        about=("staff_user", 3),
    ),
    told(
        "staff_user.email_cleared",
        {"username": "nina", "before": "nina@example.org", "after": None},
        "cleared Nina Nurse's sign-on email (was nina@example.org)",
        about=("staff_user", 3),
    ),
    told(
        "hold_rule.added",
        {
            "drug": "apixaban",
            "after": {"generic": "apixaban", "med_class": "doac", "stop_before_hours": 72},
        },
        (
            "added apixaban to the hold table (direct oral anticoagulant (factor Xa), stop 72 h "
            "before)"
        ),
        about=("hold_rule", None),
    ),
    told(
        "hold_rule.changed",
        {
            "drug": "apixaban",
            "before": {"stop_before_hours": 48},
            "after": {"stop_before_hours": 72},
        },
        "changed the hold table's apixaban row: stop (hours before): 48 → 72",
        about=("hold_rule", None),
    ),
    told(
        "hold_rule.confirmed",
        {"drug": "apixaban", "confirmed_by": "Dr Ames", "values": {}},
        "confirmed the hold table's apixaban row for the practice (Dr Ames)",
        about=("hold_rule", None),
    ),
    told(
        "clinical_limit.changed",
        {
            "key": "hba1c_max",
            "before": {"value": 8.5, "action": "block"},
            "after": {"value": 8.0, "action": "warn"},
        },
        (
            "changed the clinical limit “HbA1c above which elective surgery is usually postponed”:"
            " value: 8.5 → 8; action: Block → Warn"
        ),
        about=("clinical_limit", None),
    ),
    told(
        "kpi_target.changed",
        {"key": "on_time_pct", "before": {"target": 90.0}, "after": {"target": 85.0}},
        "changed the target “First case on time”: target: 90 → 85",
        about=("kpi_target", None),
    ),
    told(
        "practice_setting.changed",
        {"key": "preop_call_days", "before": {"value": 2}, "after": {"value": 3}},
        "changed the setting “Pre-op call worklist reaches ahead”: value: 2 → 3",
        about=("practice_setting", None),
    ),
    told(
        "escalation_tier.changed",
        {"key": "emergency", "before": {"limit_minutes": 15}, "after": {"limit_minutes": 10}},
        "changed the time limit of the tier “Go to the emergency department now”: minutes: 15 → 10",
        about=("escalation_tier", None),
    ),
    told(
        "red_flag_tier.changed",
        {"key": "fever", "before": {"tier": "provider_today"}, "after": {"tier": "emergency"}},
        (
            "changed the tier of the red flag “Fever 38 C / 100.4 F or more”: tier: provider today"
            " → go to the emergency department now"
        ),
        about=("red_flag_tier", None),
    ),
    told(
        "office_notification.changed",
        {
            "office": "AA",
            "before": {"on_call_name": None, "urls": []},
            "after": {"on_call_name": "On-call RN", "urls": ["mailto://***"]},
        },
        (
            "changed office AA's notifications: on-call contact: none → “On-call RN”; notification"
            " URLs: 0 URLs → 1 URL"
        ),
        about=("office", 1),
    ),
    told(
        "office_notification.tested",
        {"office": "AA", "typed": False, "urls": ["mailto://***"], "services": 1, "error": None},
        "sent a test notification for office AA (saved 1 URL): reached 1 service",
        about=("office", 1),
    ),
    told(
        "database.backed_up",
        {"path": "/srv/backups/mild-20260301.db", "bytes": 12500000, "rows": {}},
        "backed up the database to /srv/backups/mild-20260301.db (12.5 MB)",
        about=("database", None),
    ),
    told(
        "database.restored",
        {
            "backup": "/srv/backups/mild-20260301.db",
            "backup_revision": "0015",
            "safety_copy": "data/mild-before-restore.db",
            "sessions_ended": 4,
        },
        (
            "restored the database from /srv/backups/mild-20260301.db; the replaced one kept as "
            "data/mild-before-restore.db; 4 sessions ended"
        ),
        about=("database", None),
    ),
    told(
        "demo.seeded",
        {"offices": 3, "years": 1.1, "seed": 7},
        "loaded the demo data: 3 offices, 1.1 years of history",
        about=("database", None),
    ),
]


@pytest.mark.parametrize(("action", "detail", "expected", "about"), TOLD)
def test_each_action_reads_as_words_with_names_not_ids(action, detail, expected, about):
    entity, entity_id = about
    stored = json.dumps(detail) if detail is not None else None
    assert tell(event(action, stored, entity, entity_id, NY), NAMES) == expected


def test_every_renderer_is_tested_above():
    assert {p.values[0] for p in TOLD} == set(RENDERERS)


def test_every_action_with_words_has_a_label_and_a_group():
    for action in RENDERERS:
        assert action in ACTION_LABELS, action
        assert group_of(action) is not None, action


# --- every action the code writes has words ----------------------------------------------------

ACTION_SHAPE = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
# Strings of that shape in services/ that are not audit actions (none so far).
NOT_ACTIONS: frozenset[str] = frozenset()
# Action names a service forms with an f-string, and every name each can make.
FORMED = {
    "f'{table}.reactivated'": {"office.reactivated", "provider.reactivated"},
    "f'{table}.deactivated'": {"office.deactivated", "provider.deactivated"},
    "f'notification.{status.value}'": {f"notification.{d.value}" for d in Delivery},
}


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _audit_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "audit"
        and len(node.args) >= 3
    ]


def written_actions() -> set[str]:
    """Every action name the app can write: each string of an action's shape in services/
    (a literal passed to audit() or through a helper's `action=`), the names f-strings in
    audit() calls form (FORMED; an unknown f-string fails), the constants of mild/audit.py,
    and the "action" of the rows the demo seed and the migrations insert."""
    found: set[str] = set()
    for path in sorted((ROOT / "services").rglob("*.py")):
        tree = _tree(path)
        found |= {
            n.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and ACTION_SHAPE.match(n.value)
        }
        for call in _audit_calls(tree):
            for node in ast.walk(call.args[2]):
                if isinstance(node, ast.JoinedStr):
                    formed = ast.unparse(node)
                    assert formed in FORMED, f"{path.name}: say which actions {formed} makes"
                    found |= FORMED[formed]
    audit_module = _tree(ROOT / "mild" / "audit.py")
    found |= {
        n.value.value
        for n in audit_module.body
        if isinstance(n, ast.Assign)
        and isinstance(n.value, ast.Constant)
        and isinstance(n.value.value, str)
        and ACTION_SHAPE.match(n.value.value)
    }
    inserting = [ROOT / "db" / "seed.py", *sorted((ROOT / "db" / "migrations").rglob("*.py"))]
    for path in inserting:
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Dict):
                row = {
                    k.value: v
                    for k, v in zip(node.keys, node.values, strict=True)
                    if isinstance(k, ast.Constant)
                }
                action = row.get("action")
                if "entity" in row and isinstance(action, ast.Constant):
                    found.add(action.value)
    return found - NOT_ACTIONS


def test_every_action_the_code_writes_has_words():
    assert written_actions() - set(RENDERERS) == set()


def test_the_enumeration_sees_each_way_an_action_is_written():
    found = written_actions()
    assert "checklist.ticked" in found  # a literal in audit()
    assert "case.confirmed" in found  # through a helper's action=
    assert "audit.viewed" in found  # a constant of mild/audit.py
    assert {"office.deactivated", "notification.sent"} <= found  # f-strings
    assert "demo.seeded" in found  # the demo seed's row
    assert "case.confirmation_withdrawn" in found  # a migration's rows


# --- names, and rows the words do not know -------------------------------------------------------


def test_the_ids_of_a_set_of_rows_are_gathered_for_one_read():
    events = [
        event("follow_up.call_recorded", json.dumps({"follow_up": 42}), "case", 7),
        event("case.requested", json.dumps({"provider_id": 5}), "case", 7),
        event(
            "case.rebooked",
            json.dumps({"from": {"provider_id": 5, "office_id": 1}, "to": {"provider_id": 6}}),
            "case",
            7,
        ),
        event("auth.session_ended_by_admin", json.dumps({"user_id": 4}), "user_session", 9),
        event("board.display_started", json.dumps({"office_ids": [1, 2]}), "staff_user", 3),
        event(
            "staff_user.created", json.dumps({"provider": 6, "offices": ["AA"]}), "staff_user", 8
        ),
        event("provider.changed", None, "provider", 5),
    ]
    assert references(events) == Refs(
        staff=frozenset({3, 4, 8}),
        providers=frozenset({5, 6}),
        offices=frozenset({1, 2}),
        follow_ups=frozenset({42}),
    )


def test_an_id_no_longer_on_file_says_so_rather_than_showing_the_number():
    e = event("case.requested", json.dumps({"channel": "phone", "provider_id": 99, "mrn": "T1"}))
    assert tell(e, Names()) == (
        "requested a consult by phone with a provider no longer on file (MRN T1)"
    )
    unknown_follow_up = event(
        "follow_up.call_attempt", json.dumps({"follow_up": 99, "kind": "weeks_2"})
    )
    assert tell(unknown_follow_up, Names()).startswith(
        "did not reach the patient for the 2-week visit"
    )


def test_an_action_without_words_reads_as_its_name_and_its_detail():
    e = event("follow_up.letter_sent", json.dumps({"template": "v2", "copies": 2}))
    assert what(e, NAMES) == "Follow up: letter sent: template: v2 · copies: 2"


def test_a_detail_in_a_shape_its_renderer_does_not_know_falls_back_to_plain_words():
    odd = event("case.booked", json.dumps({"to": "tomorrow"}))
    assert tell(odd, NAMES) == "booked: to: tomorrow"
    assert tell(event("checklist.ticked", "not json {"), NAMES) == "ticked “none”"


def test_the_table_cell_is_the_sentence_capitalised():
    e = event("case.cancelled", json.dumps({"reason": "no_show", "note": ""}))
    assert what(e, NAMES) == "Cancelled the case (Patient no-show)"


# --- who and when, as the story tells them --------------------------------------------------------


@pytest.mark.parametrize(
    ("actor_name", "display", "expected"),
    [
        ("nina", "Nina Nurse", "Nina Nurse"),
        ("cli:root", None, "root at the command line"),
        ("notify", None, "The notifier"),
        ("seed", None, "The demo seed"),
        ("migration 0005", None, "The upgrade (migration 0005)"),
        ("bob", None, "“bob”"),  # a username typed at a failed sign-in: no account behind it
    ],
)
def test_who_acted_reads_as_a_name(actor_name, display, expected):
    assert who(actor_name, display) == expected


def test_a_storys_time_is_in_the_rows_zone_and_names_the_year_only_when_not_this_years():
    moment = dt.datetime(2026, 3, 2, 14, 14, tzinfo=dt.UTC)
    assert when(moment, NY, dt.date(2026, 12, 1)) == "Mon 2 Mar 09:14 EST"
    assert when(moment, NY, dt.date(2027, 1, 5)) == "Mon 2 Mar 2026 09:14 EST"
    assert when(moment, "America/Los_Angeles", dt.date(2026, 3, 2)) == "Mon 2 Mar 06:14 PST"


def test_one_event_is_one_sentence():
    e = event("checklist.ticked", json.dumps({"step": "checked_in", "value": None}))
    assert sentence("Mon 2 Mar 09:14 EST", "Nina Nurse", tell(e, NAMES)) == (
        "Mon 2 Mar 09:14 EST — Nina Nurse ticked “Checked in”."
    )
