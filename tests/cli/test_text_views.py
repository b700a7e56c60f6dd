"""`assess` text output: an overview for several cases, cited references, the patient view."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from dystonia_cds import assess, load_case, load_knowledge
from dystonia_cds.cli import app
from dystonia_cds.render import render_markdown
from tests.conftest import REPO

runner = CliRunner()
EXAMPLES = sorted((REPO / "examples").glob("*.yaml"))


def _assessments():  # type: ignore[no-untyped-def]
    kb = load_knowledge()
    return [assess(load_case(p, kb), kb) for p in EXAMPLES]


def test_overview_first_one_row_per_case_at_80_columns() -> None:
    r = runner.invoke(app, ["assess", *map(str, EXAMPLES)], env={"COLUMNS": "80"})
    assert r.exit_code == 0, r.output
    out = r.output
    assert out.lstrip().startswith("Overview (one row per case)")
    overview = out[: out.index("╭")]  # the table comes before the first case's panel
    assert max(len(line) for line in overview.splitlines()) <= 80
    rows = [line for line in overview.splitlines() if line.startswith("│")]
    for a in _assessments():
        level = f"{a.top.probability:.0%}" if a.top.probability is not None else a.top.support
        # the case's first row carries its id start, its whole support level and summary
        row = next(line for line in rows if (a.case_id or "")[:8] in line)
        cells = [c.strip() for c in row.strip("│").split("│")]
        assert cells[2] == level and cells[3] == a.etiology.summary, row
    assert out.count("╭") == len(EXAMPLES)  # then every case's panel


def test_a_case_table_keeps_support_and_pretest_whole_at_80_columns() -> None:
    """The ranked-causes table of one case: the level (or probability) and the pretest are
    never cut with an ellipsis on an 80-column terminal."""
    for path in EXAMPLES:
        r = runner.invoke(app, ["assess", str(path)], env={"COLUMNS": "80"})
        assert r.exit_code == 0, r.output
        assert "Support" in r.output and "Suppo…" not in r.output
        assert "(pret" not in r.output and "pret…" not in r.output
        assert re.search(r"pretest \d+%", r.output), path


def test_single_case_has_no_overview() -> None:
    r = runner.invoke(app, ["assess", str(EXAMPLES[0])])
    assert r.exit_code == 0 and "Overview" not in r.output


def test_each_case_lists_only_the_references_it_cites() -> None:
    r = runner.invoke(app, ["assess", str(REPO / "examples" / "post-stroke-arm.yaml")],
                      env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    refs = r.output[r.output.index("References"):]
    listed = set(re.findall(r"\[([a-z]+\d{4}[a-z]?)\] ", refs))
    body = r.output[: r.output.index("References")]
    cited = set(re.findall(r"[a-z]+\d{4}[a-z]?", body))
    assert listed, refs
    assert listed <= cited, listed - cited  # nothing listed that the case does not cite
    kb = load_knowledge()
    a = assess(load_case(REPO / "examples" / "post-stroke-arm.yaml", kb), kb)
    assert len(listed) < len(a.references)  # not the whole list any more


def test_patient_audience_text_is_the_patient_view() -> None:
    path = str(REPO / "examples" / "post-stroke-arm.yaml")
    r = runner.invoke(app, ["assess", path, "--audience", "patient"], env={"COLUMNS": "100"})
    assert r.exit_code == 0, r.output
    kb = load_knowledge()
    a = assess(load_case(path, kb), kb, audience="patient")
    plain = render_markdown(a, plain=True)  # the patient audience path, whatever its words
    title = next(line[2:] for line in plain.splitlines() if line.startswith("# "))
    assert title in r.output
    assert a.top.plain_label in r.output
    for clinician_only in ("Ranked causes", "likelihood ratio", "R-VASC", "pretest"):
        assert clinician_only not in r.output
