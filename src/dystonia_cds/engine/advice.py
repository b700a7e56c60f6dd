"""Work-up, referral and treatment information matched to the cause, the region and the onset.

Why matching matters: advice written for one cause is wrong for another. An injection that
ends an acute drug reaction within minutes is not the treatment of tardive dystonia; "response
to botulinum toxin was disappointing" (a review of peripherally induced disorders, mostly
fixed dystonia) must not stand beside blepharospasm, where the toxin is the usual treatment;
a guideline on *primary* dystonia does not speak for dystonia after a stroke. So each item
is shown only for the causes, regions and onsets its source is about.

Which causes count (``_causes``): the leading hypotheses that are at least weakly supported,
with two corrections. A cause tied to an exposure needs that exposure recorded (``_recorded``):
advice to review a drug nobody takes, or on dystonia after a brain lesion in a child with no
recorded insult, is noise that hides the advice that fits. Acute and tardive drug-induced
dystonia exclude each other for one exposure, so only the better-ranked of the two is kept:
their treatments differ, and showing both would put the acute-reaction injection beside a
tardive dystonia that began years into treatment. While an acute drug reaction leads, only
its own items are shown: it is transient (Burke 1982), so the treatments of chronic dystonia
(botulinum toxin, oral drugs, DBS) do not apply.

When each recommendation applies (the texts and sources are in recommendations.yaml):
- REC-MRI: a central cause or red flag is at least weakly supported and no imaging exists.
- REC-DRUG-REVIEW-ACUTE / REC-DRB-CAUTION: acute drug-induced dystonia is the drug cause.
- REC-DRUG-REVIEW: tardive drug-induced dystonia is the drug cause.
- REC-DRD: early onset with diurnal variation and a primary cause among the leading ones: the
  levodopa trial first, GCH1 in the genetic testing (replaces REC-LEVODOPA).
- REC-LEVODOPA: early onset and a primary cause among the leading hypotheses.
- REC-GENETIC (DYT1), REC-GENETIC-DYT6, REC-GENETIC-DYT11: a primary cause counts and that
  EFNS 2011 criterion holds (``_genetic``); REC-GENETIC-COUNSEL: the inherited cause counts
  and none of the criteria holds.
- REC-FUNCTIONAL: functional dystonia is at least weakly supported.
- REC-CAUSAL-CRITERIA: peripheral post-traumatic dystonia is among the leading hypotheses.
- REC-PT-ACUTE-NECK: the same, with neck dystonia beginning within 4 weeks of a neck injury
  (Tarsy 1998's acute-onset group); with it REC-PT-CSPINE-IMAGING, imaging of the cervical
  spine for atlanto-axial rotatory fixation (Chiapparini 2005).
- REC-SPECIALIST: always.
The levodopa trial comes before genetic testing: EFNS 2011 warrants it in every patient with
early-onset primary dystonia, and a dopa-responsive pattern should not wait for a gene panel.

Treatments (treatments.yaml) carry their conditions as data in ``when``; see ``_WHEN_KEYS``
(``_treatment_when`` holds them as sets and chooses the treatments whose conditions hold).
"""

from __future__ import annotations

from collections.abc import Sequence

from dystonia_cds.assessment import Etiology, Recommendation, TreatmentOption
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import early
from dystonia_cds.engine._treatment_when import build_when, choose
from dystonia_cds.knowledge import KnowledgeBase

_CENTRAL = {"acquired_central_traumatic", "acquired_central_vascular", "acquired_perinatal",
            "acquired_other_structural", "degenerative"}
_CENTRAL_ACQUIRED = frozenset(_CENTRAL - {"degenerative"})
_PRIMARY = {"idiopathic", "inherited"}
_DRUG = ("drug_induced_acute", "drug_induced_tardive")
_LEADING = 3
# Tarsy 1998: acute-onset post-traumatic cervical dystonia began "within 4 weeks" of trauma.
_ACUTE_NECK_DAYS = 28

# The conditions a treatment's `when` may state; all stated ones must hold.
#   distribution: the Axis I distribution is one of these
#   region: the dystonia involves any of these regions
#   hypothesis: any of these causes counts (see _causes)
#   onset: early | adult | unknown, and a primary cause counts (the guidelines cited for
#          onset-based treatment are guidelines on primary dystonia)
#   unless_only_region: skipped when every dystonic region is among these
_WHEN_KEYS = frozenset({"distribution", "region", "hypothesis", "onset", "unless_only_region"})


def _leading(et: Etiology) -> list[str]:
    """The leading hypotheses that are at least weakly supported, best first."""
    return leading_causes([h.category for h in et.hypotheses],
                          [h.support for h in et.hypotheses])


def leading_causes(ranking: Sequence[str], support: Sequence[str]) -> list[str]:
    """:func:`_leading` from a ranking and its support levels (the batch path has no
    Etiology object)."""
    return [c for c, s in zip(ranking[:_LEADING], support[:_LEADING], strict=True)
            if s != "unsupported"]


def _recorded(f: Facts, cause: str) -> bool:
    """Whether the Case records the exposure a cause-specific item is about: a medicine for
    a drug cause, an event (or, for a central cause, a lesion on imaging) for an acquired
    one. Causes without an exposure (primary, degenerative, functional) always count."""
    if cause in _DRUG:
        return bool(f.possible_drug_causes)
    if cause in _CENTRAL_ACQUIRED:
        return bool(f.events_of(cause) or f.lesions)
    if cause == "acquired_peripheral_trauma":
        return bool(f.events_of(cause))
    return True


def _causes(f: Facts, et: Etiology | list[str]) -> list[str]:
    """The causes advice is matched to, best first (see the module docstring); ``et`` may be
    the leading causes themselves (:func:`leading_causes`)."""
    out = []
    drug = False  # only the better-ranked of the two drug causes is kept
    for c in et if isinstance(et, list) else _leading(et):
        if c in _DRUG:
            if drug or not _recorded(f, c):
                continue
            drug = True
        elif not _recorded(f, c):
            continue
        out.append(c)
    return out


def _diurnal(f: Facts) -> bool:
    """Worse as the day goes on: the Case's variability, or a feature named for it."""
    return ("diurnal" in (f.case.dystonia.variability or [])
            or (bool(f.features) and any("diurnal" in x for x in f.features)))


def _acute_neck_injury(f: Facts) -> bool:
    """Neck dystonia that began within 4 weeks of an injury involving the neck."""
    return f.has_region("neck") and any(
        "neck" in e.body_sites and e.latency_days is not None
        and 0 <= e.latency_days <= _ACUTE_NECK_DAYS
        for e in f.events_of("acquired_peripheral_trauma"))


def _cranio_cervical(kb: KnowledgeBase) -> frozenset[str]:
    """The neck and the cranial regions (EFNS 2011's cranial or cervical onset)."""
    return frozenset(r for r, info in kb.regions.items() if r == "neck" or info.cranial)


def _genetic(f: Facts, lead: set[str], kb: KnowledgeBase,
             cranio: frozenset[str] | None = None) -> list[str]:
    """The EFNS 2011 testing criteria that hold, one item each (they are criteria for
    *primary* dystonia, so a primary cause must count). A gene already tested is not asked
    for again. "Limb onset" is the recorded onset region, or a limb among the regions when
    the onset region is not recorded; "familial" is a relative with dystonia (the Case does
    not record the relative's onset age, so the DYT1 item quotes the criterion in full)."""
    if not lead & _PRIMARY:
        return []
    onset = f.onset_years
    familial = bool(f.case.family_history and f.case.family_history.dystonia)
    first = f.case.dystonia.onset_region
    limb_onset = first in ("arm", "leg") if first else f.has_region("arm", "leg")
    cranio_cervical = not f.regions.isdisjoint(
        _tables(kb).cranio if cranio is None else cranio)
    genetics = f.case.genetics
    tested = {g.gene.upper() for g in genetics} if genetics else set()
    dyt1_excluded = bool(genetics) and any(
        g.gene.upper() == "TOR1A" and g.result == "negative" for g in genetics or [])
    ids = []
    if "TOR1A" not in tested and (familial or (
            limb_onset and onset is not None
            and onset < kb.parameters.dyt1_max_limb_onset_years)):
        ids.append("REC-GENETIC")
    if "THAP1" not in tested and (
            ((early(f, kb) or familial) and cranio_cervical) or dyt1_excluded):
        ids.append("REC-GENETIC-DYT6")
    if "SGCE" not in tested and early(f, kb) and "myoclonus" in f.features:
        ids.append("REC-GENETIC-DYT11")
    if not ids and "inherited" in lead:
        ids.append("REC-GENETIC-COUNSEL")
    return ids


def recommendations(f: Facts, et: Etiology, distribution: str,
                    kb: KnowledgeBase) -> list[Recommendation]:
    """The work-up and referral items that apply, in the order a clinician would act."""
    leading = _leading(et)
    return _recommendations(f, leading, _causes(f, leading), distribution, kb)


def advise(f: Facts, et: Etiology | list[str], distribution: str, kb: KnowledgeBase,
           tables: _Tables | None = None
           ) -> tuple[list[Recommendation], list[TreatmentOption]]:
    """:func:`recommendations` and :func:`treatments` of one Case, the leading causes and the
    causes matched found once for both; ``et`` may be the leading causes themselves
    (:func:`leading_causes` of its hypotheses). ``tables`` is :func:`advice_tables`'s, when
    at hand."""
    leading = et if isinstance(et, list) else _leading(et)
    causes = _causes(f, leading)
    if tables is None:
        tables = _tables(kb)
    return (_recommendations(f, leading, causes, distribution, kb, tables),
            _treatments(f, causes, distribution, kb, tables))


def _build_recs(kb: KnowledgeBase) -> dict[str, tuple[str, str, str, str, tuple[str, ...]]]:
    return {rid: (r.id, r.kind, r.text, r.plain_text, tuple(r.references))
            for rid, r in kb.recommendations.items()}


def _recommendations(f: Facts, leading: list[str], causes: list[str], distribution: str,
                     kb: KnowledgeBase, tables: _Tables | None = None
                     ) -> list[Recommendation]:
    tables = tables or _tables(kb)
    parts = tables.recs
    out = []
    for rid in _recommendation_ids(f, leading, set(causes), distribution, kb, tables.cranio):
        id_, kind, text, plain, refs = parts[rid]
        out.append(Recommendation(id=id_, kind=kind, text=text, plain_text=plain,
                                  reference_ids=list(refs)))
    return out


def recommendation_ids(f: Facts, leading: list[str], distribution: str,
                       kb: KnowledgeBase) -> list[str]:
    """The ids of :func:`recommendations`, from the leading causes (:func:`leading_causes`)."""
    return _recommendation_ids(f, leading, set(_causes(f, leading)), distribution, kb)


def _recommendation_ids(f: Facts, leading: list[str], lead: set[str], distribution: str,
                        kb: KnowledgeBase, cranio: frozenset[str] | None = None) -> list[str]:
    ids: list[str] = []
    # Imaging is asked for precisely when no lesion or insult is recorded yet, so it follows
    # the leading hypotheses themselves, not the recorded exposures.
    if not f.imaging_recorded and (set(leading) & _CENTRAL
                                   or distribution == "hemidystonia"):
        ids.append("REC-MRI")
    if "drug_induced_acute" in lead:
        ids += ["REC-DRUG-REVIEW-ACUTE", "REC-DRB-CAUTION"]
    if "drug_induced_tardive" in lead:
        ids.append("REC-DRUG-REVIEW")
    if early(f, kb) and lead & _PRIMARY:
        ids.append("REC-DRD" if _diurnal(f) else "REC-LEVODOPA")
    ids += _genetic(f, lead, kb, cranio)
    if "functional" in lead:
        ids.append("REC-FUNCTIONAL")
    if "acquired_peripheral_trauma" in lead:
        ids.append("REC-CAUSAL-CRITERIA")
        if _acute_neck_injury(f):
            ids += ["REC-PT-ACUTE-NECK", "REC-PT-CSPINE-IMAGING"]
    ids.append("REC-SPECIALIST")
    return ids


def treatments(f: Facts, et: Etiology, distribution: str,
               kb: KnowledgeBase) -> list[TreatmentOption]:
    """The treatment information whose `when` holds, in the knowledge base's order, except
    that the levodopa trial comes first in a dopa-responsive pattern (see REC-DRD), and only
    the acute-reaction items while an acute drug reaction leads."""
    return _treatments(f, _causes(f, et), distribution, kb)


class _Tables:
    """Per knowledge base (``KnowledgeBase.derived``, one look-up per Case): the treatments'
    conditions as sets (``_treatment_when.When``), and the treatments that hold for each combination of
    what they read (the key in :func:`_treatments`), kept as they are met — a cohort repeats
    a few dozen combinations; each recommendation's and treatment's output parts; the
    cranial and cervical regions. Holds no function, so a knowledge base keeping it can
    still be pickled."""

    __slots__ = ("chosen", "cranio", "parts", "recs", "when")
    _LIMIT = 4096  # combinations kept; beyond, the table starts again

    def __init__(self, kb: KnowledgeBase) -> None:
        self.when = build_when(kb)
        self.parts = tuple((t.id, t.option, t.detail, t.plain_detail, tuple(t.references))
                           for t in kb.treatments)
        self.chosen: dict[tuple[object, ...], tuple[int, ...]] = {}
        self.recs = _build_recs(kb)
        self.cranio = _cranio_cervical(kb)


def _tables(kb: KnowledgeBase) -> _Tables:
    return kb.derived("engine.advice", _Tables)


advice_tables = _tables  # the tables advise() reads, for a caller that keeps them at hand


def _treatments(f: Facts, causes: list[str], distribution: str,
                kb: KnowledgeBase, tables: _Tables | None = None) -> list[TreatmentOption]:
    table = tables or _tables(kb)
    # An acute drug reaction is transient (Burke 1982) and ends with the anticholinergic
    # (van Harten 1999): the treatments of chronic dystonia (botulinum toxin, oral drugs,
    # DBS) do not apply while it is the leading cause.
    acute = bool(causes) and causes[0] == "drug_induced_acute"
    is_early = early(f, kb)
    onset = "early" if is_early else ("adult" if f.onset_years is not None else "unknown")
    lead = frozenset(causes)
    primary_lead = not lead.isdisjoint(_PRIMARY)
    levodopa_first = is_early and primary_lead and _diurnal(f)
    # everything the choice below reads: the chosen treatments are a function of it
    key = (acute, distribution, f.regions, lead, onset, levodopa_first)
    chosen = table.chosen.get(key)
    if chosen is None:
        chosen = choose(table.when, acute, distribution, f.regions, lead, onset,
                         primary_lead, levodopa_first)
        if len(table.chosen) >= _Tables._LIMIT:
            table.chosen.clear()
        table.chosen[key] = chosen
    parts = table.parts
    out = []
    for i in chosen:
        id_, option, detail, plain, refs = parts[i]
        out.append(TreatmentOption(id=id_, option=option, detail=detail, plain_detail=plain,
                                   reference_ids=list(refs)))
    return out
