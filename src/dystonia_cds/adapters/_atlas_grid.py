"""Voxel indices ↔ MNI millimetres, and nearest-neighbour sampling of label volumes.

Why nearest neighbour: the volumes sampled are labels (atlas codes, lesion masks), where an
interpolated value would be a code that means nothing. Used by the atlas derivation, the
lesion analysis and the lesion figure alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import numpy.typing as npt

__all__ = ["Array", "apply_affine", "load_image", "resample_nearest", "sample_nearest"]

Array = npt.NDArray[Any]


def apply_affine(affine: Array, points: Array) -> Array:
    """Apply a 4 x 4 affine to n x 3 points (voxel indices <-> world mm)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 3)
    result: Array = pts @ affine[:3, :3].T + affine[:3, 3]
    return result


def load_image(path: Path) -> Any:
    """``nibabel.load``, typed loosely: nibabel's stubs know only the base image class."""
    return nib.load(path)


def sample_nearest(data: Array, affine: Array,
                   world_xyz: Array) -> Array:
    """Values of a label volume at world points, nearest neighbour, 0 outside its grid."""
    ijk = apply_affine(np.linalg.inv(affine), world_xyz)
    ijk = np.rint(ijk).astype(np.int64)
    inside = np.all((ijk >= 0) & (ijk < np.asarray(data.shape[:3])), axis=1)
    out = np.zeros(len(ijk), dtype=np.int64)
    i, j, k = ijk[inside].T
    out[inside] = data[i, j, k]
    return out


def resample_nearest(data: Array, affine: Array,
                     shape: tuple[int, ...], target_affine: Array) -> Array:
    """Resample a label volume onto another grid with nearest neighbour, slab by slab."""
    out = np.zeros(shape[:3], dtype=np.int64)
    ii, jj = np.meshgrid(np.arange(shape[0]), np.arange(shape[1]), indexing="ij")
    for k in range(shape[2]):
        ijk = np.column_stack([ii.ravel(), jj.ravel(), np.full(ii.size, k)])
        world = apply_affine(target_affine, ijk)
        out[:, :, k] = sample_nearest(data, affine, world).reshape(shape[:2])
    return out
