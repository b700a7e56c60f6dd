"""Load and cross-check the knowledge base shipped in ``knowledge/data``.

Why a loader and not module constants: the knowledge base is data with sources. It is read
once (by an app factory, a CLI command or :func:`default_knowledge`), validated by the
pydantic models in ``_models``, and every reference id it uses is checked to exist, so a
broken citation fails at load, not in front of a clinician.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from dystonia_cds.knowledge._models import KnowledgeBase

_FILES = (
    "meta", "references", "regions", "features", "events", "drugs", "structures", "rules",
    "parameters", "treatments", "recommendations", "questions", "base_rates",
    "cited_lrs", "field_words", "seek_care", "lesion_natures",
)
# The fitted evidence model: generated from the case corpus by `dystonia-cds model fit`.
MODEL_FILE = "model"
# The installed package's folder. A path beside this module, not importlib.resources: the
# package is always installed as files (never zipped), and importlib.resources costs ~5 ms
# of every start-up to import (its readers pull in zipfile and tempfile).
PACKAGE = Path(__file__).parent.parent


def _error(message: str) -> Exception:
    """A :class:`~dystonia_cds.errors.KnowledgeBaseError`, its module imported only here: a
    start-up served from the cache never raises one (and ``errors`` builds a pydantic model)."""
    from dystonia_cds.errors import KnowledgeBaseError

    return KnowledgeBaseError(message)


def normalise_word(text: str) -> str:
    """Lower-case, apostrophes dropped, runs of space/underscore/hyphen folded to one space."""
    text = text.strip().lower().replace("\u2019", "").replace("'", "")
    return re.sub(r"[\s_\-]+", " ", text)


def _yaml(raw: bytes) -> Any:
    """Parse with libyaml's C loader when PyYAML was built with it (the wheels are): the same
    safe subset of YAML, about ten times faster than the pure-Python loader. PyYAML is imported
    here, not with the module: a start-up served from the cache (``_cache``) never parses."""
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(raw, Loader=loader)  # a safe loader, C or Python


def _read(name: str) -> tuple[Any, bytes]:
    raw = (PACKAGE / "knowledge" / "data" / f"{name}.yaml").read_bytes()
    return _yaml(raw), raw


def _genetics_references() -> tuple[list[dict[str, Any]], bytes]:
    """The genetics package's bibliography (genes and HPO methods), merged into one."""
    raw = (PACKAGE / "genetics" / "data" / "references.yaml").read_bytes()
    return list(_yaml(raw) or []), raw


def _dystonia_genes() -> tuple[frozenset[str], bytes]:
    """The panel's genes of isolated and combined dystonia, read from the genetics data file
    without importing the genetics package (which needs numpy)."""
    raw = (PACKAGE / "genetics" / "data" / "genes.yaml").read_bytes()
    genes = (_yaml(raw) or {}).get("dystonia_genes") or []
    return frozenset(str(g["gene"]).upper() for g in genes), raw


def _alias_map(items: dict[str, Any], include_hpo: bool = True) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, item in items.items():
        words = [key, getattr(item, "label", key), *getattr(item, "aliases", [])]
        hpo = getattr(item, "hpo", None)
        if hpo and include_hpo:
            words.append(hpo)
        for w in words:
            norm = normalise_word(w)
            if out.get(norm, key) != key:
                raise _error(f"alias {w!r} names both {out[norm]} and {key}")
            out[norm] = key
    return out


def _referenced_ids(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Every (where, reference id) the data cites, found by walking the raw YAML."""
    found: list[tuple[str, str]] = []

    def walk(node: Any, where: str) -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("references", "tardive_references") and isinstance(v, list):
                    found.extend((f"{where}.{k}", str(r)) for r in v)
                else:
                    walk(v, f"{where}.{k}")
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, f"{where}[{i}]")

    for name, content in data.items():
        if name not in ("references", MODEL_FILE):
            walk(content, name)
    return found


def load_knowledge(with_model: bool = True) -> KnowledgeBase:
    """Read, validate and cross-check the shipped knowledge base.

    ``with_model=False`` leaves out the fitted evidence model: the fitting command needs the
    rules without the weights it is about to compute."""
    data: dict[str, Any] = {}
    digest = hashlib.sha256()
    names = (*_FILES, MODEL_FILE) if with_model else _FILES
    for name in names:
        content, raw = _read(name)
        data[name] = content
        digest.update(name.encode() + b"\0" + raw)
    extra, raw = _genetics_references()
    digest.update(b"genetics-references\0" + raw)
    genes, raw = _dystonia_genes()
    digest.update(b"genetics-genes\0" + raw)
    known = {r["id"] for r in data["references"]}
    data["references"] = list(data["references"]) + [r for r in extra if r["id"] not in known]
    try:
        kb = _build(data, digest.hexdigest()).model_copy(update={"dystonia_genes": genes})
    except ValidationError as exc:
        raise _error(f"knowledge base failed validation:\n{exc}") from exc
    missing = sorted(
        {f"{where}: {ref}" for where, ref in _referenced_ids(data) if ref not in kb.references}
    )
    if missing:
        raise _error("unknown reference ids:\n  " + "\n  ".join(missing))
    return kb


def _build(data: dict[str, Any], content_hash: str) -> KnowledgeBase:
    from dystonia_cds.knowledge import _models as m
    from dystonia_cds.knowledge._care_models import SeekCareInfo

    refs = {r["id"]: m.Reference.model_validate(r) for r in data["references"]}
    regions = {r["id"]: m.RegionInfo.model_validate(r) for r in data["regions"]["regions"]}
    features = {f["id"]: m.FeatureInfo.model_validate(f) for f in data["features"]}
    events = {e["id"]: m.EventInfo.model_validate(e) for e in data["events"]}
    drugs = {d["id"]: m.DrugInfo.model_validate(d) for d in data["drugs"]}
    structures = {s["id"]: m.StructureInfo.model_validate(s) for s in data["structures"]}
    rules = {r["id"]: m.RuleInfo.model_validate(r) for r in data["rules"]}
    drug_words = {}
    for key, drug in drugs.items():
        for w in [key, *drug.synonyms]:
            drug_words[normalise_word(w)] = key
    vocabulary = m.Vocabulary(
        regions=_alias_map(regions, include_hpo=False),
        sides={normalise_word(k): v for k, v in data["regions"]["side_aliases"].items()},
        features=_alias_map(features),
        events=_alias_map(events),
        drugs=drug_words,
        structures=_alias_map(structures),
        lesion_natures=_alias_map({n["id"]: m.LesionNatureInfo.model_validate(n)
                                   for n in data["lesion_natures"]}),
    )
    for region in regions.values():
        for other in region.contiguous:
            if other not in regions:
                raise _error(f"region {region.id}: unknown contiguous {other}")
    for rule in rules.values():
        if rule.given is not None and rule.given not in rules:
            raise _error(f"rule {rule.id}: unknown parent rule {rule.given}")
    for cited in data["cited_lrs"] or []:
        if cited["rule"] not in rules:
            raise _error(f"cited_lrs.yaml: unknown rule {cited['rule']}")
    if MODEL_FILE in data:
        fitted = set(data[MODEL_FILE]["rules"])
        if fitted != set(rules):
            raise _error(
                "model.yaml does not match rules.yaml (re-run `dystonia-cds model fit`): "
                f"missing {sorted(set(rules) - fitted)}, extra {sorted(fitted - set(rules))}")
    seek_care = SeekCareInfo.model_validate(data["seek_care"])
    for care_rule in seek_care.rules:
        for region_id in [*care_rule.regions_any, *care_rule.event_sites_any]:
            if region_id not in regions:
                raise _error(f"seek_care {care_rule.id}: unknown region {region_id}")
    for event in events.values():
        for site in event.body_sites:
            if site not in regions:
                raise _error(f"event {event.id}: unknown body site {site}")
    return m.KnowledgeBase(
        version=data["meta"]["version"],
        content_hash=content_hash,
        references=refs,
        regions=regions,
        features=features,
        events=events,
        drugs=drugs,
        structures=structures,
        rules=rules,
        parameters=m.Parameters.model_validate(data["parameters"]),
        treatments=[m.TreatmentInfo.model_validate(t) for t in data["treatments"]],
        recommendations={
            r["id"]: m.RecommendationInfo.model_validate(r) for r in data["recommendations"]
        },
        questions={q["field"]: m.QuestionInfo.model_validate(q) for q in data["questions"]},
        hypothesis_labels=data["meta"]["hypotheses"],
        disclaimer=data["meta"]["disclaimer"],
        vocabulary=vocabulary,
        model=m.EvidenceModel.model_validate(data[MODEL_FILE]) if MODEL_FILE in data else None,
        base_rates=[m.BaseRate.model_validate(b) for b in data["base_rates"] or []],
        cited_lrs={c["rule"]: m.CitedLR.model_validate(c) for c in data["cited_lrs"] or []},
        field_words={normalise_word(w): fw for fw in (
            m.FieldWord.model_validate(x) for x in data["field_words"] or []) for w in fw.words},
        seek_care=seek_care,
    )
