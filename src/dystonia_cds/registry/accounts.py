"""Accounts, API tokens and the audit log of the registry (a part of :class:`Registry`).

Why a mixin: the registry is one object for its callers; its account and audit operations
live here to keep each module small. Like every registry operation they check the
principal's role first.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from dystonia_cds.registry import repository as repo
from dystonia_cds.registry.auth import (
    Action,
    Principal,
    check_role,
    hash_token,
    new_token,
    parse_expiry,
)
from dystonia_cds.registry.errors import Forbidden, TokenExpired

if TYPE_CHECKING:
    from dystonia_cds.registry._settings import RegistrySettings


def _until(expires: dt.datetime | None) -> str:
    return f"expires {repo.iso(expires)}" if expires else "never expires"


class AccountsMixin:
    store: repo.Store
    settings: RegistrySettings

    def add_account(self, who: Principal, name: str, role: str,
                    expires: str | None = None) -> str:
        """Create an account and return its first API token (shown once, stored hashed).

        ``expires``: as :func:`parse_expiry` reads it; None gives the deployment's default
        lifetime (``DYSTONIA_CDS_TOKEN_DAYS``, 90 days)."""
        self._require(who, "admin")
        checked = check_role(role)
        token, hashed = new_token()
        now = repo.utcnow()
        until = parse_expiry(expires, now, self.settings.token_days)
        with self.store.write() as conn:
            if repo.account_id(conn, name) is not None:
                raise ValueError(f"an account named {name!r} exists; use `token` for a new "
                                 "token")
            aid = repo.add_account(conn, name, checked, now)
            repo.add_token(conn, aid, hashed, token[:12], now, until)
            repo.add_audit(conn, who.name, "account-add", who.origin, now,
                           detail=f"{name} as {checked}; token {_until(until)}")
        return token

    def new_token(self, who: Principal, name: str, revoke_others: bool = False,
                  expires: str | None = None) -> str:
        self._require(who, "admin")
        token, hashed = new_token()
        now = repo.utcnow()
        until = parse_expiry(expires, now, self.settings.token_days)
        with self.store.write() as conn:
            aid = repo.account_id(conn, name)
            if aid is None:
                raise ValueError(f"no account named {name!r}")
            if revoke_others:
                repo.revoke_tokens(conn, aid, now)
            repo.add_token(conn, aid, hashed, token[:12], now, until)
            repo.add_audit(conn, who.name, "token-add", who.origin, now,
                           detail=f"{name}; {_until(until)}")
        return token

    def token_expiry(self, token: str) -> dt.datetime | None:
        """When a live token expires (None: never); ValueError for an unknown token."""
        with self.store.read() as conn:
            found = repo.principal_for_token(conn, hash_token(token))
        if found is None:
            raise ValueError("no such live token")
        return found[2]

    def disable_account(self, who: Principal, name: str) -> None:
        """No token of the account works any more; its history and audit entries stay."""
        self._require(who, "admin")
        now = repo.utcnow()
        with self.store.write() as conn:
            aid = repo.account_id(conn, name)
            if aid is None:
                raise ValueError(f"no account named {name!r}")
            repo.disable_account(conn, aid, now)
            repo.revoke_tokens(conn, aid, now)
            repo.add_audit(conn, who.name, "account-disable", who.origin, now, detail=name)

    def accounts(self, who: Principal) -> list[dict[str, str]]:
        self._require(who, "admin")
        with self.store.read() as conn:
            return [{"name": r[0], "role": r[1], "created_at": repo.iso(r[2])}
                    for r in repo.accounts(conn)]

    def principal(self, token: str, origin: str) -> Principal | None:
        """The account a token acts for; None for an unknown or revoked token. Raises
        TokenExpired (saying when) for a known token past its expiry."""
        with self.store.read() as conn:
            found = repo.principal_for_token(conn, hash_token(token))
        if found is None:
            return None
        if found[2] is not None and found[2] <= repo.utcnow():
            raise TokenExpired(f"this API token expired at {repo.iso(found[2])}; an "
                               "administrator issues a new one with `dystonia-cds registry "
                               "token ACCOUNT`")
        return Principal(found[0], check_role(found[1]), origin)

    def audit(self, who: Principal, case_id: str | None = None,
              limit: int = 100) -> list[dict[str, Any]]:
        self._require(who, "audit")
        with self.store.read() as conn:
            rows = repo.audit(conn, case_id, limit)
        return [{"at": repo.iso(r[0]), "actor": r[1], "action": r[2], "case_id": r[3],
                 "version": r[4], "origin": r[5], "detail": r[6]} for r in rows]

    def record(self, who: Principal, action: str, detail: str) -> None:
        """An audit entry for an admin action on the whole registry (backup, restore)."""
        self._require(who, "admin")
        with self.store.write() as conn:
            repo.add_audit(conn, who.name, action, who.origin, repo.utcnow(), detail=detail)

    def _require(self, who: Principal, action: Action) -> None:
        if not who.may(action):
            raise Forbidden(f"the {who.role} role may not {action}")
