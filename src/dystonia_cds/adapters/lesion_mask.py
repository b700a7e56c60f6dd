"""NIfTI lesion masks in MNI152 space -> structures, volumes and side -> Case lesions.

Usage::

    atlas = load_atlas()                       # once; cached after the first build
    analysis = analyse_lesion_mask("lesion.nii.gz", atlas)
    lesions = lesions_from_analysis(analysis)  # dicts for Case.imaging[].lesions

The atlas (see :mod:`dystonia_cds.adapters._atlas`) is sampled at the centre of every lesion
voxel — nearest-neighbour resampling of the atlas onto the mask's grid, using both affines —
so any voxel size works. Conventions:

* a voxel is lesion when its value is > 0 (non-binary masks are thresholded, and a note says so);
* MNI x < 0 is the subject's left (RAS+), whatever the voxel order on disk;
* the lesion's side ignores voxels within ``MIDLINE_TOLERANCE_MM`` of x = 0, and is
  ``bilateral`` when the smaller side holds at least ``BILATERAL_MIN_SHARE`` of the rest;
* a structure's ``fraction`` is lesion volume / that structure's volume in the same hemisphere.

Reading the file is ``_lesion_file``'s, the result models ``_lesion_models``'; every name is
importable from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from dystonia_cds.adapters._atlas import (
    Array,
    Atlas,
    AtlasUnavailableError,
    apply_affine,
    load_atlas,
)
from dystonia_cds.adapters._lesion_file import (
    MAX_DATA_BYTES,
    MAX_VOXELS,
    LesionMaskError,
    LoadedMask,
    load_lesion_mask,
)
from dystonia_cds.adapters._lesion_models import (
    AtlasInfo,
    LesionMaskAnalysis,
    Side,
    Structure,
    StructureInvolvement,
)
from dystonia_cds.case import Case, Lesion

__all__ = [
    "MAX_DATA_BYTES", "MAX_VOXELS", "Atlas", "AtlasInfo", "AtlasUnavailableError",
    "LesionMaskAnalysis", "LesionMaskError", "LoadedMask", "Side", "Structure",
    "StructureInvolvement", "analyse_lesion_mask", "apply_lesion_masks", "lesions_from_analysis",
    "load_atlas", "load_lesion_mask", "render_lesion_figure",
]

MIDLINE_TOLERANCE_MM = 2.0
BILATERAL_MIN_SHARE = 0.10
MIN_CASE_LESION_ML = 0.2
MAX_OUTSIDE_TEMPLATE_SHARE = 0.5


def _fmt_box(box: Array) -> str:
    return " x ".join(f"[{lo:.0f}, {hi:.0f}]" for lo, hi in box.T)


def _check_mni(mask: LoadedMask, atlas: Atlas, world: Array) -> None:
    """Raise when the grid is plainly not MNI152 (field of view mostly outside the template's)."""
    def box(shape: tuple[int, ...], affine: Array) -> Array:
        corners = np.array([[i, j, k] for i in (-0.5, shape[0] - 0.5)
                            for j in (-0.5, shape[1] - 0.5) for k in (-0.5, shape[2] - 0.5)])
        xyz = apply_affine(affine, corners)
        return np.stack([xyz.min(0), xyz.max(0)])

    grid, mni = box(mask.lesion.shape, mask.affine), box(atlas.codes.shape, atlas.affine)
    overlap = np.clip(np.minimum(grid[1], mni[1]) - np.maximum(grid[0], mni[0]), 0, None)
    share = float(np.prod(overlap) / np.prod(grid[1] - grid[0]))
    outside = np.any((world < mni[0] - 10) | (world > mni[1] + 10), axis=1).mean()
    if share < 0.5 or outside > MAX_OUTSIDE_TEMPLATE_SHARE:
        raise LesionMaskError(
            f"{mask.path} is not on an MNI152 grid: its field of view {_fmt_box(grid)} mm lies "
            f"mostly outside the MNI152 template's {_fmt_box(mni)} mm — register the mask to "
            "MNI152 (e.g. FSL flirt/fnirt or ANTs) and give the registered file"
        )


def _triple(values: Array, digits: int) -> tuple[float, float, float]:
    a, b, c = (round(float(v), digits) for v in values)
    return a, b, c


def _side(left: float, right: float) -> Side | None:
    if left + right == 0:
        return None
    if min(left, right) >= BILATERAL_MIN_SHARE * (left + right):
        return "bilateral"
    return "left" if left > right else "right"


def analyse_lesion_mask(path: str | Path, atlas: Atlas) -> LesionMaskAnalysis:
    """Structures, volumes and side of the lesion in a NIfTI mask registered to MNI152.

    Raises :class:`LesionMaskError` for an unusable file or a grid that is plainly not MNI.
    """
    mask = load_lesion_mask(path)
    world = mask.lesion_world()
    _check_mni(mask, atlas, world)
    voxel_ml = mask.voxel_ml
    counts = np.bincount(atlas.lookup(world), minlength=len(atlas.regions) + 1)
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    totals: dict[tuple[str, str], float] = {}
    for region in atlas.regions:
        key = (region.structure, region.side)
        totals[key] = totals.get(key, 0.0) + region.volume_ml
        if counts[region.code]:
            groups.setdefault(key, []).append((int(counts[region.code]), region.label))
    rows = []
    for key, hits in groups.items():
        labels: dict[str, int] = {}
        for n, label in hits:
            labels[label] = labels.get(label, 0) + n
        volume = sum(labels.values()) * voxel_ml
        rows.append(StructureInvolvement(
            structure=key[0], side=key[1], volume_ml=round(volume, 3),
            fraction=round(min(1.0, volume / totals[key]), 4),
            atlas_labels=sorted(labels, key=lambda name: (-labels[name], name)),
        ))
    rows.sort(key=lambda r: (-r.volume_ml, r.structure, r.side))
    x = world[:, 0]
    left = float(np.sum(x < -MIDLINE_TOLERANCE_MM)) * voxel_ml
    right = float(np.sum(x > MIDLINE_TOLERANCE_MM)) * voxel_ml
    total = len(world) * voxel_ml
    notes = list(mask.notes)
    outside = float(counts[0]) * voxel_ml
    if outside > 0:
        notes.append(f"{outside:.2f} ml ({outside / total:.0%}) of the lesion is outside the "
                     "brain template and every atlas label — check the registration")
    side = _side(left, right)
    if side is None:
        notes.append(f"the lesion lies within {MIDLINE_TOLERANCE_MM:g} mm of the midline: "
                     "no side")
    notes.append(f"side from MNI x (x < 0 = left), ignoring |x| <= {MIDLINE_TOLERANCE_MM:g} mm; "
                 f"bilateral when the smaller side holds >= {BILATERAL_MIN_SHARE:.0%}")
    return LesionMaskAnalysis(
        mask=str(mask.path), structures=rows, total_volume_ml=round(total, 3), side=side,
        left_volume_ml=round(left, 3), right_volume_ml=round(right, 3),
        midline_volume_ml=round(total - left - right, 3), outside_atlas_ml=round(outside, 3),
        centre_of_mass_mni=_triple(world.mean(axis=0), 1),
        voxel_size_mm=_triple(np.sqrt((mask.affine[:3, :3] ** 2).sum(axis=0)), 3),
        atlas=AtlasInfo(name=atlas.name, version=atlas.version), notes=notes,
    )


def lesions_from_analysis(analysis: LesionMaskAnalysis,
                          min_volume_ml: float = MIN_CASE_LESION_ML) -> list[dict[str, Any]]:
    """Case ``imaging[].lesions`` entries, one per structure and side that holds at least
    ``min_volume_ml`` or half of the lesion (so a small lacune is kept, while slivers at atlas
    borders are not).

    Each dict has ``side``, ``structure``, ``volume_ml``, ``fraction`` and ``source`` (the mask
    file and the atlas with its version), ready for ``dystonia_cds.case.Lesion``.
    """
    source = (f"lesion mask {Path(analysis.mask).name}; {analysis.atlas.name}; "
              f"via {analysis.atlas.version}")
    return [
        {"side": row.side, "structure": row.structure, "volume_ml": row.volume_ml,
         "fraction": row.fraction, "source": source}
        for row in analysis.structures
        if row.volume_ml >= min(min_volume_ml, 0.5 * analysis.total_volume_ml)
    ]


def apply_lesion_masks(case: Case, atlas: Atlas | None = None,
                       base_dir: str | Path | None = None) -> Case:
    """The Case with ``lesions`` filled from each ``imaging[].lesion_mask`` that lists none.

    Relative mask paths are taken from ``base_dir`` (e.g. the case file's folder). The atlas
    is loaded only when a mask needs it. Imaging marked ``normal: true`` with a lesion in its
    mask is an error; ``normal`` left unknown becomes ``false``.
    """
    if not any(im.lesion_mask and not im.lesions for im in case.imaging or []):
        return case
    atlas = atlas or load_atlas()
    imaging = []
    for im in case.imaging or []:
        if im.lesion_mask and not im.lesions:
            path = Path(im.lesion_mask)
            if base_dir is not None and not path.is_absolute():
                path = Path(base_dir) / path
            if im.normal is True:
                raise LesionMaskError(f"imaging is marked normal: true but has a lesion mask "
                                      f"({path}) — set normal: false or remove the mask")
            lesions = lesions_from_analysis(analyse_lesion_mask(path, atlas))
            im = im.model_copy(update={"normal": False,
                                       "lesions": [Lesion.model_validate(d) for d in lesions]})
        imaging.append(im)
    return case.model_copy(update={"imaging": imaging})


def render_lesion_figure(path: str | Path, analysis: LesionMaskAnalysis, atlas: Atlas,
                         out_png: str | Path) -> Path:
    """Write a PNG: axial and coronal slices through the lesion over the MNI152 template.

    See :func:`dystonia_cds.adapters.lesion_figure.render_lesion_figure` (matplotlib, Agg).
    """
    from dystonia_cds.adapters.lesion_figure import render_lesion_figure as render

    return render(path, analysis, atlas, out_png)
