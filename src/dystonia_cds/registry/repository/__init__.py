"""Every query the registry runs — nothing else in the package, the routes or the CLI
speaks SQL.

Why functions over a :class:`~sqlalchemy.Connection`: the service composes several of them
in one transaction (a new version, its assessment and the audit entry commit together or
not at all). Write transactions come from :meth:`Store.write` (``BEGIN IMMEDIATE`` on
SQLite); the version counter is advanced by a compare-and-set ``UPDATE`` so that on
PostgreSQL's READ COMMITTED two concurrent writers can never both get the same version.

The queries are kept one module per resource (``_cases``, ``_assessments``, ``_runs``,
``_accounts``, ``_audit``, ``_meta``, and ``_store`` for what they share); callers use
them through this package only — ``from dystonia_cds.registry import repository as repo``.
"""

from __future__ import annotations

from dystonia_cds.registry.repository._accounts import (
    account_id,
    accounts,
    add_account,
    add_token,
    disable_account,
    principal_for_token,
    revoke_tokens,
)
from dystonia_cds.registry.repository._assessments import (
    ASSESSMENT_COLUMNS,
    add_assessment,
    assessed_with,
    assessment_content,
    assessments,
    latest_assessments,
    lock_reassess,
)
from dystonia_cds.registry.repository._audit import add_audit, audit
from dystonia_cds.registry.repository._cases import (
    add_version,
    count_cases,
    count_versions,
    current_versions,
    get_version,
    history,
    list_cases,
)
from dystonia_cds.registry.repository._meta import get_meta, set_meta
from dystonia_cds.registry.repository._runs import (
    add_changes,
    add_run,
    finish_run,
    run_changes,
    runs,
)
from dystonia_cds.registry.repository._store import (
    AnyRow,
    NotFound,
    Store,
    VersionConflict,
    as_utc,
    iso,
    utcnow,
)

__all__ = [
    "ASSESSMENT_COLUMNS", "AnyRow", "NotFound", "Store", "VersionConflict", "account_id",
    "accounts", "add_account", "add_assessment", "add_audit", "add_changes", "add_run",
    "add_token", "add_version", "as_utc", "assessed_with", "assessment_content",
    "assessments", "audit", "count_cases", "count_versions", "current_versions",
    "disable_account", "finish_run", "get_meta", "get_version", "history", "iso",
    "latest_assessments", "list_cases", "lock_reassess", "principal_for_token",
    "revoke_tokens", "run_changes", "runs", "set_meta", "utcnow"
]
