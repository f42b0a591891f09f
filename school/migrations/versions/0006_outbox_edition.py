"""outbox messages know their edition

Revision ID: 0006_outbox_edition
Revises: 0005_change_notices
Create Date: 2026-12-02 15:30:00

The privacy purge of an edition blanks every message written about it, including those
to speakers and the change notices, which are linked to no registration.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_outbox_edition"
down_revision = "0005_change_notices"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edition_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_edition_id"), ["edition_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_edition_id_editions"),
            "editions",
            ["edition_id"],
            ["id"],
            ondelete="CASCADE",
        )
    # Messages already written to a participant belong to that participant's edition.
    op.execute(
        "UPDATE outbox SET edition_id = (SELECT registrations.edition_id FROM registrations"
        " WHERE registrations.id = outbox.registration_id) WHERE registration_id IS NOT NULL"
    )


def downgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_edition_id_editions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_edition_id"))
        batch_op.drop_column("edition_id")
