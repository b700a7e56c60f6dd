"""A PNG of a lesion mask: axial and coronal slices through its centre of mass over MNI152.

Drawn with matplotlib's object API (``Figure`` + Agg canvas), so no global pyplot state and
no display are needed. Every layer is sampled on one 1 mm MNI world grid with nearest
neighbour, so masks on any grid line up with the template and the atlas outlines.
Neurological convention: the subject's left is on the image's left (MNI x < 0 on the left).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.colors import ListedColormap

from dystonia_cds.adapters._atlas import Array, Atlas, sample_nearest
from dystonia_cds.adapters._lesion_file import load_lesion_mask

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from dystonia_cds.adapters._lesion_models import LesionMaskAnalysis

OUTLINED = {
    "putamen": "#4fc3f7", "caudate": "#81c784", "globus_pallidus": "#ffb74d",
    "thalamus": "#ba68c8", "brainstem": "#fff176", "cerebellum": "#f48fb1",
}
LESION_COLOUR = "#ff1f1f"
_X = np.arange(-90.0, 91.0)
_Y = np.arange(-126.0, 91.0)
_Z = np.arange(-72.0, 109.0)
CONVENTION = ("Neurological convention: the subject's LEFT is on the image LEFT (MNI x < 0). "
              "Lesion in red; outlines are atlas structures.")


def _plane(axis: str, at: float) -> tuple[Array, tuple[int, int]]:
    """World points (n x 3) of an axial (z = at) or coronal (y = at) plane, and its shape."""
    rows = _Y if axis == "axial" else _Z
    xx, rr = np.meshgrid(_X, rows)
    const = np.full(xx.size, at)
    if axis == "axial":
        pts = np.column_stack([xx.ravel(), rr.ravel(), const])
    else:
        pts = np.column_stack([xx.ravel(), const, rr.ravel()])
    return pts, xx.shape


def _panel(ax: Axes, axis: str, at: float, lesion: tuple[Array, Array], atlas: Atlas,
           template: tuple[Array, Array]) -> set[str]:
    pts, shape = _plane(axis, at)
    rows = _Y if axis == "axial" else _Z
    extent = (_X[0] - 0.5, _X[-1] + 0.5, rows[0] - 0.5, rows[-1] + 0.5)
    t1 = sample_nearest(template[0], template[1], pts).reshape(shape)
    ax.imshow(t1, cmap="gray", origin="lower", extent=extent, interpolation="nearest")
    codes = atlas.lookup(pts).reshape(shape)
    structure_of = np.array(["none"] + [r.structure for r in atlas.regions])[codes]
    shown: set[str] = set()
    for structure, colour in OUTLINED.items():
        inside = (structure_of == structure).astype(float)
        if 0 < inside.sum() < inside.size:
            ax.contour(_X, rows, inside, levels=[0.5], colors=[colour], linewidths=0.9)
            shown.add(structure)
    hit = sample_nearest(lesion[0].astype(np.uint8), lesion[1], pts).reshape(shape) > 0
    overlay = np.ma.masked_where(~hit, hit.astype(float))
    ax.imshow(overlay, cmap=ListedColormap([LESION_COLOUR]), vmin=0, vmax=1, alpha=0.8,
              origin="lower",
              extent=extent, interpolation="nearest")
    label = "z" if axis == "axial" else "y"
    ax.set_title(f"{axis}, MNI {label} = {at:+.0f} mm", color="white", fontsize=10)
    for x, text in ((0.03, "L"), (0.97, "R")):
        ax.text(x, 0.97, text, transform=ax.transAxes, color="white", fontsize=14,
                fontweight="bold", ha="center", va="top")
    ax.set_xticks([])
    ax.set_yticks([])
    return shown


def render_lesion_figure(path: str | Path, analysis: LesionMaskAnalysis, atlas: Atlas,
                         out_png: str | Path) -> Path:
    """Write a PNG of axial and coronal slices through the lesion's centre of mass.

    The MNI152 T1 1 mm template shipped with the atlas package is the background; the lesion
    is drawn in red, the outlines of the structures in ``OUTLINED`` in colour, ``L``/``R`` are
    marked and the (neurological) convention is written on the figure. Returns the PNG path.
    """
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    mask = load_lesion_mask(path)
    template = atlas.template()
    _, y, z = (round(v) for v in analysis.centre_of_mass_mni)
    fig = Figure(figsize=(10, 6.2), facecolor="black")
    axes = fig.subplots(1, 2)
    shown: set[str] = set()
    for ax, (axis, at) in zip(axes, (("axial", z), ("coronal", y)), strict=True):
        ax.set_facecolor("black")
        shown |= _panel(ax, axis, float(at), (mask.lesion, mask.affine), atlas, template)
    handles = [Line2D([], [], color=LESION_COLOUR, lw=6, label="lesion")]
    handles += [Line2D([], [], color=c, lw=2, label=s.replace("_", " "))
                for s, c in OUTLINED.items() if s in shown]
    fig.legend(handles=handles, loc="lower center", ncol=len(handles), frameon=False,
               labelcolor="white", fontsize=9, bbox_to_anchor=(0.5, 0.085))
    side = analysis.side or "no side (midline)"
    fig.suptitle(f"{Path(path).name}: {analysis.total_volume_ml:.2f} ml, {side}",
                 color="white", fontsize=12)
    fig.text(0.5, 0.05, CONVENTION, color="white", ha="center", fontsize=9)
    fig.text(0.5, 0.01, f"Atlas: {atlas.name}\n(via {atlas.version}). "
             "Information, not a diagnosis.", color="#bbbbbb", ha="center", fontsize=7)
    fig.subplots_adjust(left=0.02, right=0.98, top=0.9, bottom=0.16, wspace=0.04)
    out = Path(out_png)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, format="png", dpi=110, facecolor="black")
    return out
