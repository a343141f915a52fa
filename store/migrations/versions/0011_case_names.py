"""Name search over distinct member names; an index for the report's line outcomes

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04

Migration 0008 indexed every case's member name (FTS5 / pg_trgm over
``auth_request``): a common last name then matched tens of thousands of cases,
each read from the wide case table. Now every distinct name is kept once in
``case_name`` (by trigger), the search index covers those few rows, and the
cases come from the listing's (audience, status, member_name) index. Also a
covering index ``service_line (request_id, status, was_pended)`` for the
CMS-0057-F report. See :mod:`store.listing`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store import listing

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    for statement in listing.drop_trigger_sql(dialect):
        op.execute(statement)
    for statement in listing.drop_name_index_sql(dialect, names_table=False):
        op.execute(statement)
    op.create_table(
        "case_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.execute(listing.fill_names_sql(dialect))
    for statement in listing.create_name_index_sql(conn):
        op.execute(statement)
    for statement in listing.create_trigger_sql(dialect, report=False, name_counts=False):
        op.execute(statement)
    op.create_index("ix_service_line_outcome", "service_line", ["request_id", "status", "was_pended"])
    listing.analyze(conn)


def downgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    op.drop_index("ix_service_line_outcome", table_name="service_line")
    for statement in listing.drop_trigger_sql(dialect):
        op.execute(statement)
    for statement in listing.drop_name_index_sql(dialect):
        op.execute(statement)
    op.drop_table("case_name")
    for statement in listing.create_name_index_sql(conn, names_table=False):
        op.execute(statement)
    for statement in listing.create_trigger_sql(dialect, names_table=False, report=False, name_counts=False):
        op.execute(statement)
