"""Case listing and counts kept by triggers, member-name search index, ID lookups

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-04

Creates ``case_listing`` (who sees a case, its status and sort keys, indexed
per audience and status) and ``case_count`` (per audience and status), the
triggers that keep both in the transaction of every change, the member-name
search index (SQLite FTS5 trigram; PostgreSQL pg_trgm GIN) and indexes for
exact member-ID lookups; fills them from the cases already stored and
refreshes the planner's statistics. See :mod:`store.listing`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types
from store import listing

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    instant = store.types.UTCDateTime(timezone=True)
    op.create_table(
        "case_listing",
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("urgency", sa.String(length=12), nullable=False),
        sa.Column("draft_number", sa.String(length=16), nullable=False),
        sa.Column("webcert_number", sa.String(length=16), nullable=False),
        sa.Column("auth_number", sa.String(length=16), nullable=False),
        sa.Column("member_name", sa.String(length=200), nullable=False),
        sa.Column("member_id_entered", sa.String(length=20), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("updated_at", instant, nullable=False),
        sa.Column("expires_at", instant, nullable=False),
        sa.Column("decision_due_at", instant, nullable=False),
        sa.Column("submitted_at", instant, nullable=False),
        sa.Column("decided_at", instant, nullable=False),
        sa.ForeignKeyConstraint(["request_id"], ["auth_request.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("request_id", "audience_id"),
    )
    op.create_table(
        "case_count",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("audience_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_count_audience_status", "case_count", ["audience_id", "status", "n"])
    for statement in listing.fill_listing_sql(dialect, report=False):
        op.execute(statement)
    for name, columns in listing.listing_indexes():
        op.create_index(name, "case_listing", columns)
    op.create_index("ix_request_member_id_entered", "auth_request", ["member_id_entered"])
    op.create_index("ix_request_medicaid_id_entered", "auth_request", ["medicaid_id_entered"])
    for statement in listing.create_name_index_sql(conn, names_table=False):
        op.execute(statement)
    for statement in listing.create_trigger_sql(dialect, names_table=False, report=False, name_counts=False):
        op.execute(statement)
    listing.analyze(conn)


def downgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    for statement in listing.drop_trigger_sql(dialect):
        op.execute(statement)
    for statement in listing.drop_name_index_sql(dialect, names_table=False):
        op.execute(statement)
    op.drop_index("ix_request_medicaid_id_entered", table_name="auth_request")
    op.drop_index("ix_request_member_id_entered", table_name="auth_request")
    op.drop_index("ix_case_count_audience_status", table_name="case_count")
    op.drop_table("case_count")
    for name, _columns in listing.listing_indexes():
        op.drop_index(name, table_name="case_listing")
    op.drop_table("case_listing")
