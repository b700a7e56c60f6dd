"""Who may do what in the registry: roles, principals, API tokens.

Roles are ordered: a *viewer* reads cases, a *clinician* also writes them, an *admin*
also reads the audit log and manages accounts. The command line acts as a local admin
(whoever can run it can read the database file anyway).

Why SHA-256 and not a password hash for tokens: a token is 32 random bytes from
:mod:`secrets` (256 bits), so a fast hash is not brute-forceable, and a lookup by hash
needs no per-token salt; only the hash is stored, the token is shown once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

Role = Literal["viewer", "clinician", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "clinician", "admin")
Action = Literal["read", "write", "audit", "admin"]
NEEDS: dict[Action, Role] = {"read": "viewer", "write": "clinician", "audit": "admin",
                             "admin": "admin"}
TOKEN_PREFIX = "dcr_"


@dataclass(frozen=True)
class Principal:
    """Someone acting on the registry, and from where (for the audit log)."""

    name: str
    role: Role
    origin: str

    def may(self, action: Action) -> bool:
        return ROLES.index(self.role) >= ROLES.index(NEEDS[action])


def local_admin(origin: str = "cli") -> Principal:
    import getpass

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Principal(name=f"local:{user}", role="admin", origin=origin)


def new_token() -> tuple[str, str]:
    """(token shown once, its hash stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def check_role(value: str) -> Role:
    for role in ROLES:
        if value == role:
            return role
    raise ValueError(f"unknown role {value!r}: use one of {', '.join(ROLES)}")
