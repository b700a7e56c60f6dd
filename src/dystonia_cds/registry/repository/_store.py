"""What every query module shares: the row type, the two errors a query raises, UTC times,
and the :class:`Store` that hands out read and write transactions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeAlias

from sqlalchemy import Connection, Engine, Row

from dystonia_cds.registry._db import WRITE

__all__ = ["AnyRow", "NotFound", "Store", "VersionConflict", "as_utc", "iso", "utcnow"]

AnyRow: TypeAlias = Row[*tuple[Any, ...]]
"""A result row (columns as each query's docstring lists them)."""


class VersionConflict(Exception):
    """The case's current version is not the one the writer started from."""

    def __init__(self, current: int) -> None:
        super().__init__(f"current version is {current}")
        self.current = current


class NotFound(Exception):
    """No such case (or version)."""


def utcnow() -> dt.datetime:
    """The registry's one clock (tests move it through ``repository.utcnow``)."""
    return dt.datetime.now(dt.UTC)


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; everything here is stored in UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def iso(value: dt.datetime) -> str:
    """A stored time as the registry shows it: UTC, ISO 8601, to the second."""
    return as_utc(value).isoformat(timespec="seconds")


@dataclass
class Store:
    """The engine, and the two kinds of transaction the service asks for."""

    engine: Engine

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        with self.engine.connect().execution_options(**WRITE) as conn, conn.begin():
            yield conn
