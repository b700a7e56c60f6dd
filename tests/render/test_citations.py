"""The letter's reference list is the sources of what it prints (issue 15).

The unsupported causes' evidence is on screen in a collapsed <details> that is not printed,
so a reference cited only there is screen-only (class no-print); every reference a printed
statement links to is in the printed list; nothing uncited is listed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dystonia_cds import assess, load_case, load_knowledge
from dystonia_cds.render.citations import cited_reference_ids, evidence_reference_ids
from dystonia_cds.render.html import render_html, report_context

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
_DETAILS = re.compile(r"<details\b.*?</details>", re.S)
_HREF = re.compile(r'href="#ref-([^"]+)"')
_ITEM = re.compile(r'<li id="ref-([^"]+)"( class="[^"]*")?')


def _parts(name: Path) -> tuple[str, object]:
    kb = load_knowledge()
    case = load_case(name, kb)
    a = assess(case, kb)
    return render_html(a, case), report_context(a, case)


@pytest.mark.parametrize("name", EXAMPLES, ids=lambda p: p.stem)
def test_printed_list_is_what_printed_statements_cite(name: Path) -> None:
    html, _ = _parts(name)
    items = {m[1]: "no-print" in (m[2] or "") for m in _ITEM.finditer(html)}
    printed_items = {i for i, hidden in items.items() if not hidden}
    body, _, _ = html.partition('<section aria-labelledby="h-refs">')
    printed_body = _DETAILS.sub("", body)  # what the printed page shows above the list
    printed_links = set(_HREF.findall(printed_body))
    assert printed_links, "the letter cites nothing?"
    assert printed_links == printed_items  # every printed citation listed, nothing else
    assert set(_HREF.findall(body)) == set(items)  # on screen, every link has its entry


def test_an_example_has_screen_only_references() -> None:
    """The case the rule is for exists: a source cited only against an unsupported cause."""
    kb = load_knowledge()
    case = load_case(next(p for p in EXAMPLES if p.stem == "whiplash-neck"), kb)
    a = assess(case, kb)
    ctx = report_context(a, case)
    hidden = ctx["screen_only_refs"]
    assert hidden
    unsupported = [h for h in a.etiology.hypotheses if h.support == "unsupported"]
    assert hidden <= evidence_reference_ids(unsupported)
    assert not hidden & cited_reference_ids(a, [a.top])
    html = render_html(a, case)
    for ref in hidden:
        assert f'<li id="ref-{ref}" class="no-print' in html
