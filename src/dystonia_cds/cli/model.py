"""`dystonia-cds model fit|validate`: rebuild the evidence model from the case corpus and
print its cross-validated figures."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dystonia_cds.knowledge import load_knowledge

model_app = typer.Typer(help="Fit and validate the evidence model on the published-case "
                        "corpus (leave-one-source-out).", no_args_is_help=True)

Corpus = Annotated[Path, typer.Option("--corpus", help="Folder of corpus case files.",
                                      exists=True, file_okay=False)]


@model_app.command("fit")
def fit(corpus: Corpus = Path("tests/cases"),
        out: Annotated[Path | None, typer.Option(
            "--out", help="Where to write model.yaml (default: the shipped file).")] = None,
        ) -> None:
    """Fit the likelihood ratios and calibrate them; write the generated model file."""
    from dystonia_cds.modelling import build_model, dump_model, load_corpus, model_path

    kb = load_knowledge(with_model=False)
    obs = load_corpus(corpus, kb)
    model, _ = build_model(obs, kb, corpus.as_posix())
    target = out or model_path()
    target.write_text(dump_model(model), encoding="utf-8")
    typer.echo(f"wrote {target}: {model.n_cases} cases, {model.n_sources} sources, "
               f"T = {model.calibration.temperature}, ECE {model.calibration.ece}, "
               f"probabilities shown: {model.calibration.shown}")


@model_app.command("validate")
def validate(corpus: Corpus = Path("tests/cases"),
             figure: Annotated[Path | None, typer.Option(
                 "--figure", help="Write the reliability diagram (PNG).")] = None) -> None:
    """Print the leave-one-source-out figures beside the v1 judgement-weight baseline."""
    from dystonia_cds.modelling import (
        Counts,
        cross_validate,
        figures,
        figures_text,
        judgement_baseline,
        load_corpus,
        pretest,
        reliability_png,
    )

    kb = load_knowledge(with_model=False)
    obs = load_corpus(corpus, kb)
    preds, _ = cross_validate(obs, kb)
    threshold = kb.parameters.scoring.summary_threshold
    figs = figures(preds, threshold, pretest(Counts.of(obs, kb)))
    typer.echo(figures_text(figs, threshold, judgement_baseline(obs, kb)))
    if figure is not None:
        reliability_png(figs, figure)
        typer.echo(f"wrote {figure}")
