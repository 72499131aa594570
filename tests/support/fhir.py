"""Reading an exported Bundle as the receiving EHR would.

Each resource, then the whole Bundle, is parsed with fhir.resources' R4B models (pinned in
requirements-dev.txt: the maintained releases model R4B and R5, not R4 4.0.1; the resources the
export uses are the same in R4 and R4B). The models check types, formats, required elements and
unknown elements, but not the codes of required bindings: those are checked here against the R4
value sets. Every reference must resolve to an entry of the same Bundle.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

UUID_URL = re.compile(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# R4 (4.0.1) required bindings of the status elements the export fills.
STATUS_CODES: dict[str, frozenset[str]] = {
    "Encounter": frozenset(
        [
            "planned",
            "arrived",
            "triaged",
            "in-progress",
            "onleave",
            "finished",
            "cancelled",
            "entered-in-error",
            "unknown",
        ]
    ),
    "Procedure": frozenset(
        [
            "preparation",
            "in-progress",
            "not-done",
            "on-hold",
            "stopped",
            "completed",
            "entered-in-error",
            "unknown",
        ]
    ),
    "Observation": frozenset(
        [
            "registered",
            "preliminary",
            "final",
            "amended",
            "corrected",
            "cancelled",
            "entered-in-error",
            "unknown",
        ]
    ),
    "MedicationStatement": frozenset(
        [
            "active",
            "completed",
            "entered-in-error",
            "intended",
            "stopped",
            "on-hold",
            "unknown",
            "not-taken",
        ]
    ),
    "Flag": frozenset(["active", "inactive", "entered-in-error"]),
    "QuestionnaireResponse": frozenset(
        ["in-progress", "completed", "amended", "entered-in-error", "stopped"]
    ),
}
CLINICAL_STATUS = {
    "Condition": frozenset(
        ["active", "recurrence", "relapse", "inactive", "remission", "resolved"]
    ),
    "AllergyIntolerance": frozenset(["active", "inactive", "resolved"]),
}


def references(value: Any) -> Iterator[str]:
    """Every Reference.reference anywhere inside a resource or Bundle."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "reference":
                yield inner
            else:
                yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)


def check_bundle(bundle: dict[str, Any]) -> dict[str, Any]:
    """The Bundle, once every check passes (a failing check fails the test)."""
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    urls = [e["fullUrl"] for e in bundle["entry"]]
    assert len(set(urls)) == len(urls), "two entries share a fullUrl"
    assert all(UUID_URL.fullmatch(u) for u in urls), urls
    for entry in bundle["entry"]:
        resource = entry["resource"]
        kind = resource["resourceType"]
        get_fhir_model_class(kind).model_validate(resource)
        if kind in STATUS_CODES:
            assert resource["status"] in STATUS_CODES[kind], (kind, resource["status"])
        if kind in CLINICAL_STATUS:
            (code,) = [c["code"] for c in resource["clinicalStatus"]["coding"]]
            assert code in CLINICAL_STATUS[kind]
    parsed = Bundle.model_validate(bundle)
    assert [e.resource.get_resource_type() for e in parsed.entry] == [
        e["resource"]["resourceType"] for e in bundle["entry"]
    ]
    assert set(references(bundle)) <= set(urls), "a reference points outside the Bundle"
    return bundle


def resources(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def codes(concept: dict[str, Any]) -> set[tuple[str, str]]:
    """(system, code) of each coding of a CodeableConcept."""
    return {(c["system"], c["code"]) for c in concept.get("coding", [])}
