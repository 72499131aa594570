"""Intake under hostile input: the consult request (MRN, names, date of birth, phone),
medications (drug, dose, prescriber), condition details, the assessment numbers, the ODI
answers and the escort. Each call is refused with a message from mild/messages.py, or it is
stored and reads back as typed (trimmed where the rule says so); a refusal changes nothing."""

from __future__ import annotations

import datetime as dt

from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from db.models import Case, CaseCondition, CaseMedication, Patient
from db.session import read_session
from mild.cases import CaseStatus, RequestChannel
from mild.intake import Condition
from mild.medications import DEFAULT_HOLD_TABLE
from mild.scores import ODI_SECTIONS
from mild.staff import Role
from services import intake, medications
from tests.builders import make_case, make_office, make_user
from tests.property.hostile import (
    attempt,
    collapsed,
    hostile_date,
    hostile_number,
    hostile_text,
    is_number,
    mostly_valid,
    trimmed,
)

TODAY = dt.date.today()
plain_names = st.text(st.characters(categories=["L"]), min_size=1, max_size=12)
plain_phones = st.from_regex(r"\+?[0-9]{3}[ ().-]?[0-9]{4,9}( x[0-9]{1,3})?", fullmatch=True)
names = hostile_text(plain_names)
mrns = hostile_text(st.from_regex(r"[A-Za-z0-9-]{3,21}", fullmatch=True))
phones = hostile_text(plain_phones)
drugs = hostile_text(
    st.sampled_from(sorted(DEFAULT_HOLD_TABLE)).flatmap(
        lambda d: st.sampled_from((d, d.upper(), f"{d} 5 mg", f"  {d}  twice daily"))
    )
)
free_text = hostile_text(st.text(max_size=60))


def patient(mrn, *, first="Ann", last="Lee", born=dt.date(1950, 1, 1), phone="", office=1):
    """A consult-request form as @example gives it (the first office made has id 1)."""
    return {
        "mrn": mrn,
        "first": first,
        "last": last,
        "born": born,
        "phone": phone,
        "office_id": office,
        "channel": RequestChannel.PHONE,
    }


def _clinic():
    office = make_office("AA")
    return office, make_user("cora", Role.COORDINATOR, [office])


def _row(model, row_id):
    with read_session() as s:
        row = s.get(model, row_id)
        s.expunge(row)
        return row


def test_a_consult_request_refuses_or_stores_hostile_patient_fields(db_url, examples):
    office, cora = _clinic()
    other_office = make_office("BB")

    @examples.settings(sqlite=150, postgresql=40)
    @given(
        form=mostly_valid(
            {
                "mrn": st.from_regex(r"[A-Z0-9]{4,12}", fullmatch=True),
                "first": plain_names,
                "last": plain_names,
                "born": st.dates(dt.date(1910, 1, 1), dt.date(2005, 1, 1)),
                "phone": st.one_of(st.just(""), plain_phones),
                "office_id": st.just(office),
                "channel": st.sampled_from(RequestChannel),
            },
            {
                "mrn": mrns,
                "first": names,
                "last": names,
                "born": hostile_date(near=TODAY),
                "phone": phones,
                "office_id": st.sampled_from((other_office, None, 10**9)),
                "channel": st.none(),
            },
        )
    )
    @example(patient("'; DROP TABLE mild_case; --"))
    @example(patient("MRN-1001", first="<script>alert(1)</script>"))
    @example(patient("MRN-1002", first="Ann\x00"))
    @example(patient("MRN-1003", phone="555\x000100"))
    @example(patient("MRN-1004", first="مريم", last="José Ñúñez", born=dt.date.max))
    @example(patient("MRN-1005", phone="555 0100" * 20))
    @example(patient("MRN-1006", first="  Ann  Marie ", last="O'Brien-Smith", phone=" 555 0100 "))
    def check(form) -> None:
        mrn, first, last, born, phone, office_id, channel = form.values()
        examples.tick()
        accepted, made = attempt(
            lambda: intake.create_case(
                mrn=mrn,
                office_id=office_id,
                channel=channel,
                actor=cora,
                first_name=first,
                last_name=last,
                date_of_birth=born,
                phone=phone,
            )
        )
        if not accepted:
            return
        assert office_id == office and channel is not None
        case = _row(Case, made.case_id)
        assert case.status == CaseStatus.REQUESTED and case.office_id == office
        patient = _row(Patient, made.patient_id)
        assert patient.mrn == mrn.strip().upper()
        if not made.new_patient:  # an MRN already on file: the case is that patient's
            return
        assert (patient.first_name, patient.last_name) == (collapsed(first), collapsed(last))
        assert patient.date_of_birth == born
        assert patient.phone == (" ".join(phone.split()) or None)

    check()


def test_medications_refuse_or_store_hostile_drug_names_and_doses(db_url, examples):
    office, cora = _clinic()

    @examples.settings(sqlite=120, postgresql=30)
    @given(drug=drugs, dose=free_text)
    @example("apixaban", "5 mg\x00")
    @example("apixaban", "<img src=x onerror=alert(1)>")
    @example("'; DROP TABLE mild_case; --", "")
    @example("[a](javascript:alert(1))", "")
    @example("apixaban", "x" * 100_000)
    @example("apixaban", "x" * 121)
    @example("apixaban\ud800", "5 mg")
    def check(drug: str, dose: str) -> None:
        examples.tick()
        case_id = make_case(office, CaseStatus.INTAKE)
        accepted, med_id = attempt(
            lambda: medications.add_medication(case_id, drug, dose, actor=cora)
        )
        if not accepted:
            with read_session() as s:
                listed = select(CaseMedication).where(CaseMedication.case_id == case_id)
                assert s.scalars(listed).all() == []
            return
        med = _row(CaseMedication, med_id)
        typed = " ".join(drug.lower().split())
        assert med.drug == typed or typed.startswith(med.drug + " ")
        if dose.strip():
            assert med.dose == dose.strip()
        elif med.drug == typed:
            assert med.dose is None
        else:  # "apixaban 5 mg" typed in one box: the rest is the dose
            assert med.dose == " ".join(drug.split())[len(med.drug) :].strip()

    check()


def test_a_dose_change_and_a_prescriber_clearance_refuse_or_store_hostile_text(db_url, examples):
    office, cora = _clinic()

    @examples.settings(sqlite=80, postgresql=30)
    @given(dose=free_text, prescriber=free_text)
    @example("\x00", "Dr. \x00")
    @example("<script>alert(1)</script>", "**Dr. Bold**")
    @example("x" * 100_000, "x" * 121)
    def check(dose: str, prescriber: str) -> None:
        examples.tick()
        case_id = make_case(office, CaseStatus.INTAKE)
        med_id = medications.add_medication(case_id, "apixaban", "5 mg", actor=cora)
        accepted, _ = attempt(lambda: medications.change_medication_dose(med_id, dose, actor=cora))
        assert _row(CaseMedication, med_id).dose == (trimmed(dose) if accepted else "5 mg")
        accepted, _ = attempt(
            lambda: medications.record_prescriber_clearance(med_id, prescriber, actor=cora)
        )
        med = _row(CaseMedication, med_id)
        assert med.cleared_by == (prescriber.strip() if accepted else None)

    check()


def test_condition_details_refuse_or_store_hostile_text(db_url, examples):
    office, cora = _clinic()

    @examples.settings(sqlite=80, postgresql=30)
    @given(details=free_text, changed=free_text, condition=st.sampled_from(list(Condition)))
    @example("\x00", "ok", Condition.DIABETES)
    @example("ok", "a\ud800", Condition.DIABETES)
    @example("[a](javascript:alert(1))", ":red[x]", Condition.HEART_DISEASE)
    @example("x" * 100_000, "x" * 2001, Condition.SLEEP_APNEA)
    def check(details: str, changed: str, condition: Condition) -> None:
        examples.tick()
        case_id = make_case(office, CaseStatus.INTAKE)
        accepted, _ = attempt(
            lambda: intake.flag_condition(case_id, condition, details, actor=cora)
        )

        def stored():
            with read_session() as s:
                return s.scalars(
                    select(CaseCondition.details).where(CaseCondition.case_id == case_id)
                ).all()

        if not accepted:
            assert stored() == []
            return
        assert stored() == [trimmed(details)]
        accepted, _ = attempt(
            lambda: intake.change_condition_details(case_id, condition, changed, actor=cora)
        )
        assert stored() == [trimmed(changed) if accepted else trimmed(details)]

    check()


def assessment(**changes):
    """An assessment form as @example gives it: plausible values, some replaced."""
    form = {"asa": 3, "height": 170, "weight": 70, "nprs": 5, "walk": 30, "stand": 30}
    return {**form, "works": None, **changes}


def test_the_assessment_refuses_or_stores_hostile_numbers(db_url, examples):
    office, cora = _clinic()
    case_id = make_case(office, CaseStatus.INTAKE)

    valid = {
        "asa": st.one_of(st.none(), st.integers(1, 6)),
        "height": st.floats(100, 250),
        "weight": st.floats(25, 350),
        "nprs": st.one_of(st.none(), st.integers(0, 10)),
        "walk": st.one_of(st.none(), st.integers(0, 600)),
        "stand": st.one_of(st.none(), st.integers(0, 600)),
        "works": st.sampled_from((True, False, None)),
    }
    hostile = {name: hostile_number() for name in valid if name != "works"}

    @examples.settings(sqlite=150, postgresql=30)
    @given(form=mostly_valid(valid, hostile))
    @example(assessment(asa=True))
    @example(assessment(height=float("nan")))
    @example(assessment(weight=float("inf")))
    @example(assessment(height="170", weight="70", nprs="5", walk="30", stand="x"))
    @example(assessment(walk=float("nan"), stand=float("inf")))
    @example(assessment(asa=3.0, walk=30.0, stand=10**30))
    @example(assessment(height=None, weight=None))
    def check(form) -> None:
        asa, height, weight, nprs, walk, stand, works = form.values()
        examples.tick()
        before = _row(Case, case_id)
        accepted, _ = attempt(
            lambda: intake.save_assessment(
                case_id,
                asa_class=asa,
                height_cm=height,
                weight_kg=weight,
                baseline_nprs=nprs,
                walk_minutes=walk,
                stand_minutes=stand,
                works=works,
                actor=cora,
            )
        )
        after = _row(Case, case_id)
        fields = (
            "asa_class",
            "height_cm",
            "weight_kg",
            "baseline_nprs",
            "baseline_walk_minutes",
            "baseline_stand_minutes",
            "works",
        )
        stored = tuple(getattr(after, f) for f in fields)
        if not accepted:
            assert stored == tuple(getattr(before, f) for f in fields)
            assert after.version == before.version
            return
        for value in (asa, height, weight, nprs, walk, stand):
            assert value is None or is_number(value)
        assert stored == (asa, height, weight, nprs, walk, stand, works)
        assert all(type(v) is not bool for v in stored[:-1])

    check()


def test_the_baseline_odi_refuses_or_scores_hostile_answers(db_url, examples):
    office, cora = _clinic()
    case_id = make_case(office, CaseStatus.INTAKE)
    answer = st.sampled_from((0, 1, 2, 3, 4, 5, None))
    extra = st.dictionaries(hostile_text(), hostile_number(), min_size=1, max_size=1)

    @examples.settings(sqlite=100, postgresql=20)
    @given(
        answers=mostly_valid(
            {s: answer for s in ODI_SECTIONS}, {s: hostile_number() for s in ODI_SECTIONS}
        ),
        extra=st.one_of(st.just({}), st.just({}), extra),
    )
    @example({s: 5 for s in ODI_SECTIONS}, {})
    @example({s: True for s in ODI_SECTIONS}, {})
    @example({s: float("nan") for s in ODI_SECTIONS}, {})
    @example({s: 2 for s in ODI_SECTIONS}, {"'; DROP TABLE mild_case; --": 1})
    def check(answers, extra) -> None:
        examples.tick()
        given_answers = {**answers, **extra}
        before = _row(Case, case_id).baseline_odi
        accepted, score = attempt(
            lambda: intake.save_baseline_odi(case_id, given_answers, actor=cora)
        )
        stored = _row(Case, case_id).baseline_odi
        if not accepted:
            assert stored == before
            return
        answered = [v for v in given_answers.values() if v is not None]
        assert not extra and len(answered) >= 8
        assert all(type(v) is int and 0 <= v <= 5 for v in answered)
        assert stored == score == round(sum(answered) / (5 * len(answered)) * 100, 1)

    check()


def escort(name, relationship, phone):
    return {"name": name, "relationship": relationship, "phone": phone}


def test_the_escort_refuses_or_stores_hostile_text(db_url, examples):
    office, cora = _clinic()
    case_id = make_case(office, CaseStatus.INTAKE)

    @examples.settings(sqlite=120, postgresql=30)
    @given(
        form=mostly_valid(
            {"name": plain_names, "relationship": plain_names, "phone": plain_phones},
            {"name": free_text, "relationship": free_text, "phone": phones},
        )
    )
    @example(escort("<script>window.__xss=1</script>", "son", "555-0100"))
    @example(escort("Ann\x00", "son", "555-0100"))
    @example(escort("Ann", "son\ud800", "555-0100"))
    @example(escort("Ann", "son", "555-0100\x00"))
    @example(escort("x" * 100_000, "x" * 61, "5" * 41))
    @example(escort("![i](http://203.0.113.7/y.png)", ":red[x]", "+1 (555) 010-0100 x12"))
    @example(escort("", "", ""))
    def check(form) -> None:
        name, relationship, phone = form.values()
        examples.tick()
        before = _row(Case, case_id)
        accepted, _ = attempt(
            lambda: intake.save_escort(
                case_id, name=name, relationship=relationship, phone=phone, actor=cora
            )
        )
        after = _row(Case, case_id)
        stored = (after.escort_name, after.escort_relationship, after.escort_phone)
        if not accepted:
            assert stored == (
                before.escort_name,
                before.escort_relationship,
                before.escort_phone,
            )
            return
        phone_ = trimmed(phone)
        assert stored == (
            trimmed(name),
            trimmed(relationship),
            " ".join(phone_.split()) if phone_ else None,
        )

    check()
