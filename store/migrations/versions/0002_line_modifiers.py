"""service lines carry up to four modifiers (space-separated)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("service_line") as batch:
        batch.alter_column("modifier", existing_type=sa.String(length=8), type_=sa.String(length=11),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("service_line") as batch:
        batch.alter_column("modifier", existing_type=sa.String(length=11), type_=sa.String(length=8),
                           existing_nullable=False)
