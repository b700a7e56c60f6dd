"""Build the shipped model file: fit on the whole corpus, calibrate by cross-validation.

The file (``knowledge/data/model.yaml``) is generated, never edited by hand: its header
names the corpus and the command that rebuilt it, and a test refits it from the corpus and
fails when the shipped numbers differ.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._models import Calibration, EvidenceModel
from dystonia_cds.modelling._corpus import Observation
from dystonia_cds.modelling._fit import SMOOTHING, Counts
from dystonia_cds.modelling._validate import Figures, cross_validate, figures, model_from

COMMAND = "dystonia-cds model fit --corpus tests/cases"
# Probabilities are shown only while the cross-validated calibration holds.
ECE_MAX = 0.05
P_MIN = 0.05
MIN_CASES = 200
SHOW_RULE = (f"probabilities are shown when, on at least {MIN_CASES} cases, the "
             f"leave-one-source-out expected calibration error (top label, 10 bins) is at most "
             f"{ECE_MAX} and a consistency-resampling test does not reject calibration "
             f"(p ≥ {P_MIN}); otherwise only the ordered support levels are shown. The same "
             "rule applies separately to the group probabilities (primary, acquired, "
             "degenerative)")


def _holds(ece: float, p: float, n_cases: int) -> bool:
    return ece <= ECE_MAX and p >= P_MIN and n_cases >= MIN_CASES


def build_model(obs: list[Observation], kb: KnowledgeBase, corpus: str,
                alpha: float = SMOOTHING) -> tuple[EvidenceModel, Figures]:
    preds, temperature = cross_validate(obs, kb, alpha)
    counts = Counts.of(obs, kb)
    full = model_from(counts, kb, temperature, alpha, with_sensitivity=True,
                      n_sources=len({o.source for o in obs}), corpus=corpus, command=COMMAND)
    figs = figures(preds, kb.parameters.scoring.summary_threshold, full.pretest)
    calibration = Calibration(
        method="temperature scaling of the log scores, fitted on leave-one-source-out "
               "out-of-fold scores", temperature=temperature, ece=round(figs.ece, 4),
        brier=round(figs.brier, 4), shown=_holds(figs.ece, figs.ece_p, figs.n_cases),
        rule=SHOW_RULE, group_ece=round(figs.group_ece, 4),
        group_shown=_holds(figs.group_ece, figs.group_ece_p, figs.n_cases),
        ece_p=round(figs.ece_p, 3), group_ece_p=round(figs.group_ece_p, 3))
    return full.model_copy(update={"calibration": calibration}), figs


def _rounded(x: Any) -> Any:
    if isinstance(x, float):
        return float(f"{x:.6g}")
    if isinstance(x, dict):
        return {k: _rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_rounded(v) for v in x]
    return x


def dump_model(model: EvidenceModel) -> str:
    header = (
        "# GENERATED — do not edit. The evidence model of dystonia-cds: pretest probabilities\n"
        "# and one likelihood ratio per rule, fitted from the published-case corpus\n"
        f"# ({model.corpus}: {model.n_cases} cases from {model.n_sources} sources) with\n"
        f"# smoothing α = {model.smoothing:g}, and a calibration temperature fitted by\n"
        "# leave-one-source-out cross-validation. Every LR here is estimated from the corpus\n"
        "# (source: corpus); the literature fixes each rule's direction (rules.yaml).\n"
        f"# Rebuilt by: {model.command}\n")
    body = _rounded(model.model_dump(mode="json"))
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def model_path() -> Path:
    return Path(__file__).resolve().parent.parent / "knowledge" / "data" / "model.yaml"
