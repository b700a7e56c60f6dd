"""derive_facts builds Facts without the dataclass __init__: every field must still be set."""

from __future__ import annotations

import dataclasses

from dystonia_cds import KnowledgeBase
from dystonia_cds.engine._facts import Facts, derive_facts
from tests.conftest import make_case


def test_every_field_of_facts_is_set_and_equal_to_the_dataclass_built_copy(
        kb: KnowledgeBase) -> None:
    names = {f.name for f in dataclasses.fields(Facts)}
    for case in (make_case(kb), make_case(kb, events=None, medications=None),
                 make_case(kb, dystonia={"regions": [{"region": "neck"}], "onset": "P40Y",
                                         "features": ["tremor", "HP:0002544"]})):
        f = derive_facts(case, kb)
        assert set(f.__dict__) == names
        rebuilt = Facts(**{n: getattr(f, n) for n in names})
        assert rebuilt == f
        assert f.distribution[0] in ("focal", "segmental", "multifocal", "hemidystonia",
                                     "generalized", "undetermined")


def test_event_and_drug_facts_are_set_as_their_dataclasses_would_build_them(
        kb: KnowledgeBase) -> None:
    """_event_fact and _drug_fact build their facts without the dataclass __init__."""
    from dystonia_cds.engine._facts import DrugFact, EventFact

    case = make_case(kb, events=[{"type": "whiplash", "before_onset": "P2M"}],
                     medications=[{"drug": "haloperidol", "before_onset": "P1Y"},
                                  {"drug": "not-a-drug"}])
    f = derive_facts(case, kb)
    for fact, cls in ((f.events[0], EventFact), (f.drugs[0], DrugFact), (f.drugs[1], DrugFact)):
        names = {x.name for x in dataclasses.fields(cls)}
        assert set(fact.__dict__) == names
        assert cls(**{n: getattr(fact, n) for n in names}) == fact
