"""What every knowledge model shares: its configuration, and the hypotheses' ids.

Why a module of its own: the knowledge models (``_models``, ``_vocabulary_models``,
``_evidence_models``, ``_care_models``) are all immutable and reject unknown keys, so a
misspelt key in a YAML file fails at load; they take that configuration from here. Each
module still declares its own ``_Data(BaseModel)`` base with it, so that the linter sees
pydantic models (whose list and dict defaults are copied per instance) in every file.
"""

from typing import Literal

from pydantic import ConfigDict

__all__ = ["DATA_CONFIG", "HypothesisId"]

DATA_CONFIG = ConfigDict(extra="forbid", frozen=True, defer_build=True)

HypothesisId = Literal[
    "idiopathic", "inherited", "degenerative", "acquired_central_traumatic",
    "acquired_central_vascular", "acquired_perinatal", "acquired_other_structural",
    "acquired_peripheral_trauma", "drug_induced_acute", "drug_induced_tardive", "functional",
]
