"""``dystonia-cds convert FILE --to phenopacket|fhir|case``: between Case, FHIR, Phenopacket.

The input format is detected from content (Case YAML/JSON, FHIR R4 JSON, Phenopacket v2
JSON). ``--to case`` prints Case YAML; ``--to phenopacket`` prints Phenopacket v2 JSON with
the assessment as an interpretation; ``--to fhir`` prints a FHIR R4 Bundle. What the target
cannot carry is listed on stderr.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console

from dystonia_cds import CaseError, assess, case_to_yaml, default_knowledge


class Target(StrEnum):
    phenopacket = "phenopacket"
    fhir = "fhir"
    case = "case"


def convert(
    file: Annotated[str, typer.Argument(help="Case YAML/JSON, FHIR R4 JSON or Phenopacket JSON.")],
    to: Annotated[Target, typer.Option("--to", help="Output format.")] = Target.case,
) -> None:
    """Convert an input to a Case (YAML), a Phenopacket v2 or a FHIR R4 Bundle (JSON)."""
    from dystonia_cds.adapters.detect import read_any
    from dystonia_cds.cli._common import report_case_error

    err = Console(stderr=True, highlight=False)
    kb = default_knowledge()
    try:
        case, notes = read_any(file, kb)
    except CaseError as exc:
        report_case_error(exc)
        raise typer.Exit(2) from None
    if to is Target.phenopacket:
        from dystonia_cds.adapters.phenopacket import case_to_phenopacket, to_json

        pp, more = case_to_phenopacket(case, assess(case, kb), kb)
        notes = [*notes, *more]
        typer.echo(to_json(pp))
    elif to is Target.fhir:
        from dystonia_cds.adapters.fhir import case_to_fhir
        from dystonia_cds.adapters.fhir import to_json as fhir_json

        bundle, more = case_to_fhir(case, kb)
        notes = [*notes, *more]
        typer.echo(fhir_json(bundle))
    else:
        typer.echo(case_to_yaml(case), nl=False)
    for n in notes:
        err.print(f"note: {n.field}: {n.message}", markup=False)
