"""FHIR read path: CPU per dystonia patient of the mapping, with the lite check and without it.

Prints figures, not pass/fail. The patients are the dystonia patients of a seeded synthetic
Bulk export (``dystonia-cds synth``), grouped as cohort screening groups them; each is
mapped with ``adapters.fhir.case_from_resources`` twice in the same run: once as shipped
(plain resources checked by ``adapters/_fhir_lite.py``) and once with every resource
validated by ``fhir.resources`` (the baseline). The Cases are compared too.

    python bench/fhir_read.py [--patients 20000] [--seed 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any


def _patients(export: Path) -> list[tuple[str, list[dict[str, Any]]]]:
    by_pid: dict[str, list[dict[str, Any]]] = {}
    refs: dict[str, dict[str, Any]] = {}
    for path in sorted(export.glob("*.ndjson")):
        for line in path.read_text(encoding="utf-8").splitlines():
            res = json.loads(line)
            ref = (res.get("subject") or res.get("patient") or {}).get("reference", "")
            pid = res["id"] if res["resourceType"] == "Patient" else ref.removeprefix("Patient/")
            if pid:
                by_pid.setdefault(pid, []).append(res)
            else:
                refs[f"{res['resourceType']}/{res['id']}"] = res
    truth = {line.split(",")[0] for line in (export / "truth.csv").read_text().splitlines()
             if ",true," in line}
    out = []
    for pid in sorted(truth & set(by_pid)):
        own = by_pid[pid]
        linked = [refs[r["reference"]] for res in own
                  for r in [*res.get("result", []), *res.get("imagingStudy", [])]
                  if r.get("reference") in refs]
        out.append((pid, own + linked))
    return out


def _map(patients: list[tuple[str, list[dict[str, Any]]]], kb: Any) -> tuple[float, list[Any]]:
    from dystonia_cds.adapters.fhir import case_from_resources

    start = time.process_time()
    cases = [case_from_resources(res, pid, kb)[0] for pid, res in patients]
    return (time.process_time() - start) / len(patients) * 1000, cases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from dystonia_cds import default_knowledge
    from dystonia_cds.adapters import _fhir_read
    from dystonia_cds.cohort.synth import synthesize

    kb = default_knowledge()
    with tempfile.TemporaryDirectory() as tmp:
        synthesize(Path(tmp), args.patients, args.seed)
        patients = _patients(Path(tmp))
    n_res = sum(len(r) for _, r in patients)
    print(f"fhir read bench: {len(patients):,} dystonia patients ({n_res:,} resources) of "
          f"{args.patients:,} synthetic, seed {args.seed}; best of {args.repeat}")
    lite = _fhir_read.lite_resource
    fast, slow = [], []
    for _ in range(args.repeat):
        _fhir_read.lite_resource = lite
        ms, fast_cases = _map(patients, kb)
        fast.append(ms)
        _fhir_read.lite_resource = lambda raw: None
        ms, slow_cases = _map(patients, kb)
        slow.append(ms)
    _fhir_read.lite_resource = lite
    print(f"  baseline (every resource through fhir.resources) {min(slow):.3f} ms CPU/patient")
    print(f"  as shipped (lite check, fhir.resources otherwise)  {min(fast):.3f} ms CPU/patient"
          f"  ({min(slow) / min(fast):.1f}× faster)")
    print(f"  Cases identical: {fast_cases == slow_cases}")


if __name__ == "__main__":
    main()
