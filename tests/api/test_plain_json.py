"""parse_json's shortcut past check_tree (_input_safety._plain_json) changes no outcome: every
body gives the same data, or the same problems, as the full check. (The HTTP API reads every
JSON body through it.)"""

from __future__ import annotations

import json
from typing import Any

import pytest

from dystonia_cds import _input_safety
from dystonia_cds._input_safety import MAX_DEPTH, parse_json
from dystonia_cds.errors import CaseFormatError

DEEP = "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2)
BODIES = [
    '{"dystonia": {"regions": ["neck"], "features": ["pain"]}, "patient": {"age": 40}}',
    '{"a": 1.5, "b": [true, false, null], "c": {"d": -3}}',
    '{"a": 1e999}', '{"a": -1e999}', '{"a": [1e308, 1e309]}',
    '{"note": "caf\\u00e9"}', '{"note": "\\ud800"}', '{"note": "a\\u0000b"}',
    '{"\\ud800": 1}', '{"x": "line\\nbreak"}',
    DEEP, "[" * MAX_DEPTH + "]" * MAX_DEPTH,
    '{"n": 123456789012345678}', '{"n": 1234567890123456789}',
    json.dumps({"note": "x" * 100_001}), json.dumps({"note": "é" * 10}, ensure_ascii=False),
    '{"a": 1, "a": 2}', "\ud800", '["\ud800"]',
]


def _outcome(text: str) -> Any:
    try:
        return ("data", parse_json(text))
    except CaseFormatError as exc:
        return ("problems", [(p.field, p.value, p.message) for p in exc.problems])


@pytest.mark.parametrize("text", BODIES, ids=range(len(BODIES)))
def test_the_shortcut_changes_no_outcome(text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    fast = _outcome(text)
    monkeypatch.setattr(_input_safety, "_plain_json", lambda _text, _data: False)
    assert fast == _outcome(text)


def test_the_shortcut_is_taken_for_a_plain_case() -> None:
    text = '{"dystonia": {"regions": ["neck"]}, "patient": {"age": 40, "weight": 60.5}}'
    assert _input_safety._plain_json(text, json.loads(text))
    assert not _input_safety._plain_json('{"a": "\\n"}', {"a": "\n"})
