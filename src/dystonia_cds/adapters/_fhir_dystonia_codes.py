"""The codes the FHIR mapping reads as a dystonia diagnosis, as plain sets for SQL.

Why derived, not listed: cohort screening selects patients in DuckDB or Spark before any
resource is mapped, and that selection must agree with the mapping — so the sets are read
from the mapping's own code tables (``adapters/data/fhir_codes.yaml``).
"""

from __future__ import annotations

from dataclasses import dataclass

from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.adapters._fhir_read import NO_CODES
from dystonia_cds.adapters._fhir_resources import SKIP_STATUS
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge

__all__ = ["DystoniaCodes", "dystonia_codes"]


@dataclass(frozen=True)
class DystoniaCodes:
    """The codes this mapping reads as a dystonia diagnosis, for selecting patients in SQL.

    Why here: cohort screening selects dystonia patients from millions of resources before
    any resource is mapped, and the selection must agree with the mapping — so both read the
    same code tables. ICD-10-CM is a prefix table (longest listed prefix wins): a code is a
    dystonia code when it starts with one of ``icd10cm_prefixes`` and with none of
    ``icd10cm_excluded`` (longer listed prefixes that mean something else, e.g. G24.01 tardive
    dyskinesia). Codes compare upper-cased and stripped; system URLs without a trailing '/'.
    """

    icd10cm_systems: tuple[str, ...]
    icd10cm_prefixes: tuple[str, ...]
    icd10cm_excluded: tuple[str, ...]
    snomed_systems: tuple[str, ...]
    snomed_codes: tuple[str, ...]
    hpo_systems: tuple[str, ...]
    hpo_codes: tuple[str, ...]
    skip_status: tuple[str, ...]      # status / verificationStatus codes the mapping ignores
    absent_codes: tuple[str, ...]     # Observation.valueCodeableConcept codes meaning "No"

    def is_dystonia(self, system: str | None, code: str) -> bool:
        """The same decision in Python (tests compare it with the mapping and the SQL)."""
        url, norm = (system or "").rstrip("/"), code.strip().upper()
        if url in self.icd10cm_systems:
            return (any(norm.startswith(p) for p in self.icd10cm_prefixes)
                    and not any(norm.startswith(p) for p in self.icd10cm_excluded))
        if url in self.snomed_systems:
            return code.strip() in self.snomed_codes
        return url in self.hpo_systems and norm in self.hpo_codes


def dystonia_codes(kb: KnowledgeBase | None = None) -> DystoniaCodes:
    """The dystonia code sets of the mapping's tables (see :class:`DystoniaCodes`)."""
    tables = CodeTables(kb or default_knowledge())

    def urls(name: str) -> tuple[str, ...]:
        return tuple(sorted(u.rstrip("/") for u, n in tables.systems.items() if n == name))

    dyst = sorted(k for k, m in tables.icd.items() if m.dystonia)
    excluded = sorted(k for k, m in tables.icd.items() if not m.dystonia
                      and any(k.startswith(d) and len(k) > len(d) for d in dyst))
    if any(d.startswith(x) for d in dyst for x in excluded):
        raise ValueError("fhir_codes.yaml: a dystonia ICD-10-CM prefix below a non-dystonia "
                         "one cannot be expressed as prefixes and exclusions")
    return DystoniaCodes(
        icd10cm_systems=urls("icd10cm"), icd10cm_prefixes=tuple(dyst),
        icd10cm_excluded=tuple(excluded), snomed_systems=urls("snomed"),
        snomed_codes=tuple(sorted(k for k, m in tables.snomed.items() if m.dystonia)),
        hpo_systems=urls("hpo"), hpo_codes=tuple(sorted(tables.hpo_region)),
        skip_status=tuple(sorted(SKIP_STATUS)), absent_codes=tuple(sorted(NO_CODES)))
