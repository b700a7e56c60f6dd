"""The case registry: cases as append-only versions, each assessment stored with the case,
engine and knowledge versions it came from, roles and an audit log.

SQLite in the user's data directory by default (nothing to start), any SQLAlchemy URL —
PostgreSQL in production — by ``DATABASE_URL``. Needs the ``registry`` extra.
"""

from __future__ import annotations

from dystonia_cds.registry._settings import RegistrySettings, database_url
from dystonia_cds.registry.auth import ROLES, Principal, local_admin, parse_expiry
from dystonia_cds.registry.backup import backup, restore
from dystonia_cds.registry.errors import (
    Forbidden,
    NotFound,
    RegistryError,
    TokenExpired,
    Unavailable,
    VersionConflict,
)
from dystonia_cds.registry.service import ReassessReport, Registry, Saved, StoredCase, etag

__all__ = [
    "ROLES",
    "Forbidden",
    "NotFound",
    "Principal",
    "ReassessReport",
    "Registry",
    "RegistryError",
    "RegistrySettings",
    "Saved",
    "StoredCase",
    "TokenExpired",
    "Unavailable",
    "VersionConflict",
    "backup",
    "database_url",
    "etag",
    "local_admin",
    "parse_expiry",
    "restore",
]
