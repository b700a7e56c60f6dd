"""Who may do what in the registry: roles, principals, API tokens.

Roles are ordered: a *viewer* reads cases, a *clinician* also writes them, an *admin*
also reads the audit log and manages accounts. The command line acts as a local admin
(whoever can run it can read the database file anyway).

Why SHA-256 and not a password hash for tokens: a token is 32 random bytes from
:mod:`secrets` (256 bits), so a fast hash is not brute-forceable, and a lookup by hash
needs no per-token salt; only the hash is stored, the token is shown once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Literal

Role = Literal["viewer", "clinician", "admin"]
ROLES: tuple[Role, ...] = ("viewer", "clinician", "admin")
Action = Literal["read", "write", "audit", "admin"]
NEEDS: dict[Action, Role] = {"read": "viewer", "write": "clinician", "audit": "admin",
                             "admin": "admin"}
TOKEN_PREFIX = "dcr_"
DEFAULT_TOKEN_DAYS = 90  # a quarter: long enough for a clinic's routine, short enough to age out
_SPAN = re.compile(r"(\d{1,5})([hdw])")
_UNIT = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}
_MAX = dt.timedelta(days=3660)
EXPIRY_FORMS = "a span (12h, 30d, 8w), a date (2027-03-01, midnight UTC) or 'never'"


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


def parse_expiry(text: str | None, now: dt.datetime,
                 default_days: int | None) -> dt.datetime | None:
    """When a new token stops working: ``text`` as given to ``--expires`` (None: the
    deployment's default lifetime; 'never': no expiry). Raises ValueError naming the forms."""
    if text is None:
        return None if default_days is None else now + dt.timedelta(days=default_days)
    value = text.strip().lower()
    if value == "never":
        return None
    span = _SPAN.fullmatch(value)
    if span:
        when = now + int(span[1]) * _UNIT[span[2]]
    else:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"expiry {text!r} not understood: use {EXPIRY_FORMS}") from None
        when = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    if when <= now:
        raise ValueError(f"expiry {text!r} is not in the future")
    if when - now > _MAX:
        raise ValueError(f"expiry {text!r} is more than 10 years away: use 'never' if meant")
    return when


def check_role(value: str) -> Role:
    for role in ROLES:
        if value == role:
            return role
    raise ValueError(f"unknown role {value!r}: use one of {', '.join(ROLES)}")
