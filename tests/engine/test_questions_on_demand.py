"""Next questions only when asked; everything else the same either way."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dystonia_cds import Case, KnowledgeBase, assess, load_case
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.engine import questions as questions_module
from tests.conftest import REPO


def _cases(kb: KnowledgeBase) -> list[Case]:
    out = [load_case(p, kb) for p in sorted((REPO / "examples").glob("*.yaml"))]
    for path in sorted((REPO / "tests" / "cases").glob("*.yaml")):
        out.append(case_from_mapping(dict(yaml.safe_load(Path(path).read_text())["case"]), kb))
    return out


def test_without_questions_only_next_questions_differ(kb: KnowledgeBase) -> None:
    undetermined = 0
    for case in _cases(kb):
        full, quick = assess(case, kb), assess(case, kb, questions=False)
        assert quick.next_questions == []
        assert quick.model_copy(update={"next_questions": full.next_questions}) == full
        undetermined += full.etiology.summary == "undetermined"
    assert undetermined > 0  # the deciding-question sentence was exercised


def test_the_search_is_skipped_unless_the_summary_needs_it(
        kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    import dystonia_cds.engine as engine

    calls: list[str] = []

    def counting(name: str):  # type: ignore[no-untyped-def]
        real = getattr(questions_module, name)

        def count(*args, **kwargs):  # type: ignore[no-untyped-def]
            calls.append(name)
            return real(*args, **kwargs)
        return count

    for name in ("next_questions", "deciding_question"):
        monkeypatch.setattr(engine, name, counting(name))
    clear = load_case(REPO / "examples" / "whiplash-neck.yaml", kb)
    a = assess(clear, kb, questions=False)
    assert a.etiology.summary != "undetermined" and calls == []
    data = yaml.safe_load((REPO / "tests" / "cases" / "degenerative-cheng2018.yaml").read_text())
    b = assess(case_from_mapping(dict(data["case"]), kb), kb, questions=False)
    assert b.etiology.summary == "undetermined" and calls == ["deciding_question"]
    assert "could decide it" in b.etiology.summary_explanation
