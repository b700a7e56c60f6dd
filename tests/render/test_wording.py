"""Wording found by a new user: each of these read wrong in a shipped output."""

from __future__ import annotations

import re
from pathlib import Path

from dystonia_cds import assess, load_case, load_knowledge
from dystonia_cds.render import render_markdown

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "dystonia_cds" / "api" / "templates"


def _assess(name: str):  # type: ignore[no-untyped-def]
    kb = load_knowledge()
    case = load_case(EXAMPLES / name, kb)
    return case, assess(case, kb)


def test_no_negative_delay_in_any_example() -> None:
    """'The dystonia began -2 days before starting metoclopramide' (onset 2 days after)."""
    for path in sorted(EXAMPLES.glob("*.yaml")):
        _, a = _assess(path.name)
        for k in a.checks:
            assert not re.search(r"-\d", k.explanation), (path.name, k.explanation)


def test_too_early_for_tardive_says_so() -> None:
    _, a = _assess("metoclopramide-acute.yaml")
    tardive = next(k for k in a.checks
                   if k.id == "latency" and k.hypothesis == "drug_induced_tardive")
    assert tardive.status == "inconsistent"
    assert tardive.explanation.startswith(
        "Onset 2 days after starting metoclopramide is earlier than reported")


def test_one_deciban_is_singular() -> None:
    """'up to 1 points' / '1 decibans': the unit agrees with the number."""
    from dystonia_cds.engine.questions import move_wording

    assert "by up to 1 deciban (" in move_wording(1.2)
    assert "by up to 2 decibans (" in move_wording(2.4)
    for path in sorted(EXAMPLES.glob("*.yaml")):
        _, a = _assess(path.name)
        for q in a.next_questions:
            assert not re.search(r"\b1 (decibans|points)\b", q.why), q.why


def test_markdown_has_no_empty_heading() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        _, a = _assess(path.name)
        lines = render_markdown(a).splitlines()
        for i, line in enumerate(lines):
            if line.startswith("## "):
                rest = next((x for x in lines[i + 1:] if x.strip()), "## end")
                assert not rest.startswith("## "), (path.name, line)


def test_markdown_says_why_there_is_no_question() -> None:
    _, a = _assess("post-stroke-arm.yaml")
    text = render_markdown(a.model_copy(update={"next_questions": []}))
    after = text.split("## Next questions\n", 1)[1].lstrip("\n")
    assert after.startswith("No answer to an unrecorded question would move the scores")


def test_clinician_form_add_buttons_are_words() -> None:
    """'Add imagin' came from cutting the last letter off 'imaging'."""
    from jinja2 import Environment, FileSystemLoader

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)))
    src = (TEMPLATES / "_clinician.html").read_text(encoding="utf-8")
    assert "kind[:-1]" not in src
    loop = re.search(r'\{% for kind, title, none_label in .*?%\}(.*?)\{% endfor %\}', src, re.S)
    assert loop is not None
    button = re.search(r"<button[^>]*add-row.*?</button>", loop.group(1), re.S)
    assert button is not None
    for kind, word in [("events", "Add event"), ("medications", "Add medication"),
                       ("imaging", "Add imaging study"), ("genetics", "Add genetic test")]:
        html = env.from_string(button.group(0)).render(kind=kind)
        assert f">{word}</button>" in html, html
