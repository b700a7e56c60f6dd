"""Phenopacket v2 → Case (the reader of the Phenopacket adapter)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from google.protobuf import json_format  # type: ignore[import-untyped]
from phenopackets import (  # type: ignore[import-untyped]
    OntologyClass,
    Phenopacket,
    PhenotypicFeature,
)

from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.adapters._pp_terms import (
    GENE_STATUS,
    NS,
    SEX,
    SHARED_TERMS,
    ns_parts,
    region_of_uberon,
    terms,
)
from dystonia_cds.adapters._pp_time import from_time_element
from dystonia_cds.assessment import InputNote
from dystonia_cds.case import Case
from dystonia_cds.errors import CaseError, InputProblem
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge


def _event_of(term: OntologyClass, tables: CodeTables) -> str | None:
    prefix, _, code = term.id.partition(":")
    if prefix == NS and code.startswith("event/"):
        return str(code).removeprefix("event/")
    system = {"ICD10CM": "icd10cm", "SNOMEDCT": "snomed", "SNOMED": "snomed"}.get(prefix.upper())
    meaning = tables.code_meaning(system, code)
    return meaning.event if meaning else None


def _region_of(pf: PhenotypicFeature, tables: CodeTables) -> tuple[str | None, str | None]:
    t = terms()
    by_uberon = region_of_uberon()
    mods = [m.id for m in pf.modifiers]
    side = next((t["laterality"][m] for m in mods if m in t["laterality"]), None)
    part = next((by_uberon[m] for m in mods if m in by_uberon), None)
    if pf.type.id in SHARED_TERMS and part:
        return part, side  # Dystonia / Limb / Craniofacial dystonia made precise by a part
    return tables.hpo_region.get(pf.type.id), side


def _scan_order(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 30, key)


def _parse(data: str | dict[str, Any]) -> Phenopacket:
    pp = Phenopacket()
    try:
        (json_format.ParseDict if isinstance(data, dict) else json_format.Parse)(data, pp)
    except json_format.ParseError as exc:
        raise CaseError([InputProblem(field="(phenopacket)", message=str(exc))]) from None
    return pp


def _subject(pp: Phenopacket) -> dict[str, Any]:
    subject: dict[str, Any] = {}
    sexes = {v: k for k, v in SEX.items()}
    if pp.subject.sex in sexes:
        subject["sex"] = sexes[pp.subject.sex]
    if pp.subject.HasField("date_of_birth"):
        subject["birth_date"] = pp.subject.date_of_birth.ToDatetime(tzinfo=dt.UTC).date()
    if pp.subject.HasField("time_at_last_encounter"):
        subject["age"] = from_time_element(pp.subject.time_at_last_encounter)
    return subject


class _Reading:
    """What one phenopacket gives, section by section, with the notes on what is not used."""

    def __init__(self, tables: CodeTables) -> None:
        self.tables = tables
        self.notes: list[InputNote] = []
        self.regions: list[dict[str, str]] = []
        self.onsets: list[str] = []
        self.dys: dict[str, Any] = {}
        self.family: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        self.meds: list[dict[str, Any]] = []
        self.genetics: list[dict[str, Any]] = []
        self.scans: dict[str, dict[str, Any]] = {}
        self.asked_none: set[str] = set()

    def ours(self, pf: PhenotypicFeature) -> bool:
        """A dystonia-cds term (our writer's): True when it was read into the Case."""
        parts = ns_parts(pf.type.id)
        if parts is None:
            return False
        kind, value = parts
        observed = not pf.excluded
        if kind == "variability" and observed:
            self.dys.setdefault("variability", []).append(value)
        elif kind == "sensory_trick" and observed:
            self.dys["sensory_trick"] = value
        elif kind == "dystonia" and value in ("persists_in_sleep", "fixed_posture"):
            self.dys[value] = observed
        elif kind == "onset_region" and observed:
            self.dys["onset_region"] = value
        elif kind == "history" and value in ("events", "medications") and pf.excluded:
            self.asked_none.add(value)
        elif kind == "feature":
            self.dys.setdefault("excluded_features" if pf.excluded else "features",
                                []).append(value)
        elif kind == "imaging" and value in ("lesion", "abnormal"):
            self._scan(pf, value)
        else:
            return False
        return True

    def _scan(self, pf: PhenotypicFeature, what: str) -> None:
        t = terms()
        mods = {p[0]: p[1] for m in pf.modifiers if (p := ns_parts(m.id))}
        scan = self.scans.setdefault(mods.get("imaging", "0"), {
            "modality": mods.get("modality", "other"), "lesions": []})
        if pf.HasField("onset") and (when := from_time_element(pf.onset)):
            scan["when"] = when
        if what == "abnormal":
            if mods.get("imaging") != "result_unknown" and not any(
                    m.id.endswith("/result_unknown") for m in pf.modifiers):
                scan["normal"] = bool(pf.excluded)
            return
        scan["normal"] = False
        lesion: dict[str, Any] = {"structure": mods.get("structure", "other")}
        side = next((t["laterality"][m.id] for m in pf.modifiers if m.id in t["laterality"]),
                    None)
        if side:
            lesion["side"] = side
        if "lesion_nature" in mods:
            lesion["nature"] = mods["lesion_nature"]
        scan["lesions"].append(lesion)

    def features(self, pp: Phenopacket) -> None:
        t = terms()
        for i, pf in enumerate(pp.phenotypic_features):
            if self.ours(pf):
                continue
            region, side = _region_of(pf, self.tables)
            if pf.type.id == t["family_history"]["id"]:
                self.family = {"dystonia": not pf.excluded, "note": pf.description or None}
            elif region and not pf.excluded:
                entry = {"region": region, **({"side": side} if side else {})}
                self.regions += [entry] if entry not in self.regions else []
                if pf.HasField("onset") and (when := from_time_element(pf.onset)):
                    self.onsets.append(when)
                for m in pf.modifiers:
                    if m.id in t["course"]:
                        self.dys["course"] = t["course"][m.id]
                    elif (p := ns_parts(m.id)) and p[0] == "course":
                        self.dys["course"] = p[1]
            elif pf.type.id.startswith("HP:"):
                key = "excluded_features" if pf.excluded else "features"
                self.dys.setdefault(key, []).append(pf.type.id)
            else:
                self.notes.append(InputNote(field=f"phenotypicFeatures[{i}]",
                                            message=f"{pf.type.id} is not an HPO term; not used"))

    def diseases(self, pp: Phenopacket) -> None:
        t = terms()
        by_uberon = region_of_uberon()
        disease_onsets: list[str] = []
        for i, disease in enumerate(pp.diseases):
            etype = _event_of(disease.term, self.tables)
            if etype is None:
                if disease.HasField("onset") and (when := from_time_element(disease.onset)):
                    disease_onsets.append(when)
                self.notes.append(InputNote(field=f"diseases[{i}]", message=(
                    f"{disease.term.id} ({disease.term.label}) is not a known cause of acquired "
                    "dystonia; its diagnosis is not used (its onset is, when no dystonia term "
                    "has one)")))
                continue
            ev: dict[str, Any] = {"type": etype}
            if disease.HasField("onset"):
                ev["when"] = from_time_element(disease.onset)
            if disease.laterality.id in t["laterality"]:
                ev["side"] = t["laterality"][disease.laterality.id]
            severity = {"HP:0012825": "mild", "HP:0012826": "moderate", "HP:0012828": "severe"}
            for stage in disease.disease_stage:
                if stage.id in severity:
                    ev["severity"] = severity[stage.id]
            if disease.primary_site.id in by_uberon:
                ev["body_site"] = by_uberon[disease.primary_site.id]
            self.events.append(ev)
        if not self.onsets and disease_onsets:
            self.onsets = disease_onsets
            self.notes.append(InputNote(field="diseases[].onset", message=(
                "no dystonia phenotype has an onset; the diagnosed disease's onset is taken as "
                "the onset of dystonia")))

    def medical_actions(self, pp: Phenopacket) -> None:
        for i, action in enumerate(pp.medical_actions):
            kind = action.WhichOneof("action")
            if kind == "procedure" and (etype := _event_of(action.procedure.code, self.tables)):
                ev: dict[str, Any] = {"type": etype}
                if action.procedure.HasField("performed"):
                    ev["when"] = from_time_element(action.procedure.performed)
                site = region_of_uberon().get(action.procedure.body_site.id)
                self.events.append({**ev, **({"body_site": site} if site else {})})
            elif kind == "treatment":
                agent = action.treatment.agent
                prefix, _, code = agent.id.partition(":")
                system = {"RXNORM": "rxnorm", "ATC": "atc"}.get(prefix.upper())
                med: dict[str, Any] = {
                    "drug": self.tables.drug(system, code, agent.label) or agent.label}
                for di in action.treatment.dose_intervals[:1]:
                    if di.interval.HasField("start"):
                        med["started"] = di.interval.start.ToDatetime(tzinfo=dt.UTC).date()
                    if di.interval.HasField("end"):
                        med["stopped"] = di.interval.end.ToDatetime(tzinfo=dt.UTC).date()
                self.meds.append(med)
            else:
                self.notes.append(InputNote(field=f"medicalActions[{i}]",
                                            message="not mapped; not used"))

    def interpretations(self, pp: Phenopacket) -> None:
        status_to_result = {v: k for k, v in GENE_STATUS.items()}
        for interp in pp.interpretations:
            if interp.id.startswith("dystonia-cds"):
                continue  # our own output, not an input fact
            for gi in interp.diagnosis.genomic_interpretations:
                result = status_to_result.get(gi.interpretation_status)
                if gi.WhichOneof("call") != "gene" or result is None:
                    self.notes.append(InputNote(field=f"interpretations[{interp.id}]", message=(
                        "genomic interpretation without a gene call and status; not used")))
                    continue
                gene = {"gene": gi.gene.symbol, "result": result}
                self.genetics.append({**gene, **({"variant": gi.gene.description}
                                                 if gi.gene.description else {})})

    def mapping(self, pp: Phenopacket) -> dict[str, Any]:
        if self.onsets:
            self.dys["onset"] = min(self.onsets, key=lambda o: (o.startswith("P"), o))
        if not self.regions:
            self.regions = [{"region": "unspecified"}]
            self.notes.append(InputNote(field="phenotypicFeatures", message=(
                "no observed dystonia term with a body region; region recorded as "
                "'unspecified' (distribution undetermined)")))
        mapping: dict[str, Any] = {"id": pp.id or None, "patient": _subject(pp),
                                   "dystonia": {"regions": self.regions, **self.dys}}
        for key, value in (("events", self.events), ("medications", self.meds),
                           ("genetics", self.genetics)):
            if value:
                mapping[key] = value
            elif key in self.asked_none:
                mapping[key] = []
        if self.scans:
            mapping["imaging"] = [self.scans[k] for k in sorted(self.scans, key=_scan_order)]
        if self.family is not None:
            mapping["family_history"] = self.family
        return mapping


def case_from_phenopacket(data: str | dict[str, Any], kb: KnowledgeBase | None = None
                          ) -> tuple[Case, list[InputNote]]:
    """Phenopacket v2 JSON (text or mapping) → (Case, input notes)."""
    kb = kb or default_knowledge()
    pp = _parse(data)
    reading = _Reading(CodeTables(kb))
    reading.features(pp)
    reading.diseases(pp)
    reading.medical_actions(pp)
    reading.interpretations(pp)
    mapping = reading.mapping(pp)
    return case_from_mapping(mapping, kb), reading.notes
