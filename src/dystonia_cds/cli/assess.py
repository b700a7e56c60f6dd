"""`dystonia-cds assess`: one or more cases → assessments, as text, JSON or Markdown.

The command's options and help are declared here for typer; what it does is
``_assess_run.run_assess``, which the plain `assess … -f json` call (``_plain``) runs
without typer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dystonia_cds.cli._assess_run import Audience, Format, run_assess

__all__ = ["Audience", "Format", "assess_command"]


def assess_command(
    files: Annotated[list[str], typer.Argument(
        help="Case YAML/JSON, FHIR R4 Bundle or Phenopacket v2 files; '-' reads stdin.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    out: Annotated[Path | None, typer.Option(
        "--out", "-o", help="For html/pdf: output file (one input) or folder (several).")] = None,
    audience: Annotated[Audience, typer.Option(
        help="clinician, or patient for plain language (text, Markdown, HTML, PDF).")] =
        Audience.clinician,
) -> None:
    """Assess cases: classification, ranked causes with evidence, checks, next questions."""
    if run_assess(files, format, out, audience, typer.echo):
        raise typer.Exit(2)
