"""`dystonia-cds assess`: one or more cases → assessments, as text, JSON or Markdown."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from dystonia_cds import Assessment, CaseError, default_knowledge
from dystonia_cds.cli._common import assess_name, report_case_error
from dystonia_cds.render import print_assessment, render_markdown


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class Audience(StrEnum):
    clinician = "clinician"
    patient = "patient"


def assess_command(
    files: Annotated[list[str], typer.Argument(
        help="Case YAML/JSON, FHIR R4 Bundle or Phenopacket v2 files; '-' reads stdin.")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    audience: Annotated[Audience, typer.Option(
        help="clinician, or patient for plain language (Markdown) and disclaimer.")] =
        Audience.clinician,
) -> None:
    """Assess cases: classification, ranked causes with evidence, checks, next questions."""
    kb = default_knowledge()
    results: list[Assessment] = []
    failed = False
    console = Console()
    for name in files:
        try:
            a = assess_name(name, kb, audience.value)
        except CaseError as exc:
            report_case_error(exc)
            failed = True
            continue
        if format is Format.text:
            print_assessment(a, console)
        elif format is Format.markdown:
            typer.echo(render_markdown(a, plain=audience is Audience.patient))
        else:
            results.append(a)
    if format is Format.json and results:
        if len(files) == 1:
            typer.echo(results[0].to_json())
        else:
            typer.echo(json.dumps([json.loads(r.to_json()) for r in results], indent=2))
    if failed:
        raise typer.Exit(2)
