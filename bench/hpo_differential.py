"""Benchmark the inherited-dystonia differential: ontology load once, then ranking time per case
(warm) over all dystonia-annotated diseases, beside the naive pairwise loop in the same run.

    python bench/hpo_differential.py [--repeat N]

Prints times and the speed ratio; it asserts nothing (see tests/genetics for correctness).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from dystonia_cds.genetics import load_hpo, naive_rank, onset_to_hpo, rank_diseases

CASES = Path(__file__).resolve().parent.parent / "tests" / "genetics" / "cases"


def _queries() -> list[tuple[list[str], list[str]]]:
    import isodate

    out = []
    for path in sorted(CASES.glob("*.json")):
        packet = json.loads(path.read_text("utf-8"))
        feats = packet["phenotypicFeatures"]
        observed = [f["type"]["id"] for f in feats if not f.get("excluded")]
        excluded = [f["type"]["id"] for f in feats if f.get("excluded")]
        onset = packet["diseases"][0].get("onset", {}).get("age", {}).get("iso8601duration")
        if onset:
            duration = isodate.parse_duration(onset)
            observed.append(onset_to_hpo(duration.years + duration.months / 12))
        out.append((observed, excluded))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    start = time.perf_counter()
    index = load_hpo()
    load_s = time.perf_counter() - start
    queries = _queries()
    n = len(index.diseases)
    print(f"{index.backend}, {index.hpo_version}: {n} dystonia-annotated diseases")
    print(f"load_hpo (ontology + index), cold: {load_s * 1000:.0f} ms")

    for observed, excluded in queries:  # warm-up
        rank_diseases(index, observed, excluded)
    fast: list[float] = []
    for _ in range(args.repeat):
        for observed, excluded in queries:
            t = time.perf_counter()
            rank_diseases(index, observed, excluded)
            fast.append(time.perf_counter() - t)
    slow: list[float] = []
    for observed, excluded in queries:
        t = time.perf_counter()
        naive_rank(index, observed, excluded)
        slow.append(time.perf_counter() - t)
    f_ms, s_ms = statistics.median(fast) * 1000, statistics.median(slow) * 1000
    print(f"rank_diseases, warm, per case (median of {len(fast)}): {f_ms:.2f} ms")
    print(f"naive pairwise loop, per case (median of {len(slow)}):   {s_ms:.2f} ms")
    print(f"speed-up: {s_ms / f_ms:.1f}x")


if __name__ == "__main__":
    main()
