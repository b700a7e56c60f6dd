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

Where they are kept: in the app's memory by default (:class:`MemoryReports`, one process),
or, when ``DYSTONIA_CDS_HOOKS_REPORT_DB`` (else ``_REPLAY_DB``) names an SQLite file, in
that file (:class:`SqliteReports`) — why: uvicorn balances connections, not links, so with
several workers a link made by one worker must open on any other. ``serve --workers N``
provides a private file when none is configured. The file holds each report (its JSON) for
its 15 minutes only: expired rows are deleted on every access, with ``secure_delete`` so the
deleted pages are overwritten; it is created readable by its owner only.
"""

from __future__ import annotations

import hmac
import os
import secrets
import sqlite3
import threading
import time
from collections import OrderedDict
from typing import Any, Protocol

from dystonia_cds import Assessment

REPORT_SECONDS = 15 * 60
"""How long a card's report link works: long enough to click, short enough to leak little."""
MAX_REPORTS = 1000
"""Most reports kept at once (the oldest go first)."""
KEY_BYTES = 32
"""Random bytes in a report key (``token_urlsafe``: 43 characters)."""


def _now() -> float:
    """Wall-clock seconds: the one clock every process sharing a report file agrees on."""
    return time.time()


def _id_bytes(patient_id: str) -> bytes:
    """A patient id as bytes (a JSON body may hold a lone surrogate: kept, never a 500)."""
    return patient_id.encode("utf-8", "surrogatepass")


def _same_patient(asked: str | None, bound: bytes) -> bool:
    return asked is None or hmac.compare_digest(_id_bytes(asked), bound)


def _is_key(key: str) -> bool:
    """Could ``key`` be one of ours (``token_urlsafe`` text)? Anything else is unknown."""
    return len(key) <= 2 * KEY_BYTES and key.isascii() and key.replace("-", "").replace(
        "_", "").isalnum()


class ReportStore(Protocol):
    """Assessments by random key, each bound to one patient id, each for a short while."""

    seconds: float
    limit: int

    def put(self, patient_id: str, assessment: Assessment) -> str:
        """Keep ``assessment`` for ``patient_id``; return its new unguessable key."""

    def get(self, key: str, patient_id: str | None = None) -> Assessment | None:
        """The report for ``key`` while it lives, and only for its own patient when the
        caller names one; None otherwise (unknown, expired and wrong patient alike)."""

    def __len__(self) -> int:
        """Reports kept now (expired ones dropped first)."""


class MemoryReports:
    """A :class:`ReportStore` in this process's memory (one worker)."""

    def __init__(self, seconds: float = REPORT_SECONDS, limit: int = MAX_REPORTS) -> None:
        self.seconds = seconds
        self.limit = limit
        self._items: OrderedDict[str, tuple[float, bytes, Assessment]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, patient_id: str, assessment: Assessment) -> str:
        key = secrets.token_urlsafe(KEY_BYTES)
        with self._lock:
            now = _now()
            self._purge(now)
            self._items[key] = (now + self.seconds, _id_bytes(patient_id), assessment)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)
        return key

    def get(self, key: str, patient_id: str | None = None) -> Assessment | None:
        with self._lock:
            self._purge(_now())
            entry = self._items.get(key)
        if entry is None or not _same_patient(patient_id, entry[1]):
            return None
        return entry[2]

    def __len__(self) -> int:
        with self._lock:
            self._purge(_now())
            return len(self._items)

    def _purge(self, now: float) -> None:
        while self._items and next(iter(self._items.values()))[0] <= now:
            self._items.popitem(last=False)


class SqliteReports:
    """A :class:`ReportStore` in one SQLite file shared by every worker process.

    Each call opens its own connection (a worker's threads and processes never share one);
    a write is one transaction, so two workers cannot both trim the store to its limit
    wrongly. The Assessment is kept as its contract JSON and read back with the model.
    """

    def __init__(self, path: str, seconds: float = REPORT_SECONDS,
                 limit: int = MAX_REPORTS) -> None:
        self.path = path
        self.seconds = seconds
        self.limit = limit
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))  # owner-only from the start
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS cds_report (n INTEGER PRIMARY KEY "
                       "AUTOINCREMENT, key TEXT UNIQUE NOT NULL, patient BLOB NOT NULL, "
                       "expires REAL NOT NULL, assessment TEXT NOT NULL)")

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=10.0, isolation_level=None)
        db.execute("PRAGMA secure_delete = ON")
        return db

    def _purge(self, db: sqlite3.Connection, now: float) -> None:
        db.execute("DELETE FROM cds_report WHERE expires <= ?", (now,))

    def put(self, patient_id: str, assessment: Assessment) -> str:
        key = secrets.token_urlsafe(KEY_BYTES)
        text = assessment.to_json()
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            now = _now()
            self._purge(db, now)
            db.execute("INSERT INTO cds_report (key, patient, expires, assessment) "
                       "VALUES (?, ?, ?, ?)", (key, _id_bytes(patient_id), now + self.seconds,
                                                  text))
            db.execute("DELETE FROM cds_report WHERE n NOT IN (SELECT n FROM cds_report "
                       "ORDER BY n DESC LIMIT ?)", (self.limit,))
            db.execute("COMMIT")
        finally:
            db.close()
        return key

    def get(self, key: str, patient_id: str | None = None) -> Assessment | None:
        db = self._connect()
        try:
            self._purge(db, _now())
            row = db.execute("SELECT patient, assessment FROM cds_report WHERE key = ?",
                             (key,)).fetchone() if _is_key(key) else None
        finally:
            db.close()
        if row is None or not _same_patient(patient_id, row[0]):
            return None
        return Assessment.model_validate_json(row[1])

    def __len__(self) -> int:
        db = self._connect()
        try:
            self._purge(db, _now())
            count: int = db.execute("SELECT count(*) FROM cds_report").fetchone()[0]
            return count
        finally:
            db.close()


_state_lock = threading.Lock()


def report_store(state: Any, path: str | None) -> ReportStore:
    """The store of an app (``state``: the app's ``state``, where it is kept): the SQLite
    file at ``path`` when one is configured, else the app's own memory. Each app holds its
    own store object, so two apps share reports only through a file — as two worker
    processes do."""
    with _state_lock:
        store = getattr(state, "cds_reports", None)
        if path:
            if not (isinstance(store, SqliteReports) and store.path == path):
                store = state.cds_reports = SqliteReports(path)
            return store
        if not isinstance(store, MemoryReports):
            store = state.cds_reports = MemoryReports()
        return store


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
