"""a meal is never a seat: choices on meal sessions become meals taken

Revision ID: 0014_meals
Revises: 0013_state
Create Date: 2026-12-12 10:00:00

A meal with a capacity used to be offered as a seat as well, so some people hold a
choice on it. From this revision a meal is only ever taken (``registration_meals``),
its capacity capping the people taking it: a confirmed choice on a meal becomes the meal
taken (if not taken already); a place in its waiting line is dropped (a meal has no
line). Plain SQL, the same on SQLite and PostgreSQL; the boolean is bound, since SQLite
stores it as 0/1.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0014_meals"
down_revision = "0013_state"
branch_labels = None
depends_on = None

ON_MEALS = "SELECT id FROM sessions WHERE is_meal = :meal"


def upgrade():
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO registration_meals (registration_id, session_id)"
            " SELECT DISTINCT c.registration_id, c.session_id FROM choices c"
            f" WHERE c.status = 'confirmed' AND c.session_id IN ({ON_MEALS})"
            " AND NOT EXISTS (SELECT 1 FROM registration_meals m"
            " WHERE m.registration_id = c.registration_id AND m.session_id = c.session_id)"
        ),
        {"meal": True},
    )
    bind.execute(sa.text(f"DELETE FROM choices WHERE session_id IN ({ON_MEALS})"), {"meal": True})
    # Pages showing seats left are keyed on this stamp: the meals' counts just changed.
    stamp = sa.text(
        "UPDATE editions SET seats_changed_at = :now"
        " WHERE id IN (SELECT edition_id FROM sessions WHERE is_meal = :meal)"
    ).bindparams(sa.bindparam("now", type_=sa.DateTime()))
    bind.execute(stamp, {"now": datetime.now(UTC).replace(tzinfo=None), "meal": True})


def downgrade():
    # Nothing to undo: a meal taken was always a meal taken, and the older code reads
    # ``registration_meals`` as it is. Choices dropped from waiting lines are not restored.
    pass
