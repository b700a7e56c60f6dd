"""Case → FHIR Bundle writer: CPU per case, beside same-run baselines.

Prints figures, not pass/fail. CPU time (``time.process_time``), on the published-case
corpus and the examples:

- ``case_to_fhir`` (build + validate the Bundle with fhir.resources + the lossy notes);
- baseline 1: ``Bundle.model_validate`` alone on the same Bundles (the validation floor the
  writer pays once per Bundle);
- baseline 2: ``case_from_fhir`` reading the same Bundles back (the reader).

    python bench/fhir_write.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from fhir.resources.R4B.bundle import Bundle

from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.adapters.fhir import case_from_fhir, case_to_fhir
from dystonia_cds.knowledge import load_knowledge

REPO = Path(__file__).resolve().parents[1]


def _cpu_ms_per(items: list[Any], fn: Callable[[Any], object]) -> float:
    t0 = time.process_time()
    for item in items:
        fn(item)
    return 1000 * (time.process_time() - t0) / len(items)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    kb = load_knowledge()
    paths = sorted((REPO / "tests" / "cases").glob("*.yaml")) + sorted(
        (REPO / "examples").glob("*.yaml"))
    cases = []
    for p in paths:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        cases.append(case_from_mapping(data.get("case", data), kb))
    bundles = [case_to_fhir(c, kb)[0] for c in cases]  # warm-up, and the baselines' input
    rows: dict[str, list[float]] = {"write": [], "validate": [], "read": []}
    for _ in range(args.repeat):  # interleaved, so drift hits all three alike
        rows["write"].append(_cpu_ms_per(cases, lambda c: case_to_fhir(c, kb)))
        rows["validate"].append(_cpu_ms_per(bundles, Bundle.model_validate))
        rows["read"].append(_cpu_ms_per(bundles, lambda b: case_from_fhir(b, kb)))
    med = {k: statistics.median(v) for k, v in rows.items()}
    size = sum(len(b["entry"]) for b in bundles) / len(bundles)
    print(f"{len(cases)} cases, {size:.1f} resources per Bundle, median of {args.repeat}, "
          "CPU ms per case")
    print(f"  case_to_fhir (build, validate, notes) {med['write']:7.2f}")
    print(f"  baseline: Bundle.model_validate only  {med['validate']:7.2f}")
    print(f"  baseline: case_from_fhir (read back)  {med['read']:7.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
