"""Fixtures of the cohort tests: small Bulk exports made here, one Spark session per run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("duckdb", reason="cohort screening needs the cohort extra (duckdb)")
pytest.importorskip("pyarrow", reason="cohort screening needs the cohort extra (pyarrow)")
pytest.importorskip("orjson", reason="cohort screening needs the cohort extra (orjson)")
pytest.importorskip("fhir.resources", reason="the FHIR mapping needs the standards extra")

REPO = Path(__file__).resolve().parents[2]
FHIR_EXAMPLES = REPO / "tests" / "data" / "fhir"


def bundles_to_export(bundles: list[Path], out: Path) -> dict[str, str]:
    """The repo's FHIR example Bundles as a Bulk export (one NDJSON file per type).

    Each Bundle becomes one patient whose id is the file's stem; its resources get ids
    prefixed by it and point to that patient, as an export's would. Resources a Bundle
    references without a subject (a lesion Observation of a report) keep no subject, so the
    export's reference join is exercised. Returns patient id → Bundle path.
    """
    out.mkdir(parents=True, exist_ok=True)
    by_type: dict[str, list[str]] = {}
    patients = {}
    for path in bundles:
        bundle = json.loads(path.read_text(encoding="utf-8"))
        pid = path.stem
        patients[pid] = str(path)
        text = json.dumps([e["resource"] for e in bundle["entry"]])
        for res in bundle["entry"]:
            r = res["resource"]
            if r["resourceType"] == "Patient":
                text = text.replace(f'"Patient/{r["id"]}"', f'"Patient/{pid}"')
        resources: list[dict[str, Any]] = json.loads(text)
        ids = {f'{r["resourceType"]}/{r["id"]}' for r in resources if "id" in r}
        for r in resources:
            if r["resourceType"] == "Patient":
                r["id"] = pid
                continue
            r["id"] = f"{pid}-{r['id']}"
            for key in ("result", "imagingStudy"):
                for ref in r.get(key, []):
                    if ref.get("reference") in ids:
                        t, i = ref["reference"].split("/", 1)
                        ref["reference"] = f"{t}/{pid}-{i}"
        for r in resources:
            by_type.setdefault(r["resourceType"], []).append(json.dumps(r))
    for rtype, lines in by_type.items():
        (out / f"{rtype}.ndjson").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return patients


@pytest.fixture(scope="session")
def synthetic_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,500 synthetic patients (≈ 75 with dystonia), seed 11, plain NDJSON."""
    from dystonia_cds.cohort.synth import synthesize

    out = tmp_path_factory.mktemp("synth") / "export"
    synthesize(out, 1500, 11)
    return out


@pytest.fixture(scope="session")
def mixed_export(tmp_path_factory: pytest.TempPathFactory, synthetic_export: Path) -> Path:
    """The synthetic export plus the repo's FHIR examples, a gzip file and a bad line."""
    import gzip

    out = tmp_path_factory.mktemp("mixed") / "export"
    shutil.copytree(synthetic_export, out)
    bundles_to_export(sorted(FHIR_EXAMPLES.glob("*.json")), out / "examples")
    cond = out / "Condition.ndjson"
    with cond.open("a", encoding="utf-8") as fh:
        fh.write('{"resourceType": "Condition", "id": "broken"\n')  # not valid JSON
    obs = out / "Observation.ndjson"
    with obs.open("rb") as src, gzip.open(out / "Observation.ndjson.gz", "wb") as dst:
        dst.write(src.read())
    obs.unlink()
    return out


@pytest.fixture(scope="session")
def spark() -> Any:
    """The one SparkSession of the test run (Java and pyspark must be there; CI installs
    both — see .ci/run)."""
    pytest.importorskip("pyspark", reason="--engine spark needs pyspark (cohort extra)")
    if shutil.which("java") is None and not __import__("os").environ.get("JAVA_HOME"):
        pytest.skip("--engine spark needs Java 17 (apt-get install openjdk-17-jre-headless)")
    from dystonia_cds.cohort.spark import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()
