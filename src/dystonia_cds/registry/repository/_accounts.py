"""Accounts and their API tokens (stored hashed; a token of a disabled account or a revoked
one authenticates nobody).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Connection, insert, select, update

from dystonia_cds.registry.models import Account, ApiToken
from dystonia_cds.registry.repository._store import AnyRow, as_utc

__all__ = ["account_id", "accounts", "add_account", "add_token", "disable_account",
           "principal_for_token", "revoke_tokens"]


def add_account(conn: Connection, name: str, role: str, now: dt.datetime) -> int:
    return int(conn.execute(insert(Account).values(name=name, role=role, created_at=now)
                            .returning(Account.id)).scalar_one())


def account_id(conn: Connection, name: str) -> int | None:
    value = conn.execute(select(Account.id).where(Account.name == name)).scalar()
    return None if value is None else int(value)


def accounts(conn: Connection) -> Sequence[AnyRow]:
    return conn.execute(select(Account.name, Account.role, Account.created_at)
                        .order_by(Account.name)).all()


def add_token(conn: Connection, account: int, token_hash: str, prefix: str,
              now: dt.datetime, expires_at: dt.datetime | None) -> None:
    conn.execute(insert(ApiToken).values(account_id=account, token_hash=token_hash,
                                         prefix=prefix, created_at=now,
                                         expires_at=expires_at))


def principal_for_token(conn: Connection, token_hash: str
                        ) -> tuple[str, str, dt.datetime | None] | None:
    """(account name, role, expiry or None) of a token neither revoked nor of a disabled
    account, or None. Expiry is the caller's to check: an expired token gets its own
    message."""
    row = conn.execute(select(Account.name, Account.role, ApiToken.expires_at)
                       .join(ApiToken, ApiToken.account_id == Account.id)
                       .where(ApiToken.token_hash == token_hash, ApiToken.revoked_at.is_(None),
                              Account.disabled_at.is_(None))).first()
    if row is None:
        return None
    return str(row[0]), str(row[1]), None if row[2] is None else as_utc(row[2])


def revoke_tokens(conn: Connection, account: int, now: dt.datetime) -> int:
    return conn.execute(update(ApiToken).where(ApiToken.account_id == account,
                                               ApiToken.revoked_at.is_(None))
                        .values(revoked_at=now)).rowcount


def disable_account(conn: Connection, account: int, now: dt.datetime) -> None:
    conn.execute(update(Account).where(Account.id == account).values(disabled_at=now))
