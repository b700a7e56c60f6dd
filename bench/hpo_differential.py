"""Benchmark the inherited-dystonia differential on the blinded phenopacket benchmark
(../shared/phenopackets: 126 published packets, 45 gene cohorts): recall and ms/case of the
current default beside the previous method (v1) in the same run, the excluded-term variants,
the leave-one-cohort-out choice among them, and the naive pairwise loop for speed.

    python bench/hpo_differential.py [--packets DIR] [--repeat N]

Gene rank: genes of the ranked diseases in order, each once, group entries (> 3 genes)
skipped. Caveat: HPO's annotations were partly curated from these same papers, so any
HPO-based ranking is flattered here (docs/genetics.md). Prints; asserts nothing (the floors
are in tests/genetics/test_benchmark.py).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from pathlib import Path

from dystonia_cds.genetics import DEFAULT, PREVIOUS, HpoIndex, RankConfig, load_hpo, naive_rank
from dystonia_cds.genetics._index import FREQUENCY_PRIOR as DEFAULT_PRIOR
from dystonia_cds.genetics.benchmark import (
    BenchCase,
    Ranks,
    leave_one_cohort_out,
    load_benchmark,
    rank_case,
    recall,
)

PACKETS = Path(__file__).resolve().parent.parent.parent / "shared" / "phenopackets"
COLUMNS = ("gene_top1", "gene_top10", "gene_top50", "disease_top1", "disease_top10",
           "disease_top50", "ms_per_case", "cpu_ms_per_case")


def _candidates() -> dict[str, tuple[float, RankConfig]]:
    """(frequency prior, config) by name; listed in order of preference for ties (the
    frequency-aware rules first: they use evidence that 'off' throws away)."""
    out: dict[str, tuple[float, RankConfig]] = {}
    for prior in (2.0, 1.0):
        for threshold in (0.9, 0.8, 1.0):
            for weight in (1.0, 0.25):
                name = f"frequent>={threshold} w{weight} prior{prior:g}"
                out[name] = (prior, RankConfig(penalty="frequent", threshold=threshold,
                                               weight=weight))
        out[f"graded prior{prior:g}"] = (prior, RankConfig(penalty="graded"))
    out["off"] = (2.0, RankConfig(penalty="off"))
    out["all (v1 rule)"] = (2.0, RankConfig(penalty="all"))
    return out


def _row(name: str, figures: dict[str, float]) -> str:
    cells = [f"{figures[c]:6.2f}" if c.endswith("ms_per_case") else f"{figures[c] * 100:5.1f}"
             for c in COLUMNS]
    return f"{name:38s} " + " ".join(f"{c:>8s}" for c in cells)


def _header() -> str:
    names = ("gene@1", "gene@10", "gene@50", "dis@1", "dis@10", "dis@50", "ms/case", "cpu ms")
    return f"{'method (% of cases)':38s} " + " ".join(f"{n:>8s}" for n in names)


def _timed(index: HpoIndex, cases: list[BenchCase], cfg: RankConfig, repeat: int
           ) -> list[Ranks]:
    for case in cases:  # warm-up
        rank_case(index, case, cfg)
    runs = [[rank_case(index, c, cfg) for c in cases] for _ in range(repeat)]
    return [replace(runs[0][i], seconds=statistics.median(r[i].seconds for r in runs),
                    cpu_seconds=statistics.median(r[i].cpu_seconds for r in runs))
            for i in range(len(cases))]


def _engine_section(folder: Path, index: HpoIndex, cases: list[BenchCase]) -> None:
    """End to end: blinded packet -> Case (phenopacket adapter) -> Assessment. How many get a
    differential under the v1 gate (inherited/degenerative support only) and the v2 gate, and
    the gene's rank in the differential the user sees (top 10 diseases, treatable first)."""
    try:
        from dystonia_cds.adapters.phenopacket import case_from_phenopacket
    except ImportError:
        print("\n(engine section skipped: the standards extra is not installed)")
        return
    import json

    from dystonia_cds.engine import assess_case
    from dystonia_cds.engine.differential import wants_differential
    from dystonia_cds.genetics.benchmark import blind
    from dystonia_cds.knowledge import default_knowledge

    kb = default_knowledge()
    v1_gate = v2_gate = gene10 = gene1 = genetic_first = acquired_first = 0
    ms: list[float] = []
    for case in cases:
        packet = blind(json.loads((folder / case.file).read_text("utf-8")))
        c, _ = case_from_phenopacket(packet, kb)
        t = time.perf_counter()
        a = assess_case(c, kb, hpo=index)
        ms.append((time.perf_counter() - t) * 1000)
        v1_gate += wants_differential(a.etiology)
        v2_gate += bool(a.inherited_differential)
        genetic_first += a.top.category in ("inherited", "degenerative")
        acquired_first += a.top.category not in ("inherited", "degenerative", "idiopathic")
        genes = [g for d in a.inherited_differential if len(d.genes) <= 3 for g in d.genes]
        order = list(dict.fromkeys(genes))
        gene10 += bool(set(order[:10]) & case.genes)
        gene1 += bool(set(order[:1]) & case.genes)
    n = len(cases)
    print(f"\nengine, end to end ({n} blinded packets via the phenopacket adapter):")
    print(f"  differential computed: v1 gate {v1_gate}/{n}, v2 gate {v2_gate}/{n}")
    print(f"  gene in the shown differential: top-1 {gene1 / n:.1%}, top-10 {gene10 / n:.1%}; "
          f"assess_case median {statistics.median(ms):.1f} ms")
    print(f"  etiology: inherited or degenerative first {genetic_first / n:.1%} (aim >= 95%), "
          f"acquired first {acquired_first}/{n} (aim 0)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--packets", type=Path, default=PACKETS)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    start = time.perf_counter()
    indexes = {2.0: load_hpo(2.0)}
    load_s = time.perf_counter() - start
    indexes[1.0] = load_hpo(1.0)
    index = indexes[DEFAULT_PRIOR]
    cases = load_benchmark(args.packets, index)
    n_cohorts = len({c.cohort for c in cases})
    pool = {d.disease_id for d in index.diseases}
    dystonia = {d.disease_id for d in index.diseases if d.dystonia}
    import os

    print(f"{index.backend}, {index.hpo_version}; genes: {index.gene_source}")
    print(f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          "(wall-clock ms inflate when others run; cpu ms is this process's time)")
    print(f"load_hpo, cold: {load_s * 1000:.0f} ms; {len(index.diseases)} diseases "
          f"({len(dystonia)} annotated with dystonia)")
    print(f"{len(cases)} blinded packets, {n_cohorts} cohorts; true disease in the pool "
          f"{sum(bool(c.diseases & pool) for c in cases)}, in the dystonia pool "
          f"{sum(bool(c.diseases & dystonia) for c in cases)}")
    print()
    print(_header())
    default = _timed(index, cases, DEFAULT, args.repeat)
    previous = _timed(indexes[2.0], cases, PREVIOUS, args.repeat)
    print(_row("default (this version)", recall(default)))
    print(_row("previous (v1: dystonia pool, all-excluded)", recall(previous)))
    print(_row("default, dystonia pool only", recall(
        _timed(index, cases, replace(DEFAULT, dystonia_only=True), 1))))
    print(_row("default, symmetric BMA", recall(
        _timed(index, cases, replace(DEFAULT, symmetric=True), 1))))
    print()
    print("excluded-term variants (all diseases):")
    by_name: dict[str, list[Ranks]] = {}
    for name, (prior, cfg) in _candidates().items():
        by_name[name] = [rank_case(indexes[prior], c, cfg) for c in cases]
        print(_row(name, recall(by_name[name])))
    preference = list(_candidates())
    held, chosen = leave_one_cohort_out(cases, by_name, preference)
    print()
    print(_row(f"leave-one-cohort-out ({n_cohorts} folds)", held))
    print("chosen per fold: " + ", ".join(f"{k} x{v}" for k, v in sorted(chosen.items())))

    _engine_section(args.packets, index, cases)

    queries = [(list(c.observed), list(c.excluded)) for c in cases[::6]]
    slow = []
    for observed, excluded in queries:
        t = time.perf_counter()
        naive_rank(index, observed, excluded)
        slow.append(time.perf_counter() - t)
    print(f"\nnaive pairwise loop (dystonia pool only), per case (median of {len(slow)}): "
          f"{statistics.median(slow) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
