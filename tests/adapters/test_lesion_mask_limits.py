"""Issue 16, NIfTI: damaged or oversized headers are refused before any voxel is read."""

from __future__ import annotations

import struct
import time
from pathlib import Path

import pytest

np = pytest.importorskip("numpy")
nib = pytest.importorskip("nibabel")

from dystonia_cds.adapters.lesion_mask import LesionMaskError, load_lesion_mask  # noqa: E402


def _write(path: Path, *, dims: list[int] | None = None, slope: float | None = None,
           inter: float | None = None) -> Path:
    data = np.zeros((4, 4, 4), np.uint8)
    data[1, 1, 1] = 1
    nib.save(nib.Nifti1Image(data, np.diag([2.0, 2.0, 2.0, 1.0])), path)
    raw = bytearray(path.read_bytes())
    if dims:
        struct.pack_into("<8h", raw, 40, *dims)  # NIfTI-1 dim[8] at byte 40
    if slope is not None:
        struct.pack_into("<f", raw, 112, slope)  # scl_slope
    if inter is not None:
        struct.pack_into("<f", raw, 116, inter)  # scl_inter
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("kw, words", [
    ({"slope": 2.0, "inter": float("nan")}, "intercept"),
    ({"dims": [3, -4, 4, 4, 1, 1, 1, 1]}, "at least 1"),
    ({"dims": [3, 0, 4, 4, 1, 1, 1, 1]}, "at least 1"),
    ({"dims": [3, 32767, 32767, 32767, 1, 1, 1, 1]}, "voxels"),
    ({"dims": [3, 1024, 1024, 1024, 1, 1, 1, 1]}, "voxels"),
])
def test_bad_headers_are_lesion_mask_errors(tmp_path: Path, kw: dict[str, object],
                                            words: str) -> None:
    path = _write(tmp_path / "m.nii", **kw)  # type: ignore[arg-type]
    start = time.perf_counter()
    with pytest.raises(LesionMaskError) as exc:
        load_lesion_mask(path)
    assert words in str(exc.value)
    assert time.perf_counter() - start < 1.0  # refused from the header, nothing allocated


def test_a_plain_mask_still_loads(tmp_path: Path) -> None:
    assert int(load_lesion_mask(_write(tmp_path / "m.nii")).lesion.sum()) == 1
