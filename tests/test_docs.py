"""The project documents itself: every link in the README and docs/ resolves inside the
repository (a user's clone has no ../shared/DESIGN.md), and docs/design.md names the
contract's values as the models define them."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from dystonia_cds import assessment
from tests.conftest import REPO

PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_resolve_inside_the_repository(page: Path) -> None:
    for target in LINK.findall(page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a URL or an anchor
        path = (page.parent / target.split("#")[0]).resolve()
        assert path.is_relative_to(REPO), f"{page.name} links outside the clone: {target}"
        assert path.exists(), f"{page.name}: broken link {target}"


def test_readme_links_the_design_and_contracts() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/design.md)" in text and "(docs/contracts.md)" in text
    assert "DESIGN.md" not in text


def test_design_names_every_contract_value() -> None:
    text = (REPO / "docs" / "design.md").read_text(encoding="utf-8")
    for alias in (assessment.Category, assessment.Support, assessment.CheckStatus,
                  assessment.Distribution):
        for value in typing.get_args(alias):
            assert value in text, value
