"""The knowledge base: every rule cited, every citation real, code and data in step."""

from __future__ import annotations

import pytest

from dystonia_cds import KnowledgeBase, KnowledgeBaseError
from dystonia_cds.engine.etiology import ALL_RULES
from dystonia_cds.knowledge import _loader


def test_every_rule_in_code_has_data_and_vice_versa(kb: KnowledgeBase) -> None:
    code_ids = [r.id for r in ALL_RULES]
    assert len(code_ids) == len(set(code_ids)), "a rule id is registered twice"
    assert set(code_ids) == set(kb.rules)


def test_every_rule_cites_existing_references(kb: KnowledgeBase) -> None:
    for rule in kb.rules.values():
        assert rule.references, rule.id
        for ref in rule.references:
            assert ref in kb.references, f"{rule.id} cites unknown {ref}"


def test_every_reference_has_doi_or_pmid_and_a_verification_note(kb: KnowledgeBase) -> None:
    """A DOI or a PMID; a drug label (no DOI or PMID) its FDA SPL id instead."""
    for ref in kb.references.values():
        assert ref.doi or ref.pmid or ref.spl_id, ref.id
        assert ref.verified_by.strip()
        if ref.doi:
            assert ref.doi.startswith("10."), ref.id


def test_unknown_reference_id_fails_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _loader._read

    def broken(name: str):  # type: ignore[no-untyped-def]
        data, raw = real(name)
        if name == "rules":
            data = [dict(data[0], references=["nosuch2099"]), *data[1:]]
        return data, raw

    monkeypatch.setattr(_loader, "_read", broken)
    with pytest.raises(KnowledgeBaseError, match="nosuch2099"):
        _loader.load_knowledge()


def test_rule_without_reference_fails_at_load(monkeypatch: pytest.MonkeyPatch) -> None:
    real = _loader._read

    def broken(name: str):  # type: ignore[no-untyped-def]
        data, raw = real(name)
        if name == "rules":
            data = [dict(data[0], references=[]), *data[1:]]
        return data, raw

    monkeypatch.setattr(_loader, "_read", broken)
    with pytest.raises(KnowledgeBaseError):
        _loader.load_knowledge()


def test_knowledge_version_is_semver_plus_content_hash(kb: KnowledgeBase) -> None:
    version, _, digest = kb.knowledge_version.partition("+")
    assert version == kb.version and len(digest) == 12


def test_aliases_map_person_words(kb: KnowledgeBase) -> None:
    v = kb.vocabulary
    assert v.regions["eyes"] == "upper_face"
    assert v.regions["torticollis"] == "neck"
    assert v.regions["writers cramp"] == "arm"
    assert v.regions["foot"] == "leg"
    assert v.drugs["reglan"] == "metoclopramide"


def test_treatments_and_recommendations_cite_known_references(kb: KnowledgeBase) -> None:
    for t in kb.treatments:
        assert set(t.references) <= set(kb.references), t.id
    for r in kb.recommendations.values():
        assert set(r.references) <= set(kb.references), r.id
    for w in kb.parameters.windows.values():
        assert set(w.references) <= set(kb.references)


def test_genetics_data_cites_known_references(kb: KnowledgeBase) -> None:
    from dystonia_cds.genetics._data import genes_data

    data = genes_data()
    for rule in data.dystonia_genes:
        assert rule.references and set(rule.references) <= set(kb.references), rule.gene
    for t in data.treatable:
        assert t.references and set(t.references) <= set(kb.references), t.id
