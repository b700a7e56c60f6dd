"""Leave-one-source-out cross-validation: every figure is measured on cases whose source
(the DOI or PMID) took no part in fitting the weights that scored them.

For each source, the likelihood ratios and pretest probabilities are fitted on the other
sources (``Counts`` are additive, so a fold is ``total - held_out``) and the held-out cases
are scored by the engine's own code (``quick_scores`` over a copy of the knowledge base
holding the fold's model). The calibration temperature is cross-validated too: for each
source it is fitted on the other sources' out-of-fold scores.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from dystonia_cds.engine._likelihood import softmax
from dystonia_cds.engine.etiology import (
    CATEGORIES,
    PRIMARY,
    group_probabilities,
    quick_scores,
    ranked,
    summary_group,
)
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._models import Calibration, EvidenceModel
from dystonia_cds.modelling._corpus import Observation
from dystonia_cds.modelling._fit import SMOOTHING, Counts, fit_rules, pretest

_T_GRID = tuple(round(0.25 + 0.05 * i, 2) for i in range(96))  # 0.25 … 5.0


def model_from(counts: Counts, kb: KnowledgeBase, temperature: float = 1.0,
               alpha: float = SMOOTHING, with_sensitivity: bool = False,
               n_sources: int = 0, corpus: str = "", command: str = "") -> EvidenceModel:
    calibration = Calibration(method="temperature (softmax of log scores / T)",
                              temperature=temperature, ece=0.0, brier=0.0, shown=False,
                              rule="")
    return EvidenceModel(corpus=corpus, n_cases=sum(counts.n.values()), n_sources=n_sources,
                         command=command, smoothing=alpha, pretest=pretest(counts),
                         calibration=calibration,
                         rules=fit_rules(counts, kb, alpha, with_sensitivity))


def out_of_fold_scores(obs: list[Observation], kb: KnowledgeBase,
                       alpha: float = SMOOTHING) -> list[dict[str, float]]:
    """Each case's log scores from a model fitted without its source."""
    total = Counts.of(obs, kb)
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(obs):
        by_source[o.source].append(i)
    out: list[dict[str, float]] = [{} for _ in obs]
    for idx in by_source.values():
        held = Counts.of([obs[i] for i in idx], kb)
        fold_kb = kb.model_copy(update={"model": model_from(total - held, kb, alpha=alpha)})
        for i in idx:
            o = obs[i]
            out[i] = quick_scores(o.facts, o.checks, fold_kb, o.hits)
    return out


@dataclass
class Prediction:
    case_id: str
    source: str
    category: str
    summary: str | None
    prob: dict[str, float]

    @property
    def order(self) -> list[str]:
        return ranked(self.prob)

    def group(self, threshold: float) -> str:
        """The engine's own summary rule (etiology.summary_group)."""
        return summary_group(self.order, self.prob, threshold)

    def forced_group(self) -> str:
        primary, acquired, _ = group_probabilities(self.prob)
        return "primary" if primary >= acquired else "acquired"


def cross_validate(obs: list[Observation], kb: KnowledgeBase,
                   alpha: float = SMOOTHING) -> tuple[list[Prediction], float]:
    """Calibrated out-of-fold predictions, and the temperature fitted on all of them."""
    scores = out_of_fold_scores(obs, kb, alpha)
    pairs = [(s, o.category) for s, o in zip(scores, obs, strict=True)]
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, o in enumerate(obs):
        by_source[o.source].append(i)
    preds: list[Prediction | None] = [None] * len(obs)
    # The log loss is a sum over cases, so each fold's loss is the total minus its own.
    per_case = {t: [-math.log(max(softmax(s, t)[y], 1e-12)) for s, y in pairs]
                for t in _T_GRID}
    totals = {t: sum(v) for t, v in per_case.items()}
    for idx in by_source.values():
        t = min(_T_GRID, key=lambda t: (totals[t] - sum(per_case[t][i] for i in idx), t))
        for i in idx:
            o = obs[i]
            preds[i] = Prediction(o.case_id, o.source, o.category, o.summary,
                                  softmax(scores[i], t))
    return [p for p in preds if p is not None], min(_T_GRID, key=lambda t: (totals[t], t))


@dataclass
class Figures:
    n_cases: int
    n_sources: int
    top1: float
    top3: float
    recall: dict[str, tuple[int, int]]
    balanced_forced: float  # primary vs acquired, group with the higher probability
    balanced: float  # undetermined counted as wrong
    undetermined_rate: float
    determined_accuracy: float
    brier: float
    brier_prior: float
    ece: float
    bins: list[tuple[float, float, int]] = field(default_factory=list)  # (conf, acc, n)
    group_ece: float = 0.0  # the same for primary / acquired / degenerative
    group_bins: list[tuple[float, float, int]] = field(default_factory=list)
    ece_p: float = 1.0  # consistency test: P(ECE ≥ observed | calibrated), see consistency_p
    group_ece_p: float = 1.0


def _balanced(preds: list[Prediction], guess: dict[str, str]) -> float:
    rates = []
    for group in ("primary", "acquired"):
        members = [p for p in preds if p.summary == group]
        if members:
            rates.append(sum(guess[p.case_id] == group for p in members) / len(members))
    return sum(rates) / len(rates) if rates else 0.0


def _group_of(category: str) -> str:
    if category in ("idiopathic", "inherited"):
        return "primary"
    return "degenerative" if category == "degenerative" else "acquired"


Bins = list[tuple[float, float, int]]  # (mean confidence, accuracy, n)


def _ece(pairs: list[tuple[float, bool]], n_bins: int) -> tuple[float, Bins]:
    """Expected calibration error of (confidence, correct) pairs, and the reliability bins."""
    bins: list[list[float]] = [[0.0, 0.0, 0.0] for _ in range(n_bins)]
    for conf, correct in pairs:
        b = min(int(conf * n_bins), n_bins - 1)
        bins[b][0] += conf
        bins[b][1] += correct
        bins[b][2] += 1
    ece = sum(abs(b[0] - b[1]) for b in bins) / len(pairs) if pairs else 0.0
    return ece, [(b[0] / b[2], b[1] / b[2], int(b[2])) for b in bins if b[2]]


def consistency_p(pairs: list[tuple[float, bool]], n_bins: int, draws: int = 1000,
                  seed: int = 0) -> float:
    """How often a perfectly calibrated model with these confidences would show an ECE at
    least as large as the one observed (consistency resampling, Bröcker & Smith 2007): the
    outcomes are redrawn as Bernoulli(confidence). The ECE of a few hundred cases is noisy —
    a calibrated model scores above 0.05 now and then — so a small p, not a large ECE alone,
    is what says the probabilities are off. Seeded: the same corpus gives the same p."""
    if not pairs:
        return 1.0
    observed, _ = _ece(pairs, n_bins)
    rng = random.Random(seed)
    hits = 0
    for _ in range(draws):
        simulated = [(conf, rng.random() < conf) for conf, _ in pairs]
        hits += _ece(simulated, n_bins)[0] >= observed
    return hits / draws


def _group_pairs(preds: list[Prediction]) -> list[tuple[float, bool]]:
    out = []
    for p in preds:
        primary, acquired, degenerative = group_probabilities(p.prob)
        probs = {"primary": primary, "acquired": acquired, "degenerative": degenerative}
        top = max(probs, key=lambda g: probs[g])
        out.append((probs[top], top == _group_of(p.category)))
    return out


def figures(preds: list[Prediction], threshold: float, prior: dict[str, float],
            n_bins: int = 10) -> Figures:
    n = len(preds)
    top1 = sum(p.order[0] == p.category for p in preds) / n
    top3 = sum(p.category in p.order[:3] for p in preds) / n
    recall = {c: (sum(1 for p in preds if p.category == c and p.order[0] == c),
                  sum(1 for p in preds if p.category == c)) for c in CATEGORIES}
    binary = [p for p in preds if p.summary in ("primary", "acquired")]
    called = {p.case_id: p.group(threshold) for p in binary}
    determined = [p for p in binary if called[p.case_id] != "undetermined"]
    brier = sum(sum((p.prob[c] - (c == p.category)) ** 2 for c in CATEGORIES)
                for p in preds) / n
    brier_prior = sum(sum((prior[c] - (c == p.category)) ** 2 for c in CATEGORIES)
                      for p in preds) / n
    top_pairs = [(p.prob[p.order[0]], p.order[0] == p.category) for p in preds]
    group_pairs = _group_pairs(preds)
    ece, bins = _ece(top_pairs, n_bins)
    group_ece, group_bins = _ece(group_pairs, n_bins)
    return Figures(
        n_cases=n, n_sources=len({p.source for p in preds}), top1=top1, top3=top3,
        recall=recall,
        balanced_forced=_balanced(binary, {p.case_id: p.forced_group() for p in binary}),
        balanced=_balanced(binary, called),
        undetermined_rate=1 - len(determined) / len(binary) if binary else 0.0,
        determined_accuracy=(sum(called[p.case_id] == p.summary for p in determined)
                             / len(determined)) if determined else 0.0,
        brier=brier, brier_prior=brier_prior, ece=ece, bins=bins,
        group_ece=group_ece, group_bins=group_bins,
        ece_p=consistency_p(top_pairs, n_bins),
        group_ece_p=consistency_p(group_pairs, n_bins))


def judgement_baseline(obs: list[Observation], kb: KnowledgeBase) -> tuple[float, float]:
    """(top-1, balanced primary-vs-acquired) of the v1 scoring: the reviewers' integer
    weights summed, summary when the top leads the other group by 2 points. Not fitted on
    the corpus, so it is a fair same-run baseline."""
    preds = []
    for o in obs:
        score = dict.fromkeys(CATEGORIES, 0.0)
        for rule_id in o.fired:
            score[kb.rules[rule_id].hypothesis] += kb.rules[rule_id].weight
        order = ranked(score)
        top = order[0]
        rival = next(c for c in order if c != "degenerative" and (c in PRIMARY) != (top in PRIMARY))
        if score[top] < 1 or top == "degenerative" or score[top] - score[rival] < 2:
            summary = "undetermined"
        else:
            summary = "primary" if top in PRIMARY else "acquired"
        preds.append((o, top, summary))
    top1 = sum(top == o.category for o, top, _ in preds) / len(preds)
    rates = []
    for group in ("primary", "acquired"):
        members = [(o, s) for o, _, s in preds if o.summary == group]
        if members:
            rates.append(sum(s == group for _, s in members) / len(members))
    return top1, sum(rates) / len(rates)
