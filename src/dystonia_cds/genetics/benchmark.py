"""The blinded phenopacket benchmark of the differential: load, blind, rank, score, and choose
a configuration by leave-one-cohort-out.

Why a module and not only a script: ``bench/hpo_differential.py`` prints the figures and
``tests/genetics`` holds floors on them; both must blind and count the same way. Blinding
drops ``interpretations`` and ``diseases`` (the truth, and the onset stored there) before the
query is built, so nothing the ranking sees comes from the answer.

Gene rank: the genes of the ranked diseases in rank order, each once, group entries (more
than ``MAX_GENES`` genes) skipped; the true gene's position in that list.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dystonia_cds.genetics._index import HpoIndex, term_int
from dystonia_cds.genetics._matrix import RankConfig
from dystonia_cds.genetics._rank import genes_in_order, ranked_diseases

DEPTH = 200  # diseases ranked per case (enough for a gene rank up to 50)
CUTS = (1, 10, 50)
MAX_GENES = 3


@dataclass(frozen=True, slots=True)
class BenchCase:
    file: str
    cohort: str  # the gene cohort of phenopacket-store (the folder name)
    diseases: frozenset[str]  # truth, never shown to the ranking
    genes: frozenset[str]
    observed: tuple[str, ...]
    excluded: tuple[str, ...]
    dropped: tuple[str, ...]  # terms unknown to this HPO release (obsolete ids)


@dataclass(frozen=True, slots=True)
class Ranks:
    disease: int | None
    gene: int | None
    seconds: float  # wall clock
    cpu_seconds: float = 0.0  # this process's CPU time: the cost on a machine shared with others


def blind(packet: dict[str, Any]) -> dict[str, Any]:
    """The packet without ``interpretations`` and ``diseases``."""
    return {k: v for k, v in packet.items() if k not in ("interpretations", "diseases")}


def query_of(blinded: dict[str, Any], known: Callable[[int], bool]
             ) -> tuple[list[str], list[str], list[str]]:
    """(observed, excluded, dropped) HPO ids of a blinded packet, in packet order."""
    observed: list[str] = []
    excluded: list[str] = []
    dropped: list[str] = []
    for feature in blinded.get("phenotypicFeatures", []):
        curie = feature["type"]["id"]
        if not known(term_int(curie)):
            dropped.append(curie)
            continue
        target = excluded if feature.get("excluded") else observed
        if curie not in target:
            target.append(curie)
    return observed, [e for e in excluded if e not in observed], dropped


def _truth(packet: dict[str, Any]) -> tuple[frozenset[str], frozenset[str]]:
    diseases = {d["term"]["id"] for d in packet.get("diseases", [])}
    genes = set()
    for interp in packet.get("interpretations", []):
        diseases.add(interp["diagnosis"]["disease"]["id"])
        for gi in interp["diagnosis"].get("genomicInterpretations", []):
            desc = gi.get("variantInterpretation", {}).get("variationDescriptor", {})
            symbol = desc.get("geneContext", {}).get("symbol") or gi.get("gene", {}).get("symbol")
            if symbol:
                genes.add(symbol)
    return frozenset(diseases), frozenset(genes)


def load_benchmark(folder: Path, index: HpoIndex) -> list[BenchCase]:
    """Every ``*/*.json`` packet under ``folder``, blinded, in file order."""
    cases = []
    for path in sorted(folder.glob("*/*.json")):
        packet = json.loads(path.read_text("utf-8"))
        diseases, genes = _truth(packet)
        observed, excluded, dropped = query_of(blind(packet), lambda t: t in index.labels)
        cases.append(BenchCase(
            file=str(path.relative_to(folder)), cohort=path.parent.name, diseases=diseases,
            genes=genes, observed=tuple(observed), excluded=tuple(excluded),
            dropped=tuple(dropped)))
    return cases


def rank_case(index: HpoIndex, case: BenchCase, config: RankConfig) -> Ranks:
    """The true disease's and the true gene's rank (None beyond ``DEPTH`` diseases)."""
    start, cpu = time.perf_counter(), time.process_time()
    ranked = ranked_diseases(index, case.observed, case.excluded, DEPTH, config)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    ids = [d.disease_id for d, _ in ranked]
    disease = next((i + 1 for i, d in enumerate(ids) if d in case.diseases), None)
    genes_of = [d.genes if config.hpo_genes else d.inferred_genes for d, _ in ranked]
    order = genes_in_order(genes_of, MAX_GENES)
    gene = next((i + 1 for i, g in enumerate(order) if g in case.genes), None)
    return Ranks(disease, gene, seconds, cpu)


def recall(ranks: Sequence[Ranks]) -> dict[str, float]:
    """gene_top1/10/50, disease_top1/10/50 (shares of cases), ms_per_case (median wall
    clock) and cpu_ms_per_case (median CPU time)."""
    n = max(len(ranks), 1)
    out = {}
    for what in ("gene", "disease"):
        for cut in CUTS:
            hits = sum(1 for r in ranks if (getattr(r, what) or cut + 1) <= cut)
            out[f"{what}_top{cut}"] = hits / n
    out["ms_per_case"] = statistics.median(r.seconds for r in ranks) * 1000 if ranks else 0.0
    out["cpu_ms_per_case"] = (
        statistics.median(r.cpu_seconds for r in ranks) * 1000 if ranks else 0.0)
    return out


def objective(ranks: Sequence[Ranks]) -> tuple[float, float]:
    """What a choice maximises: gene top-10, then gene top-1 (the issue's aims)."""
    figures = recall(ranks)
    return figures["gene_top10"], figures["gene_top1"]


def leave_one_cohort_out(
    cases: Sequence[BenchCase], by_config: dict[str, Sequence[Ranks]],
    preference: Sequence[str] = (),
) -> tuple[dict[str, float], dict[str, int]]:
    """Choose a configuration on all cohorts but one, score it on that one, for every cohort;
    return the pooled held-out recall and how often each configuration was chosen. Ties on
    the objective go to the earlier name in ``preference`` (then the name)."""
    names = sorted(by_config)
    rank_of = {n: i for i, n in enumerate(preference)}
    held: list[Ranks] = []
    chosen: dict[str, int] = {}
    for cohort in sorted({c.cohort for c in cases}):
        train = [i for i, c in enumerate(cases) if c.cohort != cohort]
        test = [i for i, c in enumerate(cases) if c.cohort == cohort]
        best = max(names, key=lambda n: (objective([by_config[n][i] for i in train]),
                                         -rank_of.get(n, len(rank_of)), n))
        chosen[best] = chosen.get(best, 0) + 1
        held.extend(by_config[best][i] for i in test)
    return recall(held), chosen
