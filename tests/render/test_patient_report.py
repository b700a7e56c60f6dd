"""Issue 15: every word a patient sees is plain language, safe, and says how soon to seek care.

The reading grade is measured with textstat 0.7.3 (its syllable counter is pyphen, offline;
0.7.13 fetches NLTK's cmudict at run time). Measured: everything the patient reads except
the list of sources (bibliographic citations: author names and journal abbreviations are not
prose) and the version line.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest

from dystonia_cds import Assessment, Case, KnowledgeBase, assess, load_case, load_knowledge
from dystonia_cds.render import render_markdown
from dystonia_cds.render.patient import patient_report, patient_text
from dystonia_cds.render.patient_html import render_patient_html

textstat = pytest.importorskip("textstat", reason="textstat==0.7.3 is in the [test] extra")

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
MAX_GRADE = 9.0
# Words a patient must never be shown: engine ids, study prose, scores, jargon.
FORBIDDEN = [r"\bR-[A-Z]+(-[A-Z0-9]+)+\b", r"\b[a-z]+_[a-z_]+\b", r"Pain: pain",
             r"support\)", r"\bsupport:", r"likelihood", r"\bLR\b", r"\bdB\b", r"pretest",
             r"Sankhla|Jankovic|Tarsy|Lenka|Chuang|Krauss|Burke|van Harten",
             r"inclusion criterion", r"\bunsupported\b", r"hemisphere", r"idiopathic",
             r"laterality|latency|anatomical"]
# Sentences a worried person could take the wrong way (issue 15's harm review).
HARMFUL = [r"[Kk]eep records", r"disappointing", r"claim", r"compensation", r"fault",
           r"harder to treat"]


class _Text(HTMLParser):
    """Visible text of a page, minus the source list, version line, styles and scripts."""

    SKIP: ClassVar[frozenset[str]] = frozenset({"style", "script", "svg", "title"})
    VOID: ClassVar[frozenset[str]] = frozenset({"input", "meta", "link", "br", "img"})

    def __init__(self) -> None:
        super().__init__()
        self.out: list[str] = []
        self.hidden: list[bool] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        skip = tag in self.SKIP or bool({"references", "versions", "skip"} & set(classes))
        self.hidden.append(skip or bool(self.hidden and self.hidden[-1]))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        if self.hidden:
            self.hidden.pop()
        if tag in {"p", "li", "h1", "h2", "h3", "figcaption", "button", "a"}:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not (self.hidden and self.hidden[-1]):
            self.out.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"\n\s*\n+", "\n", "".join(parser.out)).strip()


def _without_sources(text: str, heading: str) -> str:
    return text.split(heading)[0]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="module")
def assessed(kb: KnowledgeBase) -> dict[str, tuple[Case, Assessment]]:
    out = {}
    for path in EXAMPLES:
        case = load_case(path, kb)
        out[path.stem] = (case, assess(case, kb, audience="patient"))
    return out


def _renderings(case: Case, a: Assessment, kb: KnowledgeBase) -> dict[str, str]:
    return {
        "html": html_text(render_patient_html(a, case, kb=kb, web=True)),
        "markdown": _without_sources(render_markdown(a, plain=True, case=case, kb=kb),
                                     "## Sources"),
        "text": patient_text(patient_report(a, case, kb), with_sources=False),
    }


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_reading_grade_at_most_9(name: str, assessed: dict[str, tuple[Case, Assessment]],
                                 kb: KnowledgeBase) -> None:
    case, a = assessed[name]
    for fmt, text in _renderings(case, a, kb).items():
        grade = textstat.flesch_kincaid_grade(text)
        assert grade <= MAX_GRADE, f"{name} {fmt}: Flesch-Kincaid grade {grade}"


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_no_engine_ids_jargon_or_harmful_wording(
        name: str, assessed: dict[str, tuple[Case, Assessment]], kb: KnowledgeBase) -> None:
    case, a = assessed[name]
    for fmt, text in _renderings(case, a, kb).items():
        body = text.replace(kb.disclaimer["patient"].strip(), "")
        for pattern in FORBIDDEN + HARMFUL:
            found = re.search(pattern, body)
            assert found is None, f"{name} {fmt}: {found.group(0)!r} in\n{body}"


@pytest.mark.parametrize("name", [p.stem for p in EXAMPLES])
def test_how_soon_to_seek_care_comes_first(
        name: str, assessed: dict[str, tuple[Case, Assessment]], kb: KnowledgeBase) -> None:
    case, a = assessed[name]
    for fmt, text in _renderings(case, a, kb).items():
        care, short = text.find("How soon to seek care"), text.find("In short")
        assert 0 <= care < short, fmt
        assert kb.seek_care is not None and kb.seek_care.disclaimer.split()[0] in text
        for sign in kb.seek_care.signs:  # the warning signs are always listed
            assert sign.question in text


def test_drug_reaction_days_after_metoclopramide_says_see_a_doctor_today(
        assessed: dict[str, tuple[Case, Assessment]], kb: KnowledgeBase) -> None:
    case, a = assessed["metoclopramide-acute"]
    report = patient_report(a, case, kb)
    assert report.care.level == "soon" and report.care.title == "See a doctor today"
    assert "van Harten" in " ".join(r.citation for r in report.references)


def test_strong_fit_for_an_injury_is_never_called_proof(
        assessed: dict[str, tuple[Case, Assessment]], kb: KnowledgeBase) -> None:
    case, a = assessed["whiplash-neck"]
    report = patient_report(a, case, kb)
    assert report.causes[0].fit == "fits well"
    assert "not proof" in report.caution
    text = patient_text(report)
    assert text.index("not proof") < text.index("Possible causes")


def test_side_is_only_what_was_given(kb: KnowledgeBase) -> None:
    case = Case.model_validate({"dystonia": {"regions": [{"region": "leg"}]}})
    a = assess(case, kb, audience="patient")
    facts = patient_report(a, case, kb).facts
    assert facts[0] == "Where: " + kb.regions["leg"].plain_label + "."
    assert not re.search(r"\b(right|left)\b", facts[0])


class _AllText(_Text):
    # the picture's words too: legend, tooltips, description
    SKIP: ClassVar[frozenset[str]] = frozenset({"style", "script"})


@pytest.mark.parametrize("name", ["post-stroke-arm", "head-injury-wrong-side", "dental-jaw"])
def test_the_body_picture_speaks_plainly_too(
        name: str, assessed: dict[str, tuple[Case, Assessment]], kb: KnowledgeBase) -> None:
    case, a = assessed[name]
    parser = _AllText()
    parser.feed(render_patient_html(a, case, kb=kb))
    text = " ".join("".join(parser.out).split())
    assert "Picture of the body" in text
    for word in ("hemisphere", "lesion", "procedure", "Body map"):
        assert word not in text, word
