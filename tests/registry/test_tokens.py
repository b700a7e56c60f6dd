"""API tokens expire: a default lifetime from the deployment, ``--expires`` per token, a
clear refusal once expired, and the migration that adds the column (both back ends)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from dystonia_cds import KnowledgeBase
from dystonia_cds.registry import (
    Registry,
    RegistrySettings,
    TokenExpired,
    local_admin,
    parse_expiry,
)
from dystonia_cds.registry import repository as repo
from dystonia_cds.registry._db import MIGRATIONS
from dystonia_cds.registry.models import ApiToken

ADMIN = local_admin("test")
NOW = dt.datetime(2026, 12, 2, 4, 0, tzinfo=dt.UTC)


def _close(a: dt.datetime | None, b: dt.datetime) -> bool:
    return a is not None and abs((a - b).total_seconds()) < 120


def test_expiry_forms() -> None:
    assert parse_expiry(None, NOW, 90) == NOW + dt.timedelta(days=90)
    assert parse_expiry(None, NOW, None) is None
    assert parse_expiry("never", NOW, 90) is None
    assert parse_expiry("12h", NOW, 90) == NOW + dt.timedelta(hours=12)
    assert parse_expiry("8w", NOW, 90) == NOW + dt.timedelta(weeks=8)
    assert parse_expiry("2027-03-01", NOW, 90) == dt.datetime(2027, 3, 1, tzinfo=dt.UTC)
    for bad, says in (("soon", "12h, 30d, 8w"), ("2026-01-01", "not in the future"),
                      ("0d", "not in the future"), ("99999w", "10 years")):
        with pytest.raises(ValueError, match=says):
            parse_expiry(bad, NOW, 90)


def test_new_tokens_get_the_default_or_the_given_expiry(db_url: str,
                                                        kb: KnowledgeBase) -> None:
    reg = Registry(RegistrySettings(url=db_url, token_days=7), kb)
    try:
        now = repo.utcnow()
        first = reg.add_account(ADMIN, "kim", "clinician")
        assert _close(reg.token_expiry(first), now + dt.timedelta(days=7))
        day = reg.new_token(ADMIN, "kim", expires="1d")
        assert _close(reg.token_expiry(day), now + dt.timedelta(days=1))
        assert reg.token_expiry(reg.new_token(ADMIN, "kim", expires="never")) is None
        with pytest.raises(ValueError, match="not understood"):
            reg.new_token(ADMIN, "kim", expires="next week")
        audit = [e["detail"] for e in reg.audit(ADMIN) if e["action"] == "token-add"]
        assert audit[0] == "kim; never expires" and audit[1].startswith("kim; expires 20")
    finally:
        reg.close()


def test_an_expired_token_is_refused_saying_when(registry: Registry,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    token = registry.add_account(ADMIN, "lee", "viewer", expires="1h")
    who = registry.principal(token, "test")
    assert who is not None and who.name == "lee"
    later = repo.utcnow() + dt.timedelta(hours=1, minutes=1)
    monkeypatch.setattr(repo, "utcnow", lambda: later)
    with pytest.raises(TokenExpired, match=r"expired at 20\d\d-\d\d-\d\dT.*registry token"):
        registry.principal(token, "test")
    assert registry.principal("dcr_unknown", "test") is None  # unknown stays 'invalid'


def test_migration_gives_existing_tokens_the_default_lifetime(db_url: str, tmp_path: Path,
                                                              kb: KnowledgeBase) -> None:
    from alembic import command
    from alembic.config import Config

    engine = create_engine(db_url)
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:  # the schema as the previous release left it
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.commit()
        now = repo.utcnow()
        conn.execute(text("INSERT INTO accounts (id, name, role, created_at) "
                          "VALUES (1, 'old', 'viewer', :t)"), {"t": now})
        conn.execute(text("INSERT INTO api_tokens (account_id, token_hash, prefix, created_at,"
                          " revoked_at) VALUES (1, 'a', 'dcr_a', :t, NULL), "
                          "(1, 'b', 'dcr_b', :t, :t)"), {"t": now})
        conn.commit()
    engine.dispose()
    reg = Registry(RegistrySettings(url=db_url), kb)  # upgrades to head
    try:
        with reg.engine.connect() as conn:
            rows = dict(conn.execute(select(ApiToken.token_hash, ApiToken.expires_at)).all())
        assert _close(repo.as_utc(rows["a"]), now + dt.timedelta(days=90))
        assert rows["b"] is None  # a revoked token is left as it was
    finally:
        reg.close()
