"""A case's medications as the screens show them: the hold copied from the table, the latest
allowed last dose, the reported last dose with who charted it, review and clearance."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from db.models import CaseMedication, HoldRuleRow, StaffUser
from mild.medications import HeldDrug, MedClass, from_hours


@dataclass(frozen=True)
class MedicationRow:
    id: int
    drug: str
    name_given: str | None
    hold_rule: str | None  # the table row it follows; None: unplaced, or no relevance
    dose: str | None
    med_class: MedClass
    stop_before_hours: int | None
    skip_on_day: bool
    restart_after_hours: int | None
    last_dose_by: dt.datetime | None
    needs_review: bool
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_reason: str | None
    needs_clearance: bool
    cleared_by: str | None
    cleared_at: dt.datetime | None
    hold_confirmed_by: str | None
    hold_confirmed_at: dt.datetime | None
    last_dose_taken_at: dt.datetime | None
    last_dose_reported_at: dt.datetime | None
    last_dose_reported_by: str | None
    last_dose_reported_via: str | None
    glp1_screen: str | None
    glp1_decision: str | None
    glp1_decided_by: str | None
    instruction: str  # the hold table row's, "" when none applies
    note: str | None

    @property
    def stop_before(self) -> dt.timedelta | None:
        return from_hours(self.stop_before_hours)

    @property
    def restart_after(self) -> dt.timedelta | None:
        return from_hours(self.restart_after_hours)

    @property
    def timed_hold(self) -> bool:
        return self.stop_before_hours is not None or self.skip_on_day

    def held(self) -> HeldDrug:
        """The drug as the day-of hold check sees it."""
        return HeldDrug(
            drug=self.drug,
            stop_before=self.stop_before,
            skip_on_day=self.skip_on_day,
            last_dose_taken_at=self.last_dose_taken_at,
            needs_review=self.needs_review,
        )


def medication_rows(s: Session, case_id: int) -> tuple[MedicationRow, ...]:
    """The case's drugs in the order they were added (one query)."""
    confirmer, reviewer, reporter = aliased(StaffUser), aliased(StaffUser), aliased(StaffUser)
    rows = s.execute(
        select(
            CaseMedication.id,
            CaseMedication.drug,
            CaseMedication.name_given,
            CaseMedication.hold_rule,
            CaseMedication.dose,
            CaseMedication.med_class,
            CaseMedication.stop_before_hours,
            CaseMedication.skip_on_day,
            CaseMedication.restart_after_hours,
            CaseMedication.last_dose_by,
            CaseMedication.needs_review,
            reviewer.display_name,
            CaseMedication.reviewed_at,
            CaseMedication.review_reason,
            CaseMedication.needs_clearance,
            CaseMedication.cleared_by,
            CaseMedication.cleared_at,
            confirmer.display_name,
            CaseMedication.hold_confirmed_at,
            CaseMedication.last_dose_taken_at,
            CaseMedication.last_dose_reported_at,
            reporter.display_name,
            CaseMedication.last_dose_reported_via,
            CaseMedication.glp1_screen,
            CaseMedication.glp1_decision,
            CaseMedication.glp1_decided_by,
            HoldRuleRow.instruction,
            CaseMedication.note,
        )
        .outerjoin(confirmer, confirmer.id == CaseMedication.hold_confirmed_by_id)
        .outerjoin(reviewer, reviewer.id == CaseMedication.reviewed_by_id)
        .outerjoin(reporter, reporter.id == CaseMedication.last_dose_reported_by_id)
        .outerjoin(HoldRuleRow, HoldRuleRow.drug == CaseMedication.hold_rule)
        .where(CaseMedication.case_id == case_id)
        .order_by(CaseMedication.id)
    )
    return tuple(MedicationRow(*r[:-2], r[-2] or "", r[-1]) for r in rows)
