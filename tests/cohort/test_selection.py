"""The SQL selection agrees with the FHIR mapping on which codes are dystonia."""

from __future__ import annotations

import duckdb
import pytest

from dystonia_cds import CaseError
from dystonia_cds.adapters.fhir import case_from_resources, dystonia_codes
from dystonia_cds.cohort.selection import coding_predicate

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
SCT = "http://snomed.info/sct"
HPO = "http://purl.obolibrary.org/obo/hp.owl"

CODINGS = [
    (ICD, "G24"), (ICD, "G24.3"), (ICD, "g24.8"), (ICD, "G24.01"), (ICD, "G24.011"),
    (ICD, "G24.02"), (ICD, "G25.1"), (ICD, "I63.9"), (ICD, "J38.5"), (ICD + "/", "G24.9"),
    ("http://hl7.org/fhir/sid/icd-10", "G24.5"), (SCT, "15802004"), (SCT, "39848009"),
    (SCT, "1580200"), (HPO, "HP:0000473"), (HPO, "hp:0002451"), (HPO, "HP:0001269"),
    ("http://example.org/local", "G24.3"), (None, "G24.3"),
]


def _mapped_as_dystonia(system: str | None, code: str) -> bool:
    coding = {"code": code} if system is None else {"system": system, "code": code}
    resources = [{"resourceType": "Patient", "id": "p"},
                 {"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/p"},
                  "code": {"coding": [coding]}}]
    try:
        case_from_resources(resources, "p")
    except CaseError:
        return False
    return True


@pytest.mark.parametrize(("system", "code"), CODINGS)
def test_python_and_sql_selection_agree_with_the_mapping(system: str | None, code: str) -> None:
    codes = dystonia_codes()
    expected = _mapped_as_dystonia(system, code)
    assert codes.is_dystonia(system, code) is expected
    sql = coding_predicate(codes, "s", "c")
    got = duckdb.execute(f"SELECT coalesce({sql}, false) FROM (SELECT ?::VARCHAR AS s, "
                         "?::VARCHAR AS c)", [system, code]).fetchone()
    assert got is not None and got[0] is expected


def test_tardive_dyskinesia_is_not_selected_but_its_parent_is() -> None:
    codes = dystonia_codes()
    assert "G24.01" in codes.icd10cm_excluded
    assert codes.is_dystonia(ICD, "G24.0") and not codes.is_dystonia(ICD, "G24.01")
