"""Fit and validate the evidence model from the published-case corpus.

Why a package of its own: the engine only *combines* likelihood ratios (``engine/
_likelihood``); where they come from — counting findings in published cases, smoothing,
leave-one-source-out cross-validation, calibration — is this package's job, run by
``dystonia-cds model fit`` and ``dystonia-cds model validate``. Nothing here runs when a
case is assessed.

Exceptions: :class:`CorpusError` (a corpus file is malformed), a ``DystoniaCdsError``.
"""

from dystonia_cds.modelling._build import build_model, dump_model, model_path
from dystonia_cds.modelling._corpus import CorpusError, Observation, load_corpus
from dystonia_cds.modelling._fit import Counts, pretest
from dystonia_cds.modelling._report import figures_text, reliability_png
from dystonia_cds.modelling._validate import (
    Figures,
    Prediction,
    cross_validate,
    figures,
    judgement_baseline,
)

__all__ = [
    "CorpusError",
    "Counts",
    "Figures",
    "Observation",
    "Prediction",
    "build_model",
    "cross_validate",
    "dump_model",
    "figures",
    "figures_text",
    "judgement_baseline",
    "load_corpus",
    "model_path",
    "pretest",
    "reliability_png",
]
