"""The input boundary as the interfaces use it: a user's bytes → a checked Case → an Assessment.

Why a public module: the CLI, the HTTP API, the web form and CDS Hooks all read input the
same way — parse JSON or YAML under the same size and depth limits, map the words people
type to the Case's vocabulary with every problem collected, check the case is plausible, and
assess it (with lesion masks and the HPO differential where asked). That work lives in the
package's private modules (``_case_io``, ``_input_safety``, ``_pipeline``), which may change
shape; an interface imports it from here, so data flows one way (adapters → Case → engine →
Assessment → interfaces) and no interface reaches into an adapter's private module.
"""

from __future__ import annotations

from dystonia_cds._case_io import case_from_mapping, case_to_yaml, load_case, read_mapping
from dystonia_cds._input_safety import MAX_INT_DIGITS, MAX_STRING_CHARS, check_tree, parse_json
from dystonia_cds._pipeline import (
    assess_input,
    assess_prepared,
    case_from_data,
    check_plausible,
    optional_hpo,
    without_masks,
)

__all__ = [
    "MAX_INT_DIGITS",
    "MAX_STRING_CHARS",
    "assess_input",
    "assess_prepared",
    "case_from_data",
    "case_from_mapping",
    "case_to_yaml",
    "check_plausible",
    "check_tree",
    "load_case",
    "optional_hpo",
    "parse_json",
    "read_mapping",
    "without_masks",
]
