"""The words of the Assessment contract: its schema id and the closed value sets of its fields.

Why a module of their own: both forms of the contract use them — the msgspec Structs the
engine builds (``assessment``) and their pydantic form that publishes the JSON Schema
(``assessment_schema``). Kept here, neither form imports the other at module level, and
``assessment`` can load the pydantic form only when a schema is asked for, with no import
cycle between the two.
"""

from __future__ import annotations

from typing import Literal

ASSESSMENT_SCHEMA = "dystonia-cds/assessment/v1"

Category = Literal[
    "idiopathic", "inherited", "degenerative", "acquired_central_traumatic",
    "acquired_central_vascular", "acquired_perinatal", "acquired_other_structural",
    "acquired_peripheral_trauma", "drug_induced_acute", "drug_induced_tardive", "functional",
]
Support = Literal["strong", "moderate", "weak", "unsupported"]
CheckStatus = Literal["consistent", "inconsistent", "not_applicable", "insufficient_data"]
Distribution = Literal[
    "focal", "segmental", "multifocal", "hemidystonia", "generalized", "undetermined"
]
Direction = Literal["for", "against", "neutral"]
Summary = Literal["primary", "acquired", "undetermined"]
AssociatedFeatures = Literal["isolated", "combined", "undetermined"]
