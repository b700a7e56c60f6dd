"""Find the NDJSON files of a FHIR Bulk Data export: a folder, or a list of files.

Why a module of its own: both engines (DuckDB, Spark) must read exactly the same files in
the same order — the order of the lines is part of what makes their rows identical — and
`screen` must tell a Bulk export from a folder of Case files before choosing a path.
The `$export` layout is one NDJSON file (or several) per resource type, plain or gzip;
files are named after the type (Patient.ndjson, Condition.000.ndjson, 1.Observation.ndjson).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from dystonia_cds.errors import CaseError, InputProblem

__all__ = ["USED_TYPES", "BulkFile", "find_bulk_files", "fingerprint", "is_bulk_export"]

_SUFFIXES = (".ndjson", ".ndjson.gz")

# The resource types the FHIR mapping reads (dystonia_cds.adapters.fhir); other types are
# counted in the run's summary and not passed on.
USED_TYPES = ("Condition", "DiagnosticReport", "FamilyMemberHistory", "ImagingStudy",
              "Medication", "MedicationRequest", "MedicationStatement", "Observation",
              "Patient", "Procedure")


@dataclass(frozen=True)
class BulkFile:
    """One NDJSON file of the export; ``index`` orders lines across files."""

    index: int
    path: Path


def _is_ndjson(path: Path) -> bool:
    return path.name.endswith(_SUFFIXES)


def is_bulk_export(inputs: list[Path]) -> bool:
    """True when the inputs are (or hold) NDJSON files and nothing else screen reads."""
    files = [p for item in inputs
             for p in (sorted(item.rglob("*")) if item.is_dir() else [item]) if p.is_file()]
    return bool(files) and any(_is_ndjson(p) for p in files) and not any(
        p.suffix in (".yaml", ".yml", ".jsonl") for p in files)


def find_bulk_files(inputs: list[Path]) -> list[BulkFile]:
    """The export's NDJSON files in a fixed order, each file once.

    A file reached twice (a folder and its subfolder, or a file named beside its folder) is
    read once: the same resources twice would give the patient duplicate resources.
    """
    seen: set[Path] = set()
    out: list[Path] = []
    for item in inputs:
        if not item.exists():
            raise CaseError([InputProblem(field="(input)", value=str(item),
                                          message="no such file or folder")])
        found = sorted(p for p in item.rglob("*") if p.is_file() and _is_ndjson(p)) \
            if item.is_dir() else [item]
        for path in found:
            if not _is_ndjson(path):
                raise CaseError([InputProblem(
                    field="(input)", value=str(path), message="not an NDJSON file",
                    solution="give .ndjson or .ndjson.gz files of a FHIR Bulk Data export, "
                    "or the folder that holds them")])
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                out.append(key)
    if not out:
        raise CaseError([InputProblem(field="(input)", value=", ".join(map(str, inputs)),
                                      message="no .ndjson or .ndjson.gz file found")])
    return [BulkFile(i, p) for i, p in enumerate(sorted(out))]


def fingerprint(files: list[BulkFile], extra: str) -> str:
    """What a finished chunk was computed from: the files (path, size, mtime) and ``extra``
    (engine and knowledge versions, chunk size). A resumed run reuses chunks only when equal."""
    h = hashlib.sha256(extra.encode())
    for f in files:
        st = f.path.stat()
        h.update(f"{f.path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return h.hexdigest()[:16]
