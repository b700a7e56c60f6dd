"""What a lesion-mask analysis returns (pydantic, frozen): per structure and side, the
volume and the share of that structure, plus the lesion's size, side and the atlas used.

Why models of their own: the CLI prints them as JSON, the report and the figure read them,
and ``lesion_figure`` needs their type without importing the analysis.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AtlasInfo", "LesionMaskAnalysis", "Side", "Structure", "StructureInvolvement"]

Structure = Literal[
    "putamen", "caudate", "globus_pallidus", "lentiform_nucleus", "basal_ganglia", "thalamus",
    "internal_capsule", "brainstem", "midbrain", "cerebellum", "cortex", "white_matter", "other",
]
Side = Literal["left", "right", "bilateral"]


class StructureInvolvement(BaseModel):
    """Lesion volume in one structure on one side."""

    model_config = ConfigDict(frozen=True)

    structure: Structure
    side: Literal["left", "right"]
    volume_ml: float = Field(ge=0)
    fraction: float = Field(ge=0, le=1, description="Share of this structure (this side) hit.")
    atlas_labels: list[str] = Field(description="Atlas labels involved, largest first.")


class AtlasInfo(BaseModel):
    """Which atlas (and version) produced an analysis."""

    model_config = ConfigDict(frozen=True)

    name: str
    version: str


class LesionMaskAnalysis(BaseModel):
    """What a lesion mask covers, per structure and hemisphere, plus its size and side."""

    model_config = ConfigDict(frozen=True)

    mask: str
    structures: list[StructureInvolvement]
    total_volume_ml: float
    side: Side | None
    left_volume_ml: float
    right_volume_ml: float
    midline_volume_ml: float
    outside_atlas_ml: float = Field(description="Lesion volume outside every atlas label.")
    centre_of_mass_mni: tuple[float, float, float]
    voxel_size_mm: tuple[float, float, float]
    atlas: AtlasInfo
    notes: list[str]
