"""The CMS-0057-F report from the listing; housekeeping reads only the drafts it changes

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06

The report grouped every decided case's service lines at each run (22 s for a
clerk at a million cases). Now each listing row carries its case's report
figures — ``outcome`` (from the status and the lines), ``decision_micros``
(submission to decision) and ``late`` — kept by the listing's triggers (and
new ones on ``service_line``), and a covering partial index over the decided
rows of each audience by urgency and time taken serves the report's counts,
sums and medians. Two partial indexes on ``auth_request`` hold only the
drafts housekeeping may still change: not yet reminded, and without an expiry
time. See :mod:`store.listing`.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from store import listing

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

DRAFT_INDEXES = (
    ("ix_request_reminder_due", ["expires_at", "id"], "status = 'draft' AND expiry_reminder_queued_at IS NULL"),
    ("ix_request_draft_no_expiry", ["created_at", "id"], "status = 'draft' AND expires_at IS NULL"),
)


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    for statement in listing.drop_trigger_sql(dialect):
        op.execute(statement)
    # Plain ALTER TABLE: a batch copy of case_listing is not needed to add columns.
    op.add_column("case_listing", sa.Column("outcome", sa.String(length=20), nullable=False, server_default=""))
    op.add_column("case_listing", sa.Column("decision_micros", sa.BigInteger(), nullable=False, server_default="0"))
    op.add_column("case_listing", sa.Column("late", sa.Integer(), nullable=False, server_default="0"))
    op.execute(listing.fill_report_sql(dialect))
    op.execute(listing.report_index_sql())
    for name, columns, where in DRAFT_INDEXES:
        op.create_index(name, "auth_request", columns, sqlite_where=sa.text(where), postgresql_where=sa.text(where))
    for statement in listing.create_trigger_sql(dialect, name_counts=False):
        op.execute(statement)


def downgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    for statement in listing.drop_trigger_sql(dialect):
        op.execute(statement)
    for name, _columns, _where in DRAFT_INDEXES:
        op.drop_index(name, table_name="auth_request")
    op.drop_index(listing.REPORT_INDEX, table_name="case_listing")
    for column in reversed(listing.REPORT_COLUMNS):
        op.drop_column("case_listing", column)
    for statement in listing.create_trigger_sql(dialect, report=False, name_counts=False):
        op.execute(statement)
