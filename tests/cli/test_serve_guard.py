"""Issue 16: `serve` refuses a non-loopback address while CDS Hooks accepts any call."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

pytest.importorskip("uvicorn")
pytest.importorskip("jwt")

from dystonia_cds.cli import app
from dystonia_cds.cli.serve import is_loopback, shared_report_file, startup_problem

ENV = ("JWKS_URL", "PUBLIC_KEY", "BASE_URL", "REPLAY_DB", "REPORT_DB")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(f"DYSTONIA_CDS_HOOKS_{name}", raising=False)


@pytest.mark.parametrize("host, loop", [("127.0.0.1", True), ("127.5.0.1", True),
                                        ("::1", True), ("[::1]", True), ("localhost", True),
                                        ("0.0.0.0", False), ("::", False),
                                        ("10.0.0.5", False), ("example.org", False)])
def test_loopback_detection(host: str, loop: bool) -> None:
    assert is_loopback(host) is loop


def test_refuses_an_open_service_on_a_public_address(monkeypatch: pytest.MonkeyPatch) -> None:
    from dystonia_cds.cli import serve as serve_mod

    started: list[str] = []
    monkeypatch.setattr(serve_mod, "run_server", lambda *a, **k: started.append("run"))
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0"])
    assert r.exit_code == 2 and "refusing" in r.output and not started
    r = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--insecure"])
    assert r.exit_code == 0 and "WARNING" in r.output and started == ["run"]
    r = CliRunner().invoke(app, ["serve"])  # loopback: starts as before
    assert r.exit_code == 0 and started == ["run", "run"]


def test_jwt_configuration_must_be_complete(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DYSTONIA_CDS_HOOKS_PUBLIC_KEY", "pem")
    assert "BASE_URL" in (startup_problem("0.0.0.0", 1, False) or "")
    monkeypatch.setenv("DYSTONIA_CDS_HOOKS_BASE_URL", "https://cds.example.org")
    assert startup_problem("0.0.0.0", 1, False) is None
    assert "REPLAY_DB" in (startup_problem("0.0.0.0", 4, False) or "")
    monkeypatch.setenv("DYSTONIA_CDS_HOOKS_REPLAY_DB", "/tmp/jti.sqlite")
    assert startup_problem("0.0.0.0", 4, False) is None


def test_several_workers_share_a_report_file(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: object) -> None:
    """A card link made by one worker must open on any: ``serve --workers 2`` names a
    private report file for its workers when none is configured, and keeps a named one."""
    import os

    from dystonia_cds.api._cds_auth import CdsHooksSettings

    monkeypatch.setenv("DYSTONIA_CDS_HOOKS_REPORT_DB", "")  # so the teardown removes
    monkeypatch.delenv("DYSTONIA_CDS_HOOKS_REPORT_DB")  # what shared_report_file sets
    assert shared_report_file(1) is None and CdsHooksSettings().reports_file is None
    path = shared_report_file(2)
    assert path is not None and CdsHooksSettings().reports_file == str(path)
    assert path.parent.stat().st_mode & 0o077 == 0  # a folder of the owner's only
    monkeypatch.setenv("DYSTONIA_CDS_HOOKS_REPORT_DB", "/srv/cds/reports.sqlite")
    assert shared_report_file(4) is None
    assert CdsHooksSettings().reports_file == "/srv/cds/reports.sqlite"
    monkeypatch.delenv("DYSTONIA_CDS_HOOKS_REPORT_DB")
    monkeypatch.setenv("DYSTONIA_CDS_HOOKS_REPLAY_DB", "/srv/cds/state.sqlite")
    assert shared_report_file(4) is None  # the replay file holds the reports too
    os.rmdir(path.parent)

