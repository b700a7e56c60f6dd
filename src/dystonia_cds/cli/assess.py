"""`dystonia-cds assess`: one or more cases → assessments, as text, JSON or Markdown."""

from __future__ import annotations

import json
import tempfile
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dystonia_cds import CaseError, default_knowledge
from dystonia_cds.cli._common import assess_name, err_console, report_case_error
from dystonia_cds.errors import DystoniaCdsError

if TYPE_CHECKING:
    from dystonia_cds import Assessment, Case


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"
    pdf = "pdf"


def _lesion_figures(case: Case, base_dir: Path | None) -> list[tuple[str, bytes]]:
    """(caption, PNG bytes) of each ``imaging[].lesion_mask`` of the Case, for the report.

    Relative mask paths are taken from ``base_dir`` (the input file's folder), as
    ``_pipeline.apply_masks`` does. Without the imaging extra (nibabel, matplotlib, the atlas
    package) there are no figures and no error; a mask that cannot be drawn is noted on stderr.
    """
    masks = [im.lesion_mask for im in case.imaging or [] if im.lesion_mask]
    if not masks:
        return []
    try:
        from dystonia_cds.adapters.lesion_figure import CONVENTION
        from dystonia_cds.adapters.lesion_mask import (
            AtlasUnavailableError,
            analyse_lesion_mask,
            load_atlas,
            render_lesion_figure,
        )
    except ImportError:
        return []
    try:
        atlas = load_atlas()
    except AtlasUnavailableError:
        return []
    figures = []
    with tempfile.TemporaryDirectory(prefix="dystonia-cds-") as tmp:
        for i, mask in enumerate(masks):
            path = Path(mask)
            if base_dir is not None and not path.is_absolute():
                path = base_dir / path
            try:
                analysis = analyse_lesion_mask(path, atlas)
                png = render_lesion_figure(path, analysis, atlas, Path(tmp) / f"lesion-{i}.png")
                data = png.read_bytes()
            except (DystoniaCdsError, OSError) as exc:
                err_console().print(f"note: no lesion figure for {path}: {exc}", markup=False)
                continue
            figures.append((
                f"Lesion mask {path.name} ({analysis.total_volume_ml:.2f} ml, "
                f"{analysis.side or 'no side'}): axial and coronal slices through the lesion "
                f"over the MNI152 template; atlas {atlas.name} ({atlas.version}). {CONVENTION}",
                data,
            ))
    return figures


def _write_report(case: Case, a: Assessment, fmt: Format, audience: str, out: Path | None,
                  name: str, n_inputs: int) -> None:
    """The printable report as HTML (stdout or file) or PDF (file; WeasyPrint)."""
    try:
        from dystonia_cds.render.html import render_html, render_pdf
    except ImportError:
        raise typer.BadParameter("HTML/PDF reports need: pip install 'dystonia-cds[web]'",
                                 param_hint="--format") from None
    base_dir = None if name == "-" else Path(name).parent
    html = render_html(a, case, audience=audience, figures=_lesion_figures(case, base_dir))
    if out is not None and (n_inputs > 1 or out.is_dir()):
        out.mkdir(parents=True, exist_ok=True)
        stem = a.case_id or Path(name).stem or "case"
        out = out / f"{stem}.{fmt.value}"
    if fmt is Format.pdf:
        if out is None:
            raise typer.BadParameter("a PDF needs --out FILE", param_hint="--out")
        out.write_bytes(render_pdf(html))
    elif out is None:
        typer.echo(html)
    else:
        out.write_text(html, encoding="utf-8")
    if out is not None:
        typer.echo(f"report written: {out}", err=True)


def _print_texts(texts: list[tuple[str, Assessment]], cases: list[Case],
                 audience: Audience) -> None:
    """The terminal summaries (rich), after an overview table when there are several."""
    from rich.console import Console

    from dystonia_cds.render import print_assessment, print_overview

    console = Console()
    if len(texts) > 1 and audience is Audience.clinician:
        print_overview(texts, console)
    for (_, a), text_case in zip(texts, cases, strict=True):
        print_assessment(a, console, audience.value, case=text_case)


class Audience(StrEnum):
    clinician = "clinician"
    patient = "patient"


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
    # The renderers and rich are imported by the formats that use them: `-f json` needs
    # neither (start-up, issue 13).
    kb = default_knowledge()
    results: list[Assessment] = []
    texts: list[tuple[str, Assessment]] = []
    text_cases: list[Case] = []
    failed = False
    for name in files:
        try:
            case, a = assess_name(name, kb, audience.value)
        except CaseError as exc:
            report_case_error(exc)
            failed = True
            continue
        if format is Format.text:
            texts.append((name, a))
            text_cases.append(case)
        elif format is Format.markdown:
            from dystonia_cds.render import render_markdown

            typer.echo(render_markdown(a, plain=audience is Audience.patient, case=case))
        elif format in (Format.html, Format.pdf):
            _write_report(case, a, format, audience.value, out, name, len(files))
        else:
            results.append(a)
    if texts:
        _print_texts(texts, text_cases, audience)
    if format is Format.json and results:
        if len(files) == 1:
            typer.echo(results[0].to_json())
        else:
            typer.echo(json.dumps([json.loads(r.to_json()) for r in results], indent=2))
    if failed:
        raise typer.Exit(2)
