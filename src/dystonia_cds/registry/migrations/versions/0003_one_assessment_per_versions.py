"""One assessment per (case version, engine version, knowledge version).

Why a partial unique index: before this revision, ``serve --workers N`` could re-assess the
same case versions in several workers at start-up and store identical duplicates. Those
rows are history (assessments are append-only; the triggers refuse DELETE), so they stay;
the index covers every row after the newest such duplicate (all rows, when there is none).
SQLite and PostgreSQL both have partial indexes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_NAME = "uq_assessment_versions"
_LAST_DUPLICATE = sa.text(
    "SELECT MAX(a.id) FROM assessments a WHERE EXISTS (SELECT 1 FROM assessments b "
    "WHERE b.case_version_id = a.case_version_id AND b.engine_version = a.engine_version "
    "AND b.knowledge_version = a.knowledge_version AND b.id <> a.id)")


def upgrade() -> None:
    last = op.get_bind().execute(_LAST_DUPLICATE).scalar()
    where = sa.text(f"id > {int(last or 0)}")
    op.create_index(_NAME, "assessments",
                    ["case_version_id", "engine_version", "knowledge_version"], unique=True,
                    sqlite_where=where, postgresql_where=where)


def downgrade() -> None:
    op.drop_index(_NAME, table_name="assessments")
