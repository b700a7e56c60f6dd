"""The next questions computed on Facts (``engine/_fill``, ``questions._Search``) are the
questions of the slow path that copies each filled-in Case and assesses it from scratch
(``questions_reference``), over the published-case corpus and the examples."""

from __future__ import annotations

from pathlib import Path

import yaml

from dystonia_cds import Case, KnowledgeBase, load_case
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.engine._event_keys import event_tokens
from dystonia_cds.engine._facts import derive_facts
from dystonia_cds.engine._fill import fills
from dystonia_cds.engine._replaced import replaced
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.etiology import fired, quick_scores
from dystonia_cds.engine.questions import next_questions
from tests.conftest import REPO
from tests.engine import questions_reference as ref


def _cases(kb: KnowledgeBase) -> list[Case]:
    out = [load_case(p, kb) for p in sorted((REPO / "examples").glob("*.yaml"))]
    for path in sorted((REPO / "tests" / "cases").glob("*.yaml")):
        out.append(case_from_mapping(dict(yaml.safe_load(Path(path).read_text())["case"]), kb))
    return out


def _questions(case: Case, kb: KnowledgeBase):  # type: ignore[no-untyped-def]
    f = derive_facts(case, kb)
    checks = compute_checks(f, kb)
    hits = fired(f, checks, kb)
    return next_questions(f, checks, hits, quick_scores(f, checks, kb, hits), kb)


def test_questions_from_facts_are_those_of_filled_in_cases(kb: KnowledgeBase) -> None:
    cases = _cases(kb)
    asked = 0
    for case in cases:
        got = _questions(case, kb)
        assert got == ref.reference_questions(case, kb), case.id
        asked += bool(got)
    assert len(cases) > 300 and asked > 250  # the corpus exercised the search


def test_each_variant_has_the_facts_of_its_filled_in_case(kb: KnowledgeBase) -> None:
    """Field by field: what the rules read of a variant is what a full derivation of the
    filled-in Case gives (the Case itself equal too, though built without validation), and
    the inputs said to differ are those that do."""
    kinds = set()
    for case in _cases(kb):
        f = derive_facts(case, kb)
        for (field, part, variants), (field_ref, cases) in zip(fills(f, kb), ref.fills(f),
                                                               strict=True):
            assert field == field_ref
            for (alt, changed), alt_case in zip(variants, cases, strict=True):
                full = derive_facts(alt_case, kb).__dict__
                assert alt.case == alt_case
                assert alt.__dict__ == full, (case.id, field)
                differ = {k for k, v in full.items() if k != "case" and v != f.__dict__[k]}
                causes = event_tokens(f.by_hypothesis, alt.by_hypothesis)
                assert changed == differ | {f"case.{part}"} | causes, (case.id, field)
            kinds.add(field.split("[")[0] + ("[]" if "[" in field else ""))
    assert len(kinds) >= 12, kinds


def test_replaced_leaves_the_original_alone(kb: KnowledgeBase) -> None:
    case = _cases(kb)[0]
    before = case.model_dump()
    alt = replaced(case, events=[])
    assert case.model_dump() == before and alt.events == [] and alt.dystonia is case.dystonia
    assert alt == case.model_copy(update={"events": []})


def test_the_checks_of_a_filled_in_medication_list_are_those_computed(kb: KnowledgeBase) -> None:
    """The search takes the checks of a variant filling in a missing medication list from a
    table (the Case's own and the drugs' latency checks): they are compute_checks' own."""
    from dystonia_cds.engine.checks import CheckSet
    from dystonia_cds.engine.questions import _drug_checks

    table = _drug_checks(kb)
    assert len(table) == 3
    met = 0
    for case in _cases(kb):
        f = derive_facts(case, kb)
        own = compute_checks(f, kb).items
        for field, _, variants in fills(f, kb):
            if field != "medications":
                continue
            for alt, changed in variants:
                stored, items, _ = table[id(changed)]
                assert stored is changed
                assert CheckSet({**own, **items}).items == compute_checks(alt, kb).items
                met += 1
    assert met > 100
