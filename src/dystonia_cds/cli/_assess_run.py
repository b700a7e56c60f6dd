"""What `dystonia-cds assess` does, without typer: shared by the typer command (``assess``)
and the plain `assess … -f json` call (``_plain``), so both run the same code.

typer is imported here only by the formats that raise its errors (html, pdf); the output
goes through the ``echo`` the caller passes (``typer.echo`` from the typer command).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from dystonia_cds import CaseError, default_knowledge
from dystonia_cds.cli._common import assess_name, err_console, report_case_error
from dystonia_cds.errors import DystoniaCdsError

if TYPE_CHECKING:
    from dystonia_cds import Assessment, Case

Echo = Callable[..., None]  # typer.echo(message, err=False)


class Format(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"
    html = "html"
    pdf = "pdf"


class Audience(StrEnum):
    clinician = "clinician"
    patient = "patient"


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
    import tempfile  # only a report with lesion masks writes figures

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
                  name: str, n_inputs: int, echo: Echo) -> None:
    """The printable report as HTML (stdout or file) or PDF (file; WeasyPrint)."""
    import typer  # its BadParameter is the usage error typer prints (exit code 2)

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
        echo(html)
    else:
        out.write_text(html, encoding="utf-8")
    if out is not None:
        echo(f"report written: {out}", err=True)


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


def run_assess(files: list[str], format: Format, out: Path | None, audience: Audience,
               echo: Echo) -> bool:
    """Assess and print each input; True when some input could not be read (exit code 2)."""
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

            echo(render_markdown(a, plain=audience is Audience.patient, case=case))
        elif format in (Format.html, Format.pdf):
            _write_report(case, a, format, audience.value, out, name, len(files), echo)
        else:
            results.append(a)
    if texts:
        _print_texts(texts, text_cases, audience)
    if format is Format.json and results:
        if len(files) == 1:
            echo(results[0].to_json())
        else:
            echo(json.dumps([json.loads(r.to_json()) for r in results], indent=2))
    return failed
