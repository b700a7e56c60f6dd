"""A NIfTI lesion mask read from disk: checked, thresholded at > 0, with notes on what was
noticed (non-binary values, NaN, no MNI152 space code in the header).

Why the checks come before any voxel is read: a damaged or hostile header once claimed
32767³ voxels (a MemoryError) and a real 1024³ mask took 38 s and 3.2 GB, so the grid, the
memory it needs and the intensity scaling are refused from the header alone.
"""

from __future__ import annotations

import gzip
import math
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
from nibabel.filebasedimages import ImageFileError
from nibabel.spatialimages import HeaderDataError

from dystonia_cds.adapters._atlas_grid import Array, apply_affine
from dystonia_cds.errors import DystoniaCdsError

__all__ = ["MAX_DATA_BYTES", "MAX_VOXELS", "LesionMaskError", "LoadedMask", "load_lesion_mask"]


class LesionMaskError(DystoniaCdsError, ValueError):
    """A lesion mask could not be used; the message says what to do about it."""


@dataclass(frozen=True)
class LoadedMask:
    """A lesion mask as booleans on its own grid, with what was noticed while loading."""

    path: Path
    lesion: Array
    affine: Array
    notes: tuple[str, ...]

    @property
    def voxel_ml(self) -> float:
        """Volume of one voxel in ml."""
        return abs(float(np.linalg.det(self.affine[:3, :3]))) / 1000.0

    def lesion_world(self) -> Array:
        """MNI coordinates (mm) of the centre of every lesion voxel, n x 3."""
        return np.asarray(apply_affine(self.affine, np.argwhere(self.lesion)))


_NIFTI_HINT = "save the lesion mask as NIfTI (.nii or .nii.gz) registered to MNI152"


def load_lesion_mask(path: str | Path) -> LoadedMask:
    """Read a NIfTI mask (3-D, or 4-D with one volume) and threshold it at > 0.

    Raises :class:`LesionMaskError` when the file is missing, not NIfTI, not one 3-D volume,
    or has no voxel above 0.
    """
    path = Path(path)
    if not path.is_file():
        what = "is a directory" if path.is_dir() else "does not exist"
        raise LesionMaskError(f"lesion mask {path} {what} — give the path of a .nii/.nii.gz file")
    try:
        img = nib.load(path)
    except (ImageFileError, HeaderDataError, OSError, EOFError, zlib.error, ValueError) as exc:
        raise LesionMaskError(f"{path} is not a readable NIfTI image ({exc}) — {_NIFTI_HINT}") \
            from exc
    if not isinstance(img, nib.Nifti1Image | nib.Nifti2Image):
        raise LesionMaskError(f"{path} is a {type(img).__name__}, not NIfTI — {_NIFTI_HINT}")
    _check_header(path, img)
    shape = img.shape
    if len(shape) > 3 and all(n == 1 for n in shape[3:]):
        shape = shape[:3]
    if len(shape) != 3:
        raise LesionMaskError(
            f"{path} has shape {img.shape}; a lesion mask must be one 3-D volume (4-D with a "
            "single volume is accepted) — save the one volume you mean as its own file"
        )
    try:
        data = np.asanyarray(img.dataobj).reshape(shape)
    except MemoryError:
        raise LesionMaskError(f"{path}: not enough memory to read the image — "
                              "resample the mask to the MNI152 1 mm grid") from None
    except (OSError, EOFError, zlib.error, ValueError, gzip.BadGzipFile) as exc:
        raise LesionMaskError(f"{path}: the image data could not be read ({exc}) — "
                              "the file may be truncated; save it again") from exc
    lesion = data > 0
    if not lesion.any():
        raise LesionMaskError(f"{path} is an empty mask (no voxel > 0) — check that the lesion "
                              "was drawn and saved in this file")
    notes = list(_value_notes(data, lesion))
    codes = (int(img.header["sform_code"]), int(img.header["qform_code"]))
    if 4 not in codes:
        notes.append(f"header does not declare MNI152 space (sform/qform codes {codes}); "
                     "the mask was taken to be registered to MNI152, as required")
    return LoadedMask(path, lesion, np.asarray(img.affine, dtype=np.float64), tuple(notes))


MAX_VOXELS = 64 * 1024 * 1024
"""Largest grid read: MNI152 at 0.5 mm (~58 million voxels) fits; 1024³ does not. Why: the
header alone claimed 32767³ (a MemoryError), and a real 1024³ mask took 38 s and 3.2 GB."""
MAX_DATA_BYTES = 512 * 1024 * 1024
"""Largest image in memory once scaled to float (the voxel count times the item size)."""


def _check_header(path: Path, img: Any) -> None:
    """Refuse, before any voxel is read, a header whose grid or scaling cannot be right."""
    header = img.header
    dims = [int(n) for n in header.get_data_shape()]
    if not dims or any(n < 1 for n in dims):
        raise LesionMaskError(f"{path} declares image dimensions {tuple(dims)}; every "
                              "dimension must be at least 1 — the header is damaged, save "
                              "the mask again")
    voxels = math.prod(dims)
    if voxels > MAX_VOXELS:
        raise LesionMaskError(
            f"{path} has {voxels:,} voxels {tuple(dims)}; the limit is {MAX_VOXELS:,} "
            "(MNI152 at 0.5 mm fits) — resample the mask to the MNI152 1 mm grid")
    try:
        slope, inter = header.get_slope_inter()
    except HeaderDataError as exc:  # e.g. a valid slope with a NaN intercept
        raise LesionMaskError(f"{path}: the intensity scaling is invalid ({exc}) — save the "
                              "mask without scaling (slope 1, intercept 0)") from None
    scaled = slope is not None or inter is not None
    itemsize = 8 if scaled else int(np.dtype(header.get_data_dtype()).itemsize)
    if voxels * itemsize > MAX_DATA_BYTES:
        raise LesionMaskError(f"{path} would take {voxels * itemsize // 2**20} MiB in memory; "
                              f"the limit is {MAX_DATA_BYTES // 2**20} MiB — save it as 8-bit "
                              "integers or resample it to the MNI152 1 mm grid")
    for name, value in (("scl_slope", slope), ("scl_inter", inter)):
        if value is not None and not math.isfinite(float(value)):
            raise LesionMaskError(f"{path} has {name} = {value}; the intensity scaling must "
                                  "be finite — save the mask without scaling (slope 1, "
                                  "intercept 0)")


def _value_notes(data: Array, lesion: Array) -> Iterable[str]:
    values = data[data != 0]
    if np.issubdtype(values.dtype, np.floating) and np.isnan(values).any():
        yield "mask has NaN values; they were taken as background"
        values = values[~np.isnan(values)]
    if values.size and not np.all(values == 1):
        yield (f"mask values were not binary (min {values.min():g}, max {values.max():g}); "
               f"voxels > 0 were taken as lesion ({int(lesion.sum())} voxels)")
