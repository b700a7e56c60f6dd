"""``dystonia-cds convert FILE --to fhir``: a Case file to a FHIR R4 Bundle and back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dystonia_cds.cli import app
from tests.conftest import REPO

pytest.importorskip("fhir.resources", reason="the standards extra is not installed")
runner = CliRunner()


def test_convert_case_to_fhir_and_back(tmp_path: Path) -> None:
    r = runner.invoke(app, ["convert", str(REPO / "examples" / "post-stroke-arm.yaml"),
                            "--to", "fhir"])
    assert r.exit_code == 0, r.stderr
    bundle = json.loads(r.stdout)
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    assert "note:" not in r.stderr  # this case is carried whole (notes would be on stderr)
    path = tmp_path / "bundle.json"
    path.write_text(r.stdout, encoding="utf-8")
    back = runner.invoke(app, ["convert", str(path), "--to", "case"])
    assert back.exit_code == 0, back.stderr
    assert "id: post-stroke-arm" in back.stdout and "region: arm" in back.stdout
    assert "course: static" in back.stdout and "before_onset: P8M" in back.stdout
    genetic = tmp_path / "genetic.yaml"
    genetic.write_text("dystonia: {regions: [{region: neck}]}\n"
                       "genetics: [{gene: TOR1A, result: negative}]\n", encoding="utf-8")
    r = runner.invoke(app, ["convert", str(genetic), "--to", "fhir"])
    assert r.exit_code == 0 and "note: genetics:" in r.stderr
