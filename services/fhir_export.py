"""The FHIR R4 export (mild.fhir): one case as a Bundle (JSON), or every case booked at an office
on a range of its local days as NDJSON (one Bundle per line); each export audited.

The export is built from a fresh read, then recorded (`fhir.exported`: what was exported, how
many resources of each type, the SHA-256 of the file; no patient data) in a transaction of its
own; if the record cannot be written (the session ended, the database away), the file is not
handed out.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass
from typing import Any

from db.queries.fhir import ExportOffice, case_record, office_for_export, office_records
from db.session import transaction
from mild import fhir, messages
from mild.audit import FHIR_EXPORTED
from mild.errors import RuleViolation
from services.common import Actor, audit, now_utc

JSON_MIME = "application/fhir+json"
NDJSON_MIME = "application/fhir+ndjson"


@dataclass(frozen=True)
class ExportedDocument:
    """One export: the file's text, a file name without patient data, its media type, how many
    Bundles (cases) and resources it holds, and when it was made."""

    text: str
    filename: str
    mime: str
    cases: int
    resources: int
    exported_at: dt.datetime

    @property
    def data(self) -> bytes:
        return self.text.encode("utf-8")


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9-]", "", text) or "x"


def _record(
    actor: Actor,
    text: str,
    bundles: list[dict[str, Any]],
    entity: tuple[str, int, int],
    at: dt.datetime,
    **detail: Any,
) -> int:
    """Audit the export (in its own transaction); returns the number of resources."""
    counts = fhir.resource_counts(bundles)
    kind, entity_id, office_id = entity
    with transaction() as session:
        audit(
            session,
            actor,
            FHIR_EXPORTED,
            kind,
            entity_id,
            office_id=office_id,
            detail={
                **detail,
                "fhir_version": fhir.FHIR_VERSION,
                "bundles": len(bundles),
                "resources": counts,
                "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
            },
            at=at,
        )
    return sum(counts.values())


def export_case(case_id: int, *, actor: Actor) -> ExportedDocument:
    """One case at the actor's offices as a FHIR R4 Bundle (JSON), audited. A case elsewhere
    (or none) is "not found"; a role without a case screen is refused."""
    fhir.check_case_exporter(actor.role)
    base = fhir.practice_base(os.environ)
    record = case_record(case_id, actor.office_ids)
    if record is None:
        raise RuleViolation("case", messages.CASE_NOT_FOUND)
    at = now_utc()
    bundle = fhir.case_bundle(record.snapshot, at, base)
    text = fhir.bundle_json(bundle)
    resources = _record(
        actor, text, [bundle], ("case", record.case_id, record.office_id), at, format="bundle"
    )
    return ExportedDocument(
        text=text,
        filename=f"fhir-case-{_safe(record.snapshot.code)}.json",
        mime=JSON_MIME,
        cases=1,
        resources=resources,
        exported_at=at,
    )


def export_office(
    office_id: int | None, first: dt.date | None, last: dt.date | None, *, actor: Actor
) -> ExportedDocument:
    """Every case booked at an office of the actor's from `first` to `last` (office-local days,
    inclusive) as NDJSON, one FHIR R4 Bundle per case, audited with the range and the counts.
    Refused for a role that does not answer for offices, an office elsewhere, or a bad range."""
    fhir.check_office_exporter(actor.role)
    office = _office(office_id, actor)
    first, last = fhir.check_range(first, last)
    base = fhir.practice_base(os.environ)
    at = now_utc()
    bundles = [fhir.case_bundle(r.snapshot, at, base) for r in office_records(office, first, last)]
    text = fhir.ndjson(bundles)
    resources = _record(
        actor,
        text,
        bundles,
        ("office", office.id, office.id),
        at,
        format="ndjson",
        first=first.isoformat(),
        last=last.isoformat(),
    )
    return ExportedDocument(
        text=text,
        filename=f"fhir-{_safe(office.code)}-{first.isoformat()}-{last.isoformat()}.ndjson",
        mime=NDJSON_MIME,
        cases=len(bundles),
        resources=resources,
        exported_at=at,
    )


def _office(office_id: int | None, actor: Actor) -> ExportOffice:
    """The office to export, refused as "not found" when none is picked or it is elsewhere."""
    if office_id is None:
        raise RuleViolation("office", messages.FHIR_OFFICE_REQUIRED)
    office = office_for_export(office_id, actor.office_ids)
    if office is None:
        raise RuleViolation("office", messages.OFFICE_NOT_FOUND)
    return office
