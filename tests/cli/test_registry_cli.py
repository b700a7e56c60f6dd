"""``dystonia-cds registry …`` end to end (in-process), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the registry extra is not installed")
from typer.testing import CliRunner

from dystonia_cds.cli import app
from tests.conftest import REPO
from tests.registry.backends import BACKENDS, backend_url

EXAMPLES = REPO / "examples"
runner = CliRunner()


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path,
       monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for url in backend_url(request.param, tmp_path):
        monkeypatch.setenv("DATABASE_URL", url)
        yield url


def reg(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, ["registry", *args])
    return r.exit_code, r.stdout, r.stderr


def test_import_list_show_history_diff_export(db: str, tmp_path: Path) -> None:
    code, out, _ = reg("import", str(EXAMPLES / "post-stroke-arm.yaml"),
                       str(EXAMPLES / "idiopathic-cervical.yaml"))
    assert code == 0
    assert out.splitlines() == ["post-stroke-arm\tv1\tacquired\tacquired_central_vascular",
                                "idiopathic-cervical\tv1\tprimary\tidiopathic"]
    edited = tmp_path / "edited.yaml"
    edited.write_text((EXAMPLES / "post-stroke-arm.yaml").read_text().replace(
        "sex: male", "sex: female"))
    code, out, _ = reg("import", str(edited), "--reason", "sex corrected")
    assert code == 0 and out.startswith("post-stroke-arm\tv2")
    code, out, _ = reg("list", "--json")
    assert [(r["id"], r["version"]) for r in json.loads(out)] == [
        ("idiopathic-cervical", 1), ("post-stroke-arm", 2)]
    code, out, _ = reg("list", "--etiology", "primary")
    assert code == 0 and out.split("\t")[0] == "idiopathic-cervical"
    code, out, _ = reg("history", "post-stroke-arm")
    lines = out.splitlines()
    assert len(lines) == 2 and lines[1].endswith("sex corrected")
    code, out, _ = reg("diff", "post-stroke-arm")
    assert code == 0 and 'patient.sex: "male" → "female"' in out
    assert "(conclusion unchanged)" in out
    code, out, _ = reg("show", "post-stroke-arm", "--version", "1")
    assert code == 0 and "sex: male" in out and out.startswith("# post-stroke-arm v1")
    code, out, _ = reg("export", "post-stroke-arm", "--format", "json")
    assert json.loads(out)["patient"]["sex"] == "female"
    code, out, _ = reg("export", "post-stroke-arm")
    assert "sex: female" in out
    pytest.importorskip("fhir.resources", reason="the standards extra is not installed")
    code, out, err = reg("export", "post-stroke-arm", "--format", "fhir")
    bundle = json.loads(out)
    assert code == 0 and bundle["identifier"]["value"] == "post-stroke-arm"
    assert bundle["entry"][0]["resource"]["gender"] == "female"
    assert err == ""  # post-stroke-arm is carried whole: no note
    pytest.importorskip("phenopackets", reason="the standards extra is not installed")
    code, out, _ = reg("export", "post-stroke-arm", "--format", "phenopacket")
    assert code == 0 and json.loads(out)["id"] == "post-stroke-arm"


def test_reassess_backup_restore_accounts_audit(db: str, tmp_path: Path) -> None:
    assert reg("import", str(EXAMPLES / "dental-jaw.yaml"))[0] == 0
    code, out, _ = reg("reassess")
    assert code == 0 and out.startswith("0 of 0 re-assessed cases changed")  # up to date
    backup = tmp_path / "reg.backup"
    code, out, _ = reg("backup", str(backup))
    assert code == 0 and "1 cases (1 versions)" in out
    assert reg("import", str(EXAMPLES / "whiplash-neck.yaml"))[0] == 0
    code, _, err = reg("restore", str(backup))
    assert code == 2 and "--yes" in err
    code, out, _ = reg("restore", str(backup), "--yes")
    assert code == 0 and "restored 1 cases (1 versions)" in out
    code, out, err = reg("account", "dana", "--role", "clinician")
    assert code == 0 and out.strip().startswith("dcr_")
    assert err.startswith("token expires 20")  # the default lifetime, said when issued
    code, out, err = reg("token", "dana", "--expires", "never")
    assert code == 0 and out.strip().startswith("dcr_") and err == "token never expires\n"
    code, out, err = reg("token", "dana", "--expires", "tomorrow")
    assert code == 2 and out == "" and "12h, 30d, 8w" in err and "Traceback" not in err
    code, _, err = reg("account", "erin", "--role", "superuser")
    assert code == 2 and "viewer, clinician, admin" in err
    assert reg("disable", "dana") == (0, "disabled dana\n", "")
    code, out, _ = reg("audit", "--json")
    actions = [e["action"] for e in json.loads(out)]
    assert actions[:6] == ["account-disable", "token-add", "account-add", "restore", "backup",
                           "reassess"]


def test_errors_are_one_line_without_traceback(db: str, tmp_path: Path) -> None:
    code, _, err = reg("show", "missing-case")
    assert code == 1 and "no case 'missing-case'" in err
    code, _, err = reg("show", "Jane Doe")
    assert code == 2 and "not a registry case id" in err and "Traceback" not in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("dystonia:\n  regions: [{region: elbow}]\n")
    code, out, err = reg("import", str(bad), str(EXAMPLES / "dental-jaw.yaml"))
    assert code == 2 and "unknown body region" in err
    assert out.startswith("dental-jaw\tv1")  # the good file was still imported
