"""Rules for primary dystonia (idiopathic, inherited) and degenerative/combined dystonia."""

from __future__ import annotations

from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import adult, early, onset_text, rules
from dystonia_cds.engine.axis1 import distribution
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._hpo_terms import hpo_table

_FOCAL_SITES = frozenset({"upper_face", "lower_face", "jaw", "tongue", "larynx", "neck", "arm"})


def adult_onset_focal_pattern(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    dist = distribution(f, kb)[0]
    if adult(f, kb) and dist in ("focal", "segmental") and f.regions <= _FOCAL_SITES:
        return f"Adult {onset_text(f)}, {dist} dystonia of the cranial, cervical or arm region"
    return None


def effective_sensory_trick(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """Cervical dystonia only: Patel 2014, the series behind it, studied no other region."""
    if f.case.dystonia.sensory_trick == "effective" and f.has_region("neck"):
        return "A sensory trick (geste antagoniste) relieves the cervical dystonia"
    return None


def normal_imaging(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    return "Brain imaging is normal" if f.imaging_normal is True else None


def no_recorded_exposure(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.events_known and not f.events and f.medications_known \
            and not f.possible_drug_causes:
        return "No preceding injury, brain insult or dystonia-inducing drug is recorded"
    return None


def hemidystonia_red_flag(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if distribution(f, kb)[0] == "hemidystonia":
        return "Hemidystonia, which usually has a structural cause in the opposite hemisphere"
    return None


def combined_features(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    signs = f.feature_labels(kb, "neurological_sign", "motor_pyramidal")
    if signs:
        return "Other neurological signs (combined dystonia): " + ", ".join(signs)
    return None


def motor_circuit_lesion(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    hits = sorted({les.info.label for les in f.lesions if les.info.motor_circuit})
    if hits:
        return "Imaging shows a lesion in " + ", ".join(hits)
    return None


def adult_leg_onset(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    first = f.case.dystonia.onset_region
    if adult(f, kb) and (first == "leg" or (first is None and f.regions == {"leg"})):
        return f"Adult {onset_text(f)} in a leg, unusual for idiopathic dystonia"
    return None


def early_onset(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if early(f, kb):
        return f"Early {onset_text(f)} (before adulthood)"
    return None


def early_limb_onset(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    limit = kb.parameters.dyt1_max_limb_onset_years
    first = f.case.dystonia.onset_region
    limb = first in ("arm", "leg") if first else f.has_region("arm", "leg")
    if f.onset_years is not None and f.onset_years < limit and limb:
        return f"Limb {onset_text(f)}, before {limit:.0f} years"
    return None


def early_generalized(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if early(f, kb) and distribution(f, kb)[0] == "generalized":
        return "Generalized dystonia with early onset"
    return None


def family_history_positive(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    fh = f.case.family_history
    return "A relative has dystonia" if fh and fh.dystonia is True else None


def family_history_negative(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    fh = f.case.family_history
    if fh and fh.dystonia is False:
        return "No family history of dystonia (reduced penetrance makes this weak evidence)"
    return None


def pathogenic_variant(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """A variant in a gene of a neurodegenerative disease is R-DEG-GENE's finding, not this
    one: the one variant is not counted for both hypotheses."""
    positive = _positive_genes(f)
    genes = sorted(positive - _neurodegeneration_genes(positive))
    return "Pathogenic variant reported in " + ", ".join(genes) if genes else None


def _positive_genes(f: Facts) -> set[str]:
    return {g.gene.upper() for g in f.case.genetics or [] if g.result == "positive"}


def _neurodegeneration_genes(positive: set[str]) -> set[str]:
    """The HPO annotation decides, panel or not: of the panel's genes only ATP7B (Wilson
    disease) is in the generated list, and a test keeps the others out of it."""
    if not positive:  # the HPO gene list (a 19,000-term table) is read only when needed
        return set()
    return positive & hpo_table().neurodegeneration_genes


def variant_in_neurodegeneration_gene(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """Albanese 2013 asks about inheritance and nervous-system pathology separately: a
    pathogenic variant in a gene whose disease the HPO annotates with Neurodegeneration or
    Dementia (PANK2, PLA2G6, HTT, FTL, ATP7B, VPS13A... — generated with the HPO vocabulary,
    not listed by hand), points to a degenerative disorder. Wilson disease is one although
    ATP7B is on the genetic panel (tested because it is treatable)."""
    genes = sorted(_neurodegeneration_genes(_positive_genes(f)))
    if not genes:
        return None
    return ("Pathogenic variant in a gene of a neurodegenerative disease (HPO: "
            "neurodegeneration or dementia): " + ", ".join(genes))


def adult_cranial_cervical_focal(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if adult(f, kb) and distribution(f, kb)[0] == "focal" and not f.has_region("arm", "leg"):
        return f"Adult {onset_text(f)} focal cranial or cervical dystonia"
    return None


def non_pyramidal_signs(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """Signs of a wider neurological disorder; hemiparesis and spasticity point instead to a
    focal structural lesion, so they are left out here."""
    signs = f.feature_labels(kb, "neurological_sign")
    return "Other neurological signs: " + ", ".join(signs) if signs else None


def progressive_combined(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.case.dystonia.course == "progressive" and non_pyramidal_signs(f, c, kb):
        return "Progressive course with other neurological signs"
    return None


def isolated_dystonia(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if f.features_known and not non_pyramidal_signs(f, c, kb):
        return "Isolated dystonia: no other neurological signs recorded"
    return None


_BASAL_GANGLIA = frozenset({"putamen", "caudate", "globus_pallidus", "lentiform_nucleus",
                           "basal_ganglia"})


def bilateral_basal_ganglia_without_insult(f: Facts, c: CheckSet,
                                           kb: KnowledgeBase) -> str | None:
    """Ho 1993 splits bilateral basal ganglia lesions into acute processes (hypoxia,
    hypoglycaemia, carbon monoxide poisoning, encephalitis...) and chronic, often inherited
    ones (inborn errors of metabolism, Huntington disease): with no acute insult recorded,
    the chronic reading is left. No event of any kind may be recorded, since any of them
    could be the acute insult."""
    hits = sorted({les.info.label for les in f.lesions
                   if les.lesion.structure in _BASAL_GANGLIA and les.lesion.side == "bilateral"})
    if hits and not f.events:
        return ("Bilateral lesions of the " + ", ".join(hits)
                + " with no acute insult (injury, stroke, hypoxia, poisoning) recorded")
    return None


def diurnal_fluctuation(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    if "diurnal" in (f.case.dystonia.variability or []):
        return "The dystonia fluctuates through the day (worse as the day goes on)"
    return None


def functional_signs(f: Facts, c: CheckSet, kb: KnowledgeBase) -> str | None:
    """Espay 2018: functional disorders are diagnosed by signs specific to them, which an
    idiopathic (organic) dystonia does not show."""
    signs = f.feature_labels(kb, "functional_sign")
    return "Signs specific to a functional disorder: " + ", ".join(signs) if signs else None


RULES = rules(
    ("R-IDIO-ADULT-FOCAL", adult_onset_focal_pattern),
    ("R-IDIO-TRICK", effective_sensory_trick),
    ("R-IDIO-NORMAL-IMAGING", normal_imaging),
    ("R-IDIO-NO-EXPOSURE", no_recorded_exposure),
    ("R-IDIO-HEMI", hemidystonia_red_flag),
    ("R-IDIO-COMBINED", combined_features),
    ("R-IDIO-LESION", motor_circuit_lesion),
    ("R-IDIO-ADULT-LEG", adult_leg_onset),
    ("R-IDIO-EARLY", early_onset),
    ("R-IDIO-FN-SIGNS", functional_signs),
    ("R-INH-EARLY", early_onset),
    ("R-INH-LIMB-ONSET", early_limb_onset),
    ("R-INH-GENERALIZED", early_generalized),
    ("R-INH-FAMILY", family_history_positive),
    ("R-INH-NO-FAMILY", family_history_negative),
    ("R-INH-GENE", pathogenic_variant),
    ("R-DEG-GENE", variant_in_neurodegeneration_gene),
    ("R-INH-DIURNAL", diurnal_fluctuation),
    ("R-INH-ADULT-FOCAL", adult_cranial_cervical_focal),
    ("R-INH-LESION", motor_circuit_lesion),
    ("R-DEG-PROGRESSIVE-COMBINED", progressive_combined),
    ("R-DEG-COMBINED", non_pyramidal_signs),
    ("R-DEG-ISOLATED", isolated_dystonia),
    ("R-DEG-BILATERAL-BG", bilateral_basal_ganglia_without_insult),
)
