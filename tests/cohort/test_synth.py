"""The synthetic export: seeded, realistic noise, and a Synthea export as background."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from dystonia_cds.cohort.synth import CAUSES, synthesize


def _files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


def test_same_seed_same_export_and_every_cause(tmp_path: Path) -> None:
    a = synthesize(tmp_path / "a", 3000, 4)
    b = synthesize(tmp_path / "b", 3000, 4)
    synthesize(tmp_path / "c", 3000, 5)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a")["Patient.ndjson"] != _files(tmp_path / "c")["Patient.ndjson"]
    assert set(a["by_cause"]) == set(CAUSES) and a == b
    assert 0.03 < a["dystonia"] / 3000 < 0.07
    lines = (tmp_path / "a" / "Condition.ndjson").read_text(encoding="utf-8").splitlines()
    conditions = [json.loads(x) for x in lines]
    assert any("onsetDateTime" not in r for r in conditions)  # missing dates
    assert any(r["code"]["coding"][0]["code"] == "I10" for r in conditions)  # unrelated ones
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text(encoding="utf-8"))
    assert {o["type"] for o in manifest["output"]} >= {"Patient", "Condition"}


def test_a_synthea_export_is_copied_in_as_background(tmp_path: Path) -> None:
    synthea = tmp_path / "synthea"
    (synthea / "fhir").mkdir(parents=True)
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": [
        {"fullUrl": "urn:uuid:s1", "resource": {"resourceType": "Patient", "id": "s1"}},
        {"resource": {"resourceType": "Condition", "id": "sc", "subject":
                      {"reference": "urn:uuid:s1"}, "code": {"coding": [
                          {"system": "http://snomed.info/sct", "code": "44054006"}]}}}]}
    (synthea / "fhir" / "s1.json").write_text(json.dumps(bundle), encoding="utf-8")
    (synthea / "Patient.ndjson").write_text('{"resourceType": "Patient", "id": "s2"}\n',
                                            encoding="utf-8")
    synthesize(tmp_path / "out", 50, 1, synthea=synthea)
    with (tmp_path / "out" / "truth.csv").open(encoding="utf-8") as fh:
        truth = list(csv.DictReader(fh))
    assert [t["patient_id"] for t in truth if t["cause"] == "synthea"] == ["s2", "s1"]
    patients = (tmp_path / "out" / "Patient.ndjson").read_text(encoding="utf-8")
    assert '"id": "s2"' in patients and '"id":"s1"' in patients
    assert '"urn:uuid:s1"' in (tmp_path / "out" / "Condition.ndjson").read_text(encoding="utf-8")
