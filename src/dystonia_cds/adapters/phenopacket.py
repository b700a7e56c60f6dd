"""GA4GH Phenopacket v2 ↔ Case (and Assessment → interpretation).

Reading (``_pp_read``): observed HPO terms of the knowledge base's regions (with HPO laterality
and UBERON body-part modifiers) become dystonia regions; other observed/excluded HPO terms
become features; the earliest region onset becomes the dystonia onset; ``diseases`` and
``medicalActions`` become events and medications; genomic interpretations become genetics;
``HP:0032316`` (Family history) with a Dystonia modifier becomes the family history.
Writing (``_pp_write``) does the reverse and adds the Assessment as an Interpretation whose
progress status is IN_PROGRESS (decision support is never a solved diagnosis). Case fields a
phenopacket cannot carry (sensory trick, sleep, imaging, event notes, ...) are listed as notes.
Terms and codes are data (``data/phenopacket_terms.yaml``, ``data/fhir_codes.yaml``).
"""

from __future__ import annotations

from dystonia_cds.adapters._pp_read import case_from_phenopacket
from dystonia_cds.adapters._pp_write import case_to_phenopacket, to_json

__all__ = ["case_from_phenopacket", "case_to_phenopacket", "to_json"]
