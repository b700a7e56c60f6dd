"""Which patients have dystonia, as SQL both engines run: the mapping's own code sets.

Why generated SQL: the selection must agree with the FHIR mapping (one mapping, not a second
copy), so the code lists come from :func:`dystonia_cds.adapters.fhir.dystonia_codes`; and it
must agree between DuckDB and Spark, so the predicate text is the same for both (LIKE,
IN, upper, trim and regexp_replace mean the same in both dialects).
"""

from __future__ import annotations

from dystonia_cds.adapters.fhir import DystoniaCodes

__all__ = ["PATIENT_OF", "coding_predicate", "sql_list"]

# The patient a resource belongs to: its own id for a Patient, else subject or patient
# ("Patient/<id>" or "urn:uuid:<id>"); other references (Group, Device) link to no patient.
PATIENT_OF = """CASE
  WHEN rtype = 'Patient' THEN rid
  WHEN pref LIKE 'Patient/%' THEN substr(pref, 9)
  WHEN pref LIKE 'urn:uuid:%' THEN substr(pref, 10)
END"""


def sql_list(values: tuple[str, ...] | list[str]) -> str:
    """A SQL IN list of string literals (quotes doubled)."""
    return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"


def coding_predicate(codes: DystoniaCodes, system: str, code: str) -> str:
    """SQL true when the coding (system, code columns) is a dystonia diagnosis."""
    url = f"regexp_replace({system}, '/+$', '')"
    norm = f"upper(trim({code}))"
    icd = " OR ".join(f"{norm} LIKE '{p}%'" for p in codes.icd10cm_prefixes) or "false"
    icd_no = " OR ".join(f"{norm} LIKE '{p}%'" for p in codes.icd10cm_excluded) or "false"
    return (f"(({url} IN {sql_list(codes.icd10cm_systems)} AND ({icd}) AND NOT ({icd_no}))"
            f" OR ({url} IN {sql_list(codes.snomed_systems)} AND trim({code}) IN "
            f"{sql_list(codes.snomed_codes)})"
            f" OR ({url} IN {sql_list(codes.hpo_systems)} AND {norm} IN "
            f"{sql_list(codes.hpo_codes)}))")
