"""Da Vinci PAS: applied payer responses, and the code a modified (A6) line authorizes

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0006"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "pas_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("response_key", sa.String(length=300), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("response_created", store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("applied_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("applied_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["request_id"], ["auth_request.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["applied_by_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("content_sha256", name="uq_pas_response_sha256"),
    )
    op.create_index("ix_pas_response_request_id", "pas_response", ["request_id"])
    op.create_index("ix_pas_response_response_key", "pas_response", ["response_key"])
    with op.batch_alter_table("service_line") as batch:
        batch.add_column(sa.Column("authorized_code", sa.String(length=5), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("service_line") as batch:
        batch.drop_column("authorized_code")
    op.drop_index("ix_pas_response_response_key", table_name="pas_response")
    op.drop_index("ix_pas_response_request_id", table_name="pas_response")
    op.drop_table("pas_response")
