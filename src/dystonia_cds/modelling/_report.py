"""The cross-validated figures in words, and the reliability diagram as a PNG."""

from __future__ import annotations

from pathlib import Path

from dystonia_cds.modelling._validate import Figures


def figures_text(f: Figures, threshold: float, baseline: tuple[float, float]) -> str:
    """The figures a reader needs, each beside its baseline measured in the same run."""
    lines = [
        f"leave-one-source-out cross-validation: {f.n_cases} cases from {f.n_sources} sources",
        f"  top-1 cause                 {f.top1:6.1%}   (v1 judgement weights, same corpus: "
        f"{baseline[0]:.1%})",
        f"  top-3 cause                 {f.top3:6.1%}",
        f"  primary vs acquired, balanced, group with the higher probability "
        f"{f.balanced_forced:6.1%}",
        f"  primary vs acquired, balanced, undetermined counted wrong       "
        f"{f.balanced:6.1%}   (v1: {baseline[1]:.1%})",
        f"  undetermined (group probability < {threshold:.2f})   {f.undetermined_rate:6.1%}  "
        f"accuracy on the rest {f.determined_accuracy:.1%}",
        f"  Brier score (11 causes)     {f.brier:6.3f}   (pretest probabilities alone: "
        f"{f.brier_prior:.3f})",
        f"  expected calibration error  {f.ece:6.3f}   (top label, 10 bins; consistency "
        f"test p = {f.ece_p:.2f})",
        f"  expected calibration error of the group (primary/acquired/degenerative) "
        f"{f.group_ece:6.3f}   (p = {f.group_ece_p:.2f})",
        "  recall per cause:",
    ]
    for cat, (hit, n) in f.recall.items():
        if n:
            lines.append(f"    {cat:28s} {hit:3d}/{n:<3d} {hit / n:6.1%}")
    lines.append("  reliability (mean confidence → accuracy, n):")
    lines += [f"    {c:5.2f} → {a:5.2f}  (n={n})" for c, a, n in f.bins]
    lines.append("  group reliability (mean confidence → accuracy, n):")
    lines += [f"    {c:5.2f} → {a:5.2f}  (n={n})" for c, a, n in f.group_bins]
    return "\n".join(lines)


def reliability_png(f: Figures, path: Path) -> None:
    """Top-label reliability diagram (needs matplotlib, in the [imaging] extra)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(9.2, 4.8), dpi=120)
    panels = [(f.bins, "predicted probability of the leading cause",
               f"Leading cause (11 causes)\nECE {f.ece:.3f}, Brier {f.brier:.3f}"),
              (f.group_bins, "predicted probability of the leading group",
               f"Primary / acquired / degenerative\nECE {f.group_ece:.3f}")]
    for ax, (bins, xlabel, title) in zip(axes, panels, strict=True):
        ax.plot([0, 1], [0, 1], ls="--", color="grey", label="perfect calibration")
        ax.plot([c for c, _, _ in bins], [a for _, a, _ in bins], marker="o",
                color="#1f5fa8", label="dystonia-cds (LOSO CV)")
        for x, y, n in bins:
            ax.annotate(str(n), (x, y), textcoords="offset points", xytext=(4, -10),
                        fontsize=7)
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("observed share correct")
        ax.set_title(title, fontsize=9)
        ax.legend(loc="upper left", fontsize=8)
    fig.suptitle(f"Reliability, {f.n_cases} published cases, leave one source out",
                 fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
