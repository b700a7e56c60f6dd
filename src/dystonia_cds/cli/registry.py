"""``dystonia-cds registry …``: the case registry from the command line (a local admin).

Thin commands over :mod:`dystonia_cds.registry`: every read and write goes through the
service, so the command line is audited like the API (actor ``local:<user>``, origin
``cli``). The database is ``DATABASE_URL`` or SQLite in the user data directory. The
session every command opens is ``_registry_session``'s; the admin commands (backup,
restore, accounts, tokens) are ``_registry_admin``'s, registered here.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from dystonia_cds import CaseError, case_to_yaml, default_knowledge
from dystonia_cds.cli._registry_admin import account, backup, disable, restore, token
from dystonia_cds.cli._registry_session import AsJson, CaseId, fail, print_out, session

registry_app = typer.Typer(help="The case registry: versioned cases, assessments, audit log "
                           "(SQLite in the user data directory, or DATABASE_URL).",
                           no_args_is_help=True)


class ExportFormat(StrEnum):
    yaml = "yaml"
    json = "json"
    phenopacket = "phenopacket"
    fhir = "fhir"


@registry_app.command("import")
def import_cases(
    files: Annotated[list[str], typer.Argument(help="Case YAML/JSON, FHIR R4 or Phenopacket "
                                                    "files ('-' for stdin).")],
    reason: Annotated[str, typer.Option(help="Why (kept with each version).")] = "import",
) -> None:
    """Store each file as a case; a case already in the registry gets a new version."""
    from dystonia_cds.adapters.detect import read_any
    from dystonia_cds.cli._common import report_case_error

    kb = default_knowledge()
    failed = 0
    with session() as (reg, who):
        for name in files:
            try:
                case, _ = read_any(sys.stdin.read() if name == "-" else Path(name), kb)
                saved = reg.save(case, who, reason)
            except CaseError as exc:
                exc.source = exc.source or name
                report_case_error(exc)
                failed += 1
                continue
            typer.echo(f"{saved.case_id}\tv{saved.version}\t{saved.etiology}\t{saved.top}")
            for field in saved.removed_notes:
                typer.echo(f"note: {name}: {field} not stored (free-text notes are off)",
                           err=True)
    if failed:
        raise typer.Exit(2)


@registry_app.command("export")
def export(case_id: CaseId,
           fmt: Annotated[ExportFormat, typer.Option("--format", "-f")] = ExportFormat.yaml,
           version: Annotated[int | None, typer.Option(help="A past version.")] = None) -> None:
    """Print a case (current or a past version) as Case YAML/JSON, a Phenopacket v2 or a
    FHIR R4 Bundle (what the target cannot carry is listed on stderr)."""
    with session() as (reg, who):
        stored = reg.get(case_id, who, version, action="export")
        case = reg.case(stored)
        if fmt is ExportFormat.json:
            typer.echo(json.dumps(stored.data(), indent=2, ensure_ascii=False))
        elif fmt is ExportFormat.yaml:
            typer.echo(case_to_yaml(case), nl=False)
        elif fmt is ExportFormat.fhir:
            try:
                from dystonia_cds.adapters.fhir import case_to_fhir
                from dystonia_cds.adapters.fhir import to_json as fhir_json
            except ImportError:
                raise fail("FHIR export needs the standards extra") from None
            bundle, notes = case_to_fhir(case, reg.kb)
            typer.echo(fhir_json(bundle))
            for n in notes:
                typer.echo(f"note: {n.field}: {n.message}", err=True)
        else:
            try:
                from dystonia_cds.adapters.phenopacket import case_to_phenopacket, to_json
            except ImportError:
                raise fail("phenopacket export needs the standards extra") from None
            from dystonia_cds import assess

            pp, notes = case_to_phenopacket(case, assess(case, reg.kb), reg.kb)
            typer.echo(to_json(pp))
            for n in notes:
                typer.echo(f"note: {n.field}: {n.message}", err=True)


@registry_app.command("list")
def list_cases(
    etiology: Annotated[str | None, typer.Option(help="primary, acquired or undetermined")] = None,
    top: Annotated[str | None, typer.Option(help="Leading cause category.")] = None,
    after: Annotated[str | None, typer.Option(help="Start after this case id (paging).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10000)] = 100,
    as_json: AsJson = False,
) -> None:
    """Current cases with their latest conclusion, by id."""
    with session() as (reg, who):
        rows = reg.list_cases(who, after=after, limit=limit, etiology=etiology, top=top)

    def text() -> None:
        for r in rows:
            typer.echo(f"{r['id']}\tv{r['version']}\t{r['etiology'] or '-'}\t{r['top'] or '-'}"
                       f"\t{r['updated_at']}")
    print_out(rows, as_json, text)


@registry_app.command("show")
def show(case_id: CaseId, version: Annotated[int | None, typer.Option()] = None) -> None:
    """A case version (YAML) with its author, time and reason."""
    with session() as (reg, who):
        stored = reg.get(case_id, who, version)
        typer.echo(f"# {stored.case_id} v{stored.version} — {stored.author}, "
                   f"{stored.created_at}: {stored.reason}")
        typer.echo(case_to_yaml(reg.case(stored)), nl=False)


@registry_app.command("history")
def history(case_id: CaseId, as_json: AsJson = False) -> None:
    """Every version of a case: who, when, why, and the conclusion it got."""
    with session() as (reg, who):
        rows = reg.history(case_id, who)

    def text() -> None:
        for r in rows:
            typer.echo(f"v{r['version']}\t{r['created_at']}\t{r['author']}\t"
                       f"{r['etiology'] or '-'}\t{r['top'] or '-'}\t{r['reason']}")
    print_out(rows, as_json, text)


@registry_app.command("diff")
def diff(case_id: CaseId,
         before: Annotated[int | None, typer.Option("--from", help="Older version.")] = None,
         after: Annotated[int | None, typer.Option("--to", help="Newer version.")] = None,
         as_json: AsJson = False) -> None:
    """What changed between two versions (default: the last two) and in the conclusion."""
    with session() as (reg, who):
        out = reg.diff(case_id, who, before, after)

    def text() -> None:
        typer.echo(f"{case_id}: v{out['from_version']} → v{out['to_version']}")
        if out["from_version"] == out["to_version"] and "from_assessment" not in out:
            typer.echo("  one version with one assessment: nothing to compare yet")
            return
        for c in out["case_changes"]:
            typer.echo(f"  {c['field']}: {c['before']} → {c['after']}")
        if not out["case_changes"]:
            typer.echo("  (case unchanged)")
        for c in out["conclusion_changes"]:
            typer.echo(f"  conclusion: {c['what']}: {c['before']} → {c['after']}")
        if not out["conclusion_changes"]:
            typer.echo("  (conclusion unchanged)")
    print_out(out, as_json, text)


@registry_app.command("reassess")
def reassess(as_json: AsJson = False) -> None:
    """Re-assess every current case with this engine and knowledge version; list changes."""
    with session() as (reg, who):
        report = reg.reassess(who)
    data = {"knowledge_version": report.knowledge_version, "assessed": report.assessed,
            "unchanged": report.unchanged, "changed": report.changed}

    def text() -> None:
        typer.echo(f"{len(report.changed)} of {report.assessed} re-assessed cases changed "
                   f"with knowledge {report.knowledge_version}")
        for c in report.changed:
            moved = "; ".join(f"{m['what']}: {m['before']} → {m['after']}"
                              for m in c["changes"])
            typer.echo(f"  {c['case_id']} v{c['version']}: {moved}")
    print_out(data, as_json, text)


for _name, _command in (("backup", backup), ("restore", restore), ("account", account),
                       ("disable", disable), ("token", token)):
    registry_app.command(_name)(_command)


@registry_app.command("audit")
def audit(case_id: Annotated[str | None, typer.Argument(help="Only this case.")] = None,
          limit: Annotated[int, typer.Option(min=1, max=100000)] = 50,
          as_json: AsJson = False) -> None:
    """The audit log, newest first: who read or wrote what, when, from where."""
    with session() as (reg, who):
        rows = reg.audit(who, case_id, limit)

    def text() -> None:
        for r in rows:
            where = f"{r['case_id']} v{r['version']}" if r["version"] else (r["case_id"] or "")
            typer.echo(f"{r['at']}\t{r['actor']}\t{r['origin']}\t{r['action']}\t{where}\t"
                       f"{r['detail']}")
    print_out(rows, as_json, text)
