"""The patient questionnaire's scan question is in plain words (issue 15).

The brain structures are what a person is told ("putamen"), so their names stay, but each
sits under a place in everyday words ("Deep in the middle of the brain"); the question and
those places read at grade ≤ 9 (textstat 0.7.3, as the patient report's test).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient

from dystonia_cds import KnowledgeBase, load_knowledge

textstat = pytest.importorskip("textstat", reason="textstat==0.7.3 is in the [test] extra")

JARGON = ("putamen", "thalamus", "nucleus", "cortex", "cerebellum", "brainstem", "ganglia",
          "capsule", "lesion", "hemisphere", "white matter", "midbrain")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="module")
def imaging_step(kb: KnowledgeBase) -> Iterator[str]:
    from dystonia_cds.api import create_app

    with TestClient(create_app(kb)) as c:
        page = c.get("/?mode=patient")
    assert page.status_code == 200
    m = re.search(r'<fieldset class="step" data-step="imaging".*?</fieldset>', page.text, re.S)
    assert m, "no imaging step in the patient questionnaire"
    yield m.group(0)


def _words(html: str) -> str:
    """What a person reads of the step, less the structure names (the options)."""
    no_options = re.sub(r"<option\b.*?</option>", " ", html, flags=re.S)
    groups = " ".join(f"{g}." for g in re.findall(r'<optgroup label="([^"]+)"', html))
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", no_options)) + " " + groups)


def test_every_structure_is_under_a_plain_place(imaging_step: str, kb: KnowledgeBase) -> None:
    select = re.search(r'<select id="scan-structure"[^>]*>(.*?)</select>', imaging_step, re.S)
    assert select
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select.group(1), re.S)
    assert len(groups) >= 4
    grouped = {v for _, body in groups for v in re.findall(r'value="([^"]+)"', body)}
    assert grouped == {s.id for s in kb.structures.values() if s.id != "other"}
    for place, _ in groups:
        assert not any(j in place.lower() for j in JARGON), place
    outside = re.sub(r"<optgroup.*?</optgroup>", "", select.group(1), flags=re.S)
    assert re.findall(r">([^<]+)</option>", outside) == ["not sure", "somewhere else"]


def test_scan_question_reads_plainly(imaging_step: str) -> None:
    text = _words(imaging_step)
    assert "Have you had a scan of your brain" in text
    for word in JARGON:
        assert word not in text.lower(), word
    assert textstat.flesch_kincaid_grade(text) <= 9.0, text
