"""Registry errors an interface turns into a message (HTTP status, CLI line)."""

from __future__ import annotations

from dystonia_cds.registry.repository import NotFound, VersionConflict


class RegistryError(Exception):
    """Base class: a request the registry refuses, with a message safe to show."""


class Forbidden(RegistryError):
    """The principal's role does not allow the action."""


class TokenExpired(RegistryError):
    """A known token whose expiry time has passed (the message says when)."""


class Unavailable(RegistryError):
    """The registry extra is not installed or the database cannot be opened."""


__all__ = ["Forbidden", "NotFound", "RegistryError", "TokenExpired", "Unavailable",
           "VersionConflict"]
