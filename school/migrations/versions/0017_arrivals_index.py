"""the arrivals at a checkpoint counted from an index of the standing check-ins

Revision ID: 0017_arrivals_index
Revises: 0016_waiting_lines
Create Date: 2026-12-07 11:00:00

Every scan answers how many have arrived at its checkpoint. The count read each standing
check-in's row (a partial index found them, but only the row says its edition): 200 rows
a scan at a door of 200 people. This index holds exactly what the count asks.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_arrivals_index"
down_revision = "0016_waiting_lines"
branch_labels = None
depends_on = None

STANDING = sa.text("verdict = 'ok' AND undone_at IS NULL")


def upgrade() -> None:
    op.create_index(
        "ix_checkins_arrivals",
        "checkins",
        ["edition_id", "checkpoint"],
        postgresql_where=STANDING,
        sqlite_where=STANDING,
    )


def downgrade() -> None:
    op.drop_index("ix_checkins_arrivals", table_name="checkins")
