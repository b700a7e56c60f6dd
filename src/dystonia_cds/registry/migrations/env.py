"""Alembic environment: runs on the connection the registry hands over (no alembic.ini).

Why a lock around the upgrade: several server workers may start at once; on PostgreSQL a
transaction-level advisory lock makes the second wait and then find the schema at head.
On SQLite the registry opens this connection with BEGIN IMMEDIATE, which serialises too.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from dystonia_cds.registry.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=connection.dialect.name == "sqlite")
with context.begin_transaction():
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(727274)"))
    context.run_migrations()
