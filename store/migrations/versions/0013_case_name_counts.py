"""Case counts per member name: a filter by a common last name sums counters

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06

Filtering the dashboard by a common last name (2.5% of a million cases match
"garcia") counted and sorted every matching case: 1.4 s at 1M. Now
``case_name_count`` keeps signed deltas per (audience, member name, status),
appended by triggers on ``case_listing`` in the transaction of every change,
so the filter's counts are sums over a few rows per matching name, and the
page query knows how selective the name is (it walks the sort index for a
common name, reads the name's cases for a rare one). Filled here from the
listing. See :mod:`store.listing`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store import listing

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    op.create_table(
        "case_name_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for statement in listing.fill_name_counts_sql():
        op.execute(statement)
    op.create_index("ix_case_name_count_audience_name", "case_name_count", ["audience_id", "name", "status", "n"])
    for statement in listing.name_count_trigger_sql(dialect):
        op.execute(statement)
    listing.analyze(conn)


def downgrade() -> None:
    conn = op.get_bind()
    for statement in listing.drop_name_count_trigger_sql(conn.dialect.name):
        op.execute(statement)
    op.drop_index("ix_case_name_count_audience_name", table_name="case_name_count")
    op.drop_table("case_name_count")
