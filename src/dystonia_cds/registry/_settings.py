"""Where the registry lives and what a deployment allows, read from the environment.

Why environment variables and no config file: ``dystonia-cds serve`` must work with nothing
to set up (SQLite in the user's data directory), and a production deployment sets one
variable (``DATABASE_URL``) the way every twelve-factor service does.

- ``DATABASE_URL``: any SQLAlchemy URL (``postgresql://…``, ``sqlite:///path``); default:
  ``registry.db`` in the user data directory (``DYSTONIA_CDS_DATA_DIR`` overrides it).
- ``DYSTONIA_CDS_REGISTRY_NOTES=off``: free-text notes (event, medication and family-history
  notes) are not stored; each one removed is reported back to the writer, never dropped
  silently.
- ``DYSTONIA_CDS_TOKEN_DAYS``: how many days a new API token works (default 90; ``never``
  for none); ``registry account|token --expires`` sets it per token.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dystonia_cds.registry.auth import DEFAULT_TOKEN_DAYS

APP_NAME = "dystonia-cds"


def data_dir() -> Path:
    """The user data directory (created on first use)."""
    override = os.environ.get("DYSTONIA_CDS_DATA_DIR")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def normalise_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` URLs use psycopg 3 (the driver this extra ships)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return normalise_url(url)
    return f"sqlite:///{data_dir() / 'registry.db'}"


@dataclass(frozen=True)
class RegistrySettings:
    """What this deployment stores."""

    url: str
    notes_allowed: bool = True
    token_days: int | None = DEFAULT_TOKEN_DAYS  # lifetime of a new API token; None: none

    @classmethod
    def from_env(cls, url: str | None = None) -> RegistrySettings:
        notes = os.environ.get("DYSTONIA_CDS_REGISTRY_NOTES", "on").strip().lower()
        return cls(url=normalise_url(url) if url else database_url(),
                   notes_allowed=notes not in {"off", "0", "false", "no"},
                   token_days=token_days())


def token_days() -> int | None:
    """``DYSTONIA_CDS_TOKEN_DAYS``: days a new token lasts (default 90), or 'never'."""
    raw = os.environ.get("DYSTONIA_CDS_TOKEN_DAYS", "").strip().lower()
    if not raw:
        return DEFAULT_TOKEN_DAYS
    if raw == "never":
        return None
    if raw.isdigit() and 1 <= int(raw) <= 3660:
        return int(raw)
    raise ValueError(f"DYSTONIA_CDS_TOKEN_DAYS={raw!r}: use a number of days from 1 to "
                     "3660, or 'never'")
