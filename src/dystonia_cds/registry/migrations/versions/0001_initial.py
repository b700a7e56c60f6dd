"""The initial registry schema, with append-only triggers.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
APPEND_ONLY = ("case_versions", "assessments", "audit_log", "assessment_changes")


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("disabled_at", TZ, nullable=True),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(12), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
    )
    op.create_table(
        "cases",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("current_version", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
    )
    op.create_table(
        "case_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("case_id", "version", name="uq_case_version"),
    )
    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("case_version_id", sa.Integer, sa.ForeignKey("case_versions.id"),
                  nullable=False),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("knowledge_version", sa.String(40), nullable=False),
        sa.Column("top_category", sa.String(60), nullable=False),
        sa.Column("etiology", sa.String(20), nullable=False),
        sa.Column("checks", sa.Text, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_assessments_version", "assessments", ["case_version_id"])
    op.create_table(
        "reassess_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("engine_version", sa.String(40), nullable=False),
        sa.Column("knowledge_version", sa.String(40), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("cases", sa.Integer, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
    )
    op.create_table(
        "assessment_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("reassess_runs.id"), nullable=False),
        sa.Column("case_id", sa.String(64), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("before_id", sa.Integer, sa.ForeignKey("assessments.id"), nullable=False),
        sa.Column("after_id", sa.Integer, sa.ForeignKey("assessments.id"), nullable=False),
        sa.Column("changes", sa.Text, nullable=False),
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=True),
        sa.Column("origin", sa.String(100), nullable=False),
        sa.Column("detail", sa.String(200), nullable=False),
    )
    op.create_index("ix_audit_case", "audit_log", ["case_id"])
    op.create_table(
        "registry_meta",
        sa.Column("key", sa.String(60), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    _append_only_triggers()


def _append_only_triggers() -> None:
    """UPDATE and DELETE on history tables fail in the database itself."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION registry_append_only() RETURNS trigger AS $$ BEGIN "
                   "RAISE EXCEPTION 'the registry''s % table is append-only', TG_TABLE_NAME; "
                   "END; $$ LANGUAGE plpgsql")
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION registry_append_only()")
        return
    for table in APPEND_ONLY:
        for what in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{what.lower()} BEFORE {what} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, 'the registry''s {table} table is "
                       "append-only'); END")


def downgrade() -> None:
    for table in ("registry_meta", "audit_log", "assessment_changes", "reassess_runs",
                  "assessments", "case_versions", "cases", "api_tokens", "accounts"):
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS registry_append_only()")
