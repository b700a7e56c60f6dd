"""The curated public API is what we mean it to be (httpx/gpsea style)."""

import dystonia_cds


def test_exports_are_exactly_the_curated_api() -> None:
    assert sorted(dystonia_cds.__all__) == sorted([
        "Assessment", "Case", "CaseError", "CaseFormatError", "DystoniaCdsError",
        "InputProblem", "KnowledgeBase", "KnowledgeBaseError", "Screened", "__version__",
        "assess", "assess_many", "case_to_yaml", "default_knowledge", "load_case", "load_knowledge",
    ])
    for name in dystonia_cds.__all__:
        assert hasattr(dystonia_cds, name), name


def test_load_case_and_assess_round_trip_json() -> None:
    case = dystonia_cds.load_case({"dystonia": {"regions": ["torticollis"]}})
    a = dystonia_cds.assess(case)
    text = a.to_json()
    assert '"schema": "dystonia-cds/assessment/v1"' in text
    again = dystonia_cds.Assessment.model_validate_json(text)
    assert again == a
