"""Newborn details on a delivery notification; when a pended line received information

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_NEWBORN = (
    ("newborn_member_id", 20),
    ("newborn_first_name", 100),
    ("newborn_last_name", 100),
    ("newborn_sex", 1),
)


def upgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ drops columns too): a batch copy of
    # auth_request would drop the table and cascade-delete its lines.
    for name, length in _NEWBORN:
        op.add_column("auth_request", sa.Column(name, sa.String(length=length), nullable=False, server_default=""))
    op.add_column("auth_request", sa.Column("newborn_birth_date", sa.Date(), nullable=True))
    op.add_column(
        "service_line", sa.Column("information_received_at", store.types.UTCDateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("service_line", "information_received_at")
    op.drop_column("auth_request", "newborn_birth_date")
    for name, _ in reversed(_NEWBORN):
        op.drop_column("auth_request", name)
