"""Registry-wide key/value settings (e.g. which engine and knowledge the cases were last
assessed with)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from dystonia_cds.registry.models import Meta

__all__ = ["get_meta", "set_meta"]


def get_meta(conn: Connection, key: str) -> str | None:
    value = conn.execute(select(Meta.value).where(Meta.key == key)).scalar()
    return None if value is None else str(value)


def set_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(update(Meta).where(Meta.key == key).values(value=value)).rowcount == 0:
        conn.execute(insert(Meta).values(key=key, value=value))
