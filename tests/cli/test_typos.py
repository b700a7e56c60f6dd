"""A mistyped option, choice or command gets "did you mean …?" (issue 15), never a silent fix."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from dystonia_cds.cli import app
from tests.conftest import REPO

runner = CliRunner()
CASE = str(REPO / "examples" / "idiopathic-cervical.yaml")


def _error_text(args: list[str]) -> str:
    """The error as one line: rich's panel borders and line wrapping taken out."""
    r = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert r.exit_code == 2, r.output  # a usage error, not a run with a guessed value
    return re.sub(r"\s+", " ", re.sub(r"[│╭╮╰╯─]", " ", r.output))


@pytest.mark.parametrize(("args", "expected"), [
    (["assess", CASE, "--audiance", "patient"], "did you mean --audience?"),
    (["assess", CASE, "--format", "mardown"], "did you mean 'markdown'?"),
    (["assess", CASE, "-f", "pfd"], "did you mean 'pdf'?"),
    (["assess", CASE, "--audience", "patinet"], "did you mean 'patient'?"),
    (["schema", "cas"], "did you mean 'case'?"),
    (["asses", CASE], "did you mean 'assess'?"),
])
def test_typo_gets_a_suggestion(args: list[str], expected: str) -> None:
    assert expected in _error_text(args).lower()


def test_choice_error_still_lists_what_is_accepted() -> None:
    text = _error_text(["assess", CASE, "--format", "mardown"])
    assert "'mardown' is not one of 'text', 'json', 'markdown', 'html', 'pdf'" in text


def test_no_suggestion_when_nothing_is_close() -> None:
    text = _error_text(["assess", CASE, "--format", "zzz"])
    assert "did you mean" not in text.lower()
    assert "is not one of" in text
