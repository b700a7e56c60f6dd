"""API tokens expire: ``api_tokens.expires_at``.

Why existing tokens get 90 days from the upgrade (not NULL, not their creation time + 90
days): NULL would leave every token issued before this release valid for ever, and an
expiry counted from creation would lock clinics out the moment they upgrade. The 90 days are
the default lifetime (``DYSTONIA_CDS_TOKEN_DAYS`` is not read here: a migration gives the
same schema and data on every machine).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_EXISTING_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    tokens = sa.table("api_tokens", sa.column("revoked_at", sa.DateTime(timezone=True)),
                      sa.column("expires_at", sa.DateTime(timezone=True)))
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=_EXISTING_DAYS)
    op.execute(tokens.update().where(tokens.c.revoked_at.is_(None)).values(expires_at=until))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
