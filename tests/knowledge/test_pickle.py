"""A knowledge base that the engine has used still pickles (the knowledge cache and the
Spark broadcast pickle it): its derived tables, some holding rule functions that cannot be
pickled, are left out and rebuilt on first use."""

from __future__ import annotations

import pickle

import yaml

from dystonia_cds import KnowledgeBase, assess, load_knowledge
from dystonia_cds._case_io import case_from_mapping
from tests.conftest import REPO


def test_a_knowledge_base_pickles_after_a_question_search() -> None:
    kb = load_knowledge()  # its own: the shared fixture's tables are left alone
    data = yaml.safe_load((REPO / "tests" / "cases" / "degenerative-cheng2018.yaml").read_text())
    case = case_from_mapping(dict(data["case"]), kb)
    first = assess(case, kb)  # runs the next-question search
    assert first.next_questions
    assert "_derived_engine.question_keyed_selections" in kb.__dict__
    again = pickle.loads(pickle.dumps(kb, protocol=pickle.HIGHEST_PROTOCOL))
    assert isinstance(again, KnowledgeBase) and again == kb
    assert not any(k.startswith("_derived_") for k in again.__dict__)
    assert assess(case, again) == first  # the tables are rebuilt
    assert "_derived_engine.question_keyed_selections" in kb.__dict__  # the original keeps its own
