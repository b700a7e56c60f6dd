"""The plain `assess FILE… -f json` served without typer (cli._plain) prints what typer does.

main() hands `assess … -f json` to ``_plain`` and everything else to typer; these tests run
each call both ways in a new process — ``main()``, and typer's ``app()`` directly — and
compare stdout, stderr and the exit code byte for byte.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from dystonia_cds.cli._assess_run import Audience
from dystonia_cds.cli._plain import _AUDIENCES, plain_assess
from tests.conftest import REPO

CASE = "examples/whiplash-neck.yaml"
OTHER = "examples/idiopathic-cervical.yaml"

MAIN = "from dystonia_cds.cli import main; main()"
TYPER = "from dystonia_cds.cli._app import app; app()"


@pytest.mark.parametrize(("args", "expected"), [
    (["assess", CASE, "-f", "json"], ([CASE], "clinician")),
    (["assess", "-f", "json", CASE, OTHER], ([CASE, OTHER], "clinician")),
    (["assess", CASE, "--format=json", "--audience", "patient"], ([CASE], "patient")),
    (["assess", "--audience=patient", "--format", "json", "-"], (["-"], "patient")),
])
def test_a_plain_json_call_is_served_without_typer(
        args: list[str], expected: tuple[list[str], str]) -> None:
    assert plain_assess(args) == expected


@pytest.mark.parametrize("args", [
    [], ["assess"], ["assess", CASE], ["assess", "-f", "json"], ["assess", CASE, "-f", "text"],
    ["assess", CASE, "-f", "JSON"], ["assess", CASE, "-fjson"], ["assess", CASE, "-f=json"],
    ["assess", CASE, "-f", "json", "-f", "json"], ["assess", CASE, "-f", "json", "--help"],
    ["assess", CASE, "-f", "json", "--"], ["assess", CASE, "-f", "json", "-o", "x"],
    ["assess", CASE, "-f", "json", "--audience", "patinet"], ["assess", CASE, "-f"],
    ["assess", CASE, "-f", "json", "--audience"], ["assess", "", "-f", "json"],
    ["asses", CASE, "-f", "json"], ["screen", CASE, "-f", "json"],
])
def test_every_other_call_goes_to_typer(args: list[str]) -> None:
    assert plain_assess(args) is None


def test_the_plain_audiences_are_the_commands() -> None:
    assert tuple(a.value for a in Audience) == _AUDIENCES


def test_a_shell_completion_request_goes_to_typer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("_DYSTONIA_CDS_COMPLETE", "bash_complete")
    assert plain_assess(["assess", CASE, "-f", "json"]) is None


def _run(code: str, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    p = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                       input=stdin, cwd=REPO, timeout=120)
    return p.returncode, p.stdout, p.stderr


@pytest.mark.parametrize(("args", "stdin"), [
    (["assess", CASE, "-f", "json"], ""),
    (["assess", "--format=json", CASE, OTHER, "--audience", "patient"], ""),
    (["assess", "-", "-f", "json"], (REPO / CASE).read_text()),
    (["assess", "-", "-f", "json"], "dystonia: {regions: [elbow]}\n"),
    (["assess", "missing.yaml", CASE, "-f", "json"], ""),
])
def test_main_prints_what_typer_prints(args: list[str], stdin: str) -> None:
    plain = _run(MAIN, args, stdin)
    assert plain == _run(TYPER, args, stdin)
    assert plain[0] in (0, 2)


IMPORTS = """
import json, sys
sys.argv = ["dystonia-cds", "assess", sys.argv[1], "-f", "json"]
from dystonia_cds.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted(sys.modules)))
"""


def test_a_plain_json_call_imports_neither_typer_nor_rich() -> None:
    code, out, err = _run(IMPORTS, [CASE])
    assert code == 0 and json.loads(out)["schema"] == "dystonia-cds/assessment/v1"
    loaded = set(json.loads(err))
    assert "dystonia_cds.engine" in loaded
    found = sorted(m for m in loaded if m.split(".")[0] in ("typer", "click", "rich"))
    assert not found, found


TYPER_CALL = """
import json, sys
sys.argv = ["dystonia-cds", "knowledge", "--json"]
from dystonia_cds.cli import main
try:
    main()
except SystemExit:
    pass
sys.stderr.write(json.dumps(sorted(sys.modules)))
"""


def test_a_typer_call_imports_no_assess_code() -> None:
    """main() decides on the plain path before importing the assessment's modules."""
    code, _, err = _run(TYPER_CALL, [])
    loaded = set(json.loads(err))
    assert code == 0 and "typer" in loaded
    assert "dystonia_cds.cli._assess_run" not in loaded and "dystonia_cds.engine" not in loaded


def test_an_unreadable_input_is_reported_as_under_typer(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("age_at_onset: banana\n")
    plain = _run(MAIN, ["assess", str(bad), "-f", "json"])
    assert plain == _run(TYPER, ["assess", str(bad), "-f", "json"])
    assert plain[0] == 2 and "cannot read the case" in plain[2]


GC_CODE = """
import gc, sys
if sys.argv[2] == "off":
    gc.disable()
sys.argv = ["dystonia-cds", "assess", sys.argv[1], "-f", "json"]
from dystonia_cds.cli import main
try:
    main()
except SystemExit as exc:
    sys.stderr.write(f"{exc.code} {gc.isenabled()} {gc.get_freeze_count() > 10000}")
"""


@pytest.mark.parametrize(("state", "after"), [("on", "True"), ("off", "False")])
def test_the_collector_is_left_as_it_was_and_the_start_up_frozen(state: str, after: str) -> None:
    code, out, err = _run(GC_CODE, [CASE, state])
    assert code == 0 and out.startswith("{")
    assert err == f"0 {after} True"
