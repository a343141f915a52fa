"""SQLite: time to decision counted from whole seconds, not SQLite's rounded milliseconds

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06

``case_listing.decision_micros`` on SQLite took the whole seconds of the
submission and decision times from ``strftime('%s', …)``, which rounds the
fraction to milliseconds first: a time at ``…:59.9995`` or later counted as
the next second, so the report's time to decision of such a case was one
second off. The triggers now read the seconds from the text without its
fraction (:func:`store.listing.report_exprs`); this revision recreates them
and refills the cases whose times were rounded. PostgreSQL computed the
interval exactly and is left as it was.
"""

from __future__ import annotations

from alembic import op

from store import listing

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

ROUNDED = "substr(r.decided_at, 21, 6) >= '999500' OR substr(r.submitted_at, 21, 6) >= '999500'"


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    for statement in listing.drop_trigger_sql("sqlite"):
        op.execute(statement)
    for statement in listing.create_trigger_sql("sqlite"):
        op.execute(statement)
    op.execute(listing.fill_report_sql("sqlite", only_if=ROUNDED))


def downgrade() -> None:
    """Nothing to undo: the old triggers' figures were wrong, and the new ones are right for either revision."""
