"""The full reports behind CDS Hooks card links: short-lived, single-patient, unguessable.

Why a store of its own: a card link is a bearer secret — whoever holds the URL reads the
report, and the URL passes through the EHR, the clinician's browser and (unless redacted,
see ``_headers.RedactReportLinks``) the access log. So each link

- names one report with a fresh ``secrets.token_urlsafe(32)`` key (256 random bits; keys are
  never derived from the patient, the hook instance or a counter, and never reused);
- works for :data:`REPORT_SECONDS` and is forgotten after (expired entries are dropped on
  every access, and at most :data:`MAX_REPORTS` are kept);
- is bound to the ``context.patientId`` of the hook call that made it: the report holds only
  that patient's record (:func:`other_patients` refuses a prefetch naming anyone else), and
  a request that says which patient it is for (``?patientId=``, as an EHR launching the link
  in a chart may) gets the report only for that patient — a 404 otherwise, the same answer
  as for an unknown key, so the two cannot be told apart.

Kept in process memory: with several workers a link opens only on the worker that made it
(uvicorn balances connections, not links), so run the CDS Hooks service with one worker.
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from collections import OrderedDict
from typing import Any

from dystonia_cds import Assessment

REPORT_SECONDS = 15 * 60
"""How long a card's report link works: long enough to click, short enough to leak little."""
MAX_REPORTS = 1000
"""Most reports kept at once (the oldest go first)."""
KEY_BYTES = 32
"""Random bytes in a report key (``token_urlsafe``: 43 characters)."""


class ReportStore:
    """Assessments by random key, each bound to one patient id, each for a short while."""

    def __init__(self, seconds: float = REPORT_SECONDS, limit: int = MAX_REPORTS) -> None:
        self.seconds = seconds
        self.limit = limit
        self._items: OrderedDict[str, tuple[float, str, Assessment]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, patient_id: str, assessment: Assessment) -> str:
        """Keep ``assessment`` for ``patient_id``; return its new unguessable key."""
        key = secrets.token_urlsafe(KEY_BYTES)
        with self._lock:
            now = time.monotonic()
            self._purge(now)
            self._items[key] = (now + self.seconds, patient_id, assessment)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
        return key

    def get(self, key: str, patient_id: str | None = None) -> Assessment | None:
        """The report for ``key`` while it lives, and only for its own patient when the
        caller names one; None otherwise (unknown, expired and wrong patient alike)."""
        with self._lock:
            self._purge(time.monotonic())
            entry = self._items.get(key)
        if entry is None:
            return None
        _, bound, assessment = entry
        if patient_id is not None and not hmac.compare_digest(
                patient_id.encode("utf-8", "surrogatepass"), bound.encode("utf-8")):
            return None
        return assessment

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def _purge(self, now: float) -> None:
        while self._items and next(iter(self._items.values()))[0] <= now:
            self._items.popitem(last=False)


def _referenced_patient(ref: Any) -> str | None:
    """The id in a ``{"reference": "Patient/<id>"}`` (relative or absolute URL), else None."""
    if not isinstance(ref, dict) or not isinstance(ref.get("reference"), str):
        return None
    parts: list[str] = str(ref["reference"]).split("?", 1)[0].rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] == "Patient":
        return parts[-1]
    if len(parts) >= 4 and parts[-4] == "Patient" and parts[-2] == "_history":
        return parts[-3]
    return None


def other_patients(resources: list[dict[str, Any]], patient_id: str) -> list[str]:
    """The ids of patients other than ``patient_id`` that ``resources`` belong to.

    A Patient resource counts by its ``id``, any other resource by its ``subject`` or
    ``patient`` reference. A report is made only from a record in which this list is empty.
    """
    others: set[str] = set()
    for res in resources:
        if res.get("resourceType") == "Patient":
            ids = [res.get("id")] if res.get("id") is not None else []
        else:
            ids = [_referenced_patient(res.get(f)) for f in ("subject", "patient")]
        others.update(str(i) for i in ids if i is not None and str(i) != patient_id)
    return sorted(others)
