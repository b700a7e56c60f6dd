"""The inputs ``engine/_reads`` finds in each rule's code include every input the rule (and
its weighing, and the checks) actually reads: recorded attribute by attribute over the
corpus, the examples and the next-question variants of each. A rule reading an input the
analysis missed would be skipped wrongly by the next-question search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from dystonia_cds import Case, KnowledgeBase, load_case
from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.engine._facts import Facts, derive_facts
from dystonia_cds.engine._fill import fills
from dystonia_cds.engine._likelihood import log_lr
from dystonia_cds.engine._reads import (
    CHECKS,
    EVERYTHING,
    FACT_FIELDS,
    check_keys,
    check_token,
    inputs_of,
    rule_inputs,
)
from dystonia_cds.engine.checks import CheckSet, compute_checks
from dystonia_cds.engine.etiology import ALL_RULES
from dystonia_cds.engine.questions import _CHECK_INPUTS
from tests.conftest import REPO


class _Model:
    """A Case model (or a part of one) that records the fields read of it."""

    def __init__(self, model: BaseModel, log: set[str]) -> None:
        self._model, self._log = model, log

    def __getattr__(self, name: str) -> Any:
        self._log.add(f"case.{name}")
        value = getattr(self._model, name)
        return _Model(value, self._log) if isinstance(value, BaseModel) else value


class _Facts(Facts):
    log: set[str]

    def __getattribute__(self, name: str) -> Any:
        value = object.__getattribute__(self, name)
        if name in FACT_FIELDS:
            object.__getattribute__(self, "__dict__")["log"].add(name)
        return _Model(value, self.__dict__["log"]) if name == "case" else value


class _Items(dict):  # type: ignore[type-arg]
    """A CheckSet's items that record each check read by its key, and a read of them all
    (iterating, indexing, keeping them) as ``checks``."""

    log: set[str]

    def get(self, key: Any, default: Any = None) -> Any:
        self.log.add(check_token(*key))
        return super().get(key, default)

    def __getattribute__(self, name: str) -> Any:
        if name not in ("get", "log", "__class__", "__dict__"):
            object.__getattribute__(self, "log").add(CHECKS)
        return object.__getattribute__(self, name)

    def __getitem__(self, key: Any) -> Any:
        self.log.add(CHECKS)
        return super().__getitem__(key)

    def __iter__(self) -> Any:
        self.log.add(CHECKS)
        return super().__iter__()

    def __len__(self) -> int:
        self.log.add(CHECKS)
        return super().__len__()

    def __contains__(self, key: object) -> bool:
        self.log.add(CHECKS)
        return super().__contains__(key)


class _Checks(CheckSet):
    def __getattribute__(self, name: str) -> Any:
        if name not in ("items", "status", "as_list"):
            return object.__getattribute__(self, name)
        log = object.__getattribute__(self, "__dict__")["log"]
        if name == "items":
            items = _Items(object.__getattribute__(self, "items"))
            items.log = log
            return items
        if name == "status":
            return lambda check_id, hyp: (log.add(check_token(check_id, hyp)),
                                          CheckSet.status(self, check_id, hyp))[1]
        if name == "as_list":
            log.add(CHECKS)
        return object.__getattribute__(self, name)


def _recording(f: Facts, checks: CheckSet) -> tuple[_Facts, _Checks, set[str]]:
    log: set[str] = set()
    rf = object.__new__(_Facts)
    rf.__dict__.update(f.__dict__, log=log)
    rc = object.__new__(_Checks)
    rc.__dict__.update(checks.__dict__, log=log)
    return rf, rc, log


def _facts(kb: KnowledgeBase) -> list[Facts]:
    cases: list[Case] = [load_case(p, kb) for p in sorted((REPO / "examples").glob("*.yaml"))]
    for path in sorted((REPO / "tests" / "cases").glob("*.yaml")):
        cases.append(case_from_mapping(dict(yaml.safe_load(Path(path).read_text())["case"]),
                                       kb))
    out = []
    for case in cases:
        f = derive_facts(case, kb)
        out.append(f)
        out += [alt for _, _, variants in fills(f, kb) for alt, _ in variants]
    return out


def test_every_input_a_rule_reads_is_found_in_its_code(kb: KnowledgeBase) -> None:
    facts = _facts(kb)
    assert len(facts) > 3000
    missed: dict[str, set[str]] = {}
    for f in facts:
        checks = compute_checks(f, kb)
        rf, rc, log = _recording(f, checks)
        compute_checks(rf, kb)
        assert log <= _CHECK_INPUTS, log - _CHECK_INPUTS
        for rule in ALL_RULES:
            rf, rc, log = _recording(f, checks)
            if rule.fn(rf, rc, kb) is not None:
                log_lr(rule.id, rf, kb)
            found = rule_inputs(rule, kb)
            if found is not EVERYTHING and not log <= found:
                missed.setdefault(rule.id, set()).update(log - found)
    assert not missed


def _rule(f: Facts, c: CheckSet, kb: Any) -> str | None:
    if f.events_of("idiopathic") or f.possible_drug_causes or c.status("x", "y"):
        return "x"
    return "y" if f.case.dystonia.course == "static" else None


def test_reads_through_methods_properties_the_case_and_checks_are_found(
        kb: KnowledgeBase) -> None:
    """The analysis follows Facts methods and properties, and the recording (which the test
    above compares it with) sees the same reads: it can tell a missed one."""
    found = inputs_of([_rule])
    keyed = check_token("x", "y")
    assert {"by_hypothesis", "drugs", keyed, "case.course", "case.dystonia"} <= found
    assert CHECKS not in found
    f = _facts(kb)[0]
    rf, rc, log = _recording(f, compute_checks(f, kb))
    _rule(rf, rc, kb)
    assert {"by_hypothesis", "drugs", keyed, "case.dystonia", "case.course"} <= log
    assert "onset_years" not in found and log <= found


def test_code_reading_by_a_computed_name_reads_everything() -> None:
    def rule(f: Facts, c: CheckSet, kb: Any) -> str | None:
        return getattr(f, "onset_years")  # noqa: B009

    assert inputs_of([rule]) is EVERYTHING


_HYP = "acquired_peripheral_trauma"


def _keyed(hyp: str) -> Any:
    def rule(f: Facts, c: CheckSet, kb: Any) -> str | None:
        item = c.items.get(("latency", hyp)) or c.items.get(("anatomy", _HYP))
        return item.status if item is not None else None
    return rule


def _iterating(f: Facts, c: CheckSet, kb: Any) -> str | None:
    return next((k[0] for k in c.items if k[1] == _HYP), None)


def _computed_key(f: Facts, c: CheckSet, kb: Any) -> str | None:
    return c.status("latency", f.events[0].info.hypothesis or "") if f.events else None


def _kept(f: Facts, c: CheckSet, kb: Any) -> str | None:
    items = c.items
    return "x" if items.get(("latency", _HYP)) else None


def _dict_items_only(f: Facts, c: CheckSet, kb: Any) -> str | None:
    return ",".join(k for k, _ in f.by_hypothesis.items()) or None


def test_checks_read_by_a_key_in_the_code_are_inputs_one_by_one() -> None:
    """A check read by a key written in the code (a constant, a closure variable, a module
    constant) is an input by itself; any other read of the CheckSet makes every check one;
    a dict's ``items()`` is no read of the checks."""
    assert check_keys([_keyed("drug_induced_acute")]) == {
        ("latency", "drug_induced_acute"), ("anatomy", _HYP)}
    found = inputs_of([_keyed("drug_induced_acute")])
    assert check_token("latency", "drug_induced_acute") in found and CHECKS not in found
    for reads_all in (_iterating, _computed_key, _kept):
        assert check_keys([reads_all]) is None
        assert CHECKS in inputs_of([reads_all]), reads_all.__name__
    assert not any(x.startswith(CHECKS) for x in inputs_of([_dict_items_only]))


def test_the_rules_reading_checks_read_them_by_key(kb: KnowledgeBase) -> None:
    """Every rule of the engine that reads a check names it: a changed check re-runs the
    rules reading it, not all that read any check."""
    reading = [r for r in ALL_RULES if any(x.startswith(CHECKS) for x in rule_inputs(r, kb))]
    assert len(reading) > 20
    assert not [r.id for r in reading if CHECKS in rule_inputs(r, kb)]
