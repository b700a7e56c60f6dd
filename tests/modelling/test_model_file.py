"""The shipped model file is what the corpus gives, and no LR rests on one case."""

from __future__ import annotations

import math

import pytest

from dystonia_cds import KnowledgeBase, load_knowledge
from dystonia_cds.modelling import build_model, load_corpus, model_path
from tests.conftest import REPO

# A single case moving ln(LR) by more than this (a factor of 2.7) would be a smell.
SENSITIVITY_MAX = 1.0


@pytest.fixture(scope="module")
def refit() -> object:
    kb = load_knowledge(with_model=False)
    model, _ = build_model(load_corpus(REPO / "tests" / "cases", kb), kb, "tests/cases")
    return model


def test_shipped_model_equals_a_refit_from_the_corpus(refit: object,
                                                      kb: KnowledgeBase) -> None:
    shipped = kb.model
    assert shipped is not None
    assert shipped.n_cases == refit.n_cases  # type: ignore[attr-defined]
    assert shipped.calibration.temperature == refit.calibration.temperature  # type: ignore[attr-defined]
    for c, p in refit.pretest.items():  # type: ignore[attr-defined]
        assert math.isclose(shipped.pretest[c], p, rel_tol=1e-4), c
    stale = [r for r, fit in refit.rules.items()  # type: ignore[attr-defined]
             if not math.isclose(shipped.rules[r].lr, fit.lr, rel_tol=1e-4)]
    assert not stale, f"re-run `dystonia-cds model fit`: {stale[:5]}"


def test_model_file_names_its_corpus_and_command() -> None:
    head = model_path().read_text().splitlines()[:8]
    assert any("GENERATED" in line for line in head)
    assert any("dystonia-cds model fit --corpus tests/cases" in line for line in head)


def test_no_likelihood_ratio_rests_on_one_case(kb: KnowledgeBase) -> None:
    assert kb.model is not None
    worst = sorted(kb.model.rules.items(), key=lambda kv: -kv[1].sensitivity)[:5]
    print("\nmost sensitive rules (max |Δ ln LR| leaving one case out): "
          + ", ".join(f"{r} {fit.sensitivity:.2f}" for r, fit in worst))
    assert worst[0][1].sensitivity <= SENSITIVITY_MAX


def test_literature_direction_is_respected(kb: KnowledgeBase) -> None:
    assert kb.model is not None
    for rule_id, fit in kb.model.rules.items():
        w = kb.rules[rule_id].weight
        if w > 0:
            assert fit.lr >= 1, rule_id
        elif w < 0:
            assert fit.lr <= 1, rule_id
        else:
            assert fit.lr == 1, rule_id
