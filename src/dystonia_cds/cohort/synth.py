"""A seeded synthetic FHIR Bulk Data export whose truth is known, for tests and benchmarks.

Why synthetic: no real hospital export may leave a hospital, yet screening must be tested
on one — millions of patients, few with dystonia, and the noise real records have (missing
dates and birth dates, unrelated conditions, drugs that do not cause dystonia, procedures
that have nothing to do with it, dystonia-inducing drugs in patients without dystonia). Each
dystonia patient is drawn from one cause's pattern as the literature describes it (the
latencies are the knowledge base's typical windows); ``truth.csv`` records the cause, so a
screening run's per-cause recall can be measured. The same seed gives the same export.

A real Synthea export (NDJSON in bulk mode, or one Bundle per patient) can be given as the
background population: its resources are copied in, its patients marked "synthea" in the
truth, since their causes are not known.

One record's resources are built by ``_synth_record``, what they hold per cause and as
background is ``_synth_causes``'; this module writes the export and its truth.
"""

from __future__ import annotations

import csv
import gzip
import random
from pathlib import Path
from typing import IO, Any, cast

import orjson

from dystonia_cds.cohort._synth_causes import dystonia, noise
from dystonia_cds.cohort._synth_record import TODAY, Patient, days

__all__ = ["CAUSES", "SynthResult", "synthesize"]

CAUSES = ("idiopathic", "drug_induced_acute", "drug_induced_tardive",
          "acquired_central_vascular", "acquired_central_traumatic",
          "acquired_peripheral_trauma", "acquired_perinatal", "inherited")
_MIX = (0.30, 0.12, 0.12, 0.12, 0.06, 0.12, 0.06, 0.10)
# The oldest age (years) each pattern's dates reach, so a patient is old enough that no
# date of the pattern falls after the export date.
_OLDEST = {"idiopathic": 61, "drug_induced_acute": 41, "drug_induced_tardive": 53,
           "acquired_central_vascular": 72, "acquired_central_traumatic": 43,
           "acquired_peripheral_trauma": 61, "acquired_perinatal": 6, "inherited": 15}


class _Writer:
    """One NDJSON file per resource type, opened on first use."""

    def __init__(self, out: Path, gz: bool) -> None:
        self.out, self.gz = out, gz
        self.files: dict[str, IO[bytes]] = {}
        self.counts: dict[str, int] = {}

    def _file(self, rtype: str) -> IO[bytes]:
        if rtype not in self.files:  # kept open across calls, closed by close()
            path = self.out / (f"{rtype}.ndjson" + (".gz" if self.gz else ""))
            fh = cast(IO[bytes], gzip.open(path, "wb", compresslevel=1) if self.gz  # noqa: SIM115
                      else path.open("wb"))
            self.files[rtype] = fh
        return self.files[rtype]

    def __call__(self, res: dict[str, Any]) -> None:
        self.raw(res["resourceType"], orjson.dumps(res))

    def raw(self, rtype: str, line: bytes) -> None:
        self._file(rtype).write(line.rstrip(b"\n") + b"\n")
        self.counts[rtype] = self.counts.get(rtype, 0) + 1

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


class SynthResult(dict[str, Any]):
    """Counts of the export: patients, dystonia patients by cause, resources by type."""


def _copy_synthea(src: Path, write: _Writer) -> list[str]:
    """Copy a Synthea export in; returns its patient ids."""
    patients: list[str] = []
    for path in sorted(src.rglob("*")):
        if path.name.endswith((".ndjson", ".ndjson.gz")):
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rb") as fh:
                for line in fh:
                    if line.strip():
                        res = orjson.loads(line)
                        write.raw(str(res.get("resourceType")), line)
                        if res.get("resourceType") == "Patient":
                            patients.append(str(res.get("id")))
        elif path.suffix == ".json":
            bundle = orjson.loads(path.read_bytes())
            for entry in bundle.get("entry", []) if isinstance(bundle, dict) else []:
                res = entry.get("resource") or {}
                if "resourceType" in res:
                    write(res)
                    if res["resourceType"] == "Patient":
                        patients.append(str(res.get("id")))
    return patients


def synthesize(out: Path, patients: int, seed: int, *, dystonia_share: float = 0.05,
               gz: bool = False, synthea: Path | None = None) -> SynthResult:
    """Write a Bulk export of ``patients`` synthetic patients to ``out`` with truth.csv."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    write = _Writer(out, gz)
    by_cause: dict[str, int] = {}
    width = len(str(max(patients, 1)))
    try:
        with (out / "truth.csv").open("w", newline="", encoding="utf-8") as tf:
            truth = csv.writer(tf)
            truth.writerow(["patient_id", "dystonia", "cause"])
            if synthea is not None:
                for pid in _copy_synthea(synthea, write):
                    truth.writerow([pid, "", "synthea"])
            for i in range(patients):
                pid = f"p{seed}-{i:0{width}d}"
                has = rng.random() < dystonia_share
                cause = rng.choices(CAUSES, weights=_MIX)[0] if has else ""
                oldest = _OLDEST[cause] if has else 1
                birth = TODAY - days(rng, oldest * 366, (oldest + 25) * 366)
                res: dict[str, Any] = {"resourceType": "Patient", "id": pid,
                                       "gender": rng.choice(["female", "male"])}
                if rng.random() > 0.02:  # a few records have no birth date
                    res["birthDate"] = birth.isoformat()
                write(res)
                p = Patient(rng, pid, write, birth)
                if has:
                    dystonia(p, cause)
                    by_cause[cause] = by_cause.get(cause, 0) + 1
                noise(p, has)
                truth.writerow([pid, "true" if has else "false", cause])
    finally:
        write.close()
    (out / "manifest.json").write_bytes(orjson.dumps({
        "transactionTime": f"{TODAY.isoformat()}T00:00:00Z", "requiresAccessToken": False,
        "request": f"dystonia-cds synth --patients {patients} --seed {seed}",
        "output": [{"type": t, "url": f"{t}.ndjson" + (".gz" if gz else ""), "count": n}
                   for t, n in sorted(write.counts.items())],
        "error": []}, option=orjson.OPT_INDENT_2))
    return SynthResult(patients=patients, dystonia=sum(by_cause.values()), by_cause=by_cause,
                       resources=dict(sorted(write.counts.items())))
