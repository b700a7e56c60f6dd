"""docs/contracts.md is what the models' JSON Schemas give (regenerate it when they change)."""

from __future__ import annotations

from tests.conftest import REPO

from dystonia_cds import Assessment, Case
from dystonia_cds.render.contract_docs import contract_markdown


def test_contract_page_is_up_to_date() -> None:
    generated = contract_markdown({"Case (input, dystonia-cds/case/v1)": Case,
                                   "Assessment (output, dystonia-cds/assessment/v1)":
                                   Assessment})
    shipped = (REPO / "docs" / "contracts.md").read_text(encoding="utf-8")
    assert shipped == generated, "run: dystonia-cds schema --markdown > docs/contracts.md"


def test_contract_page_documents_the_evidence_model_fields() -> None:
    text = (REPO / "docs" / "contracts.md").read_text(encoding="utf-8")
    for field in ("likelihood_ratio", "lr_basis", "probability", "pretest_probability"):
        assert f"`{field}`" in text
