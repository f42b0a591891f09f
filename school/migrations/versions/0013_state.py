"""an edition's lifecycle: draft, published, archived; the demo edition marked; a
cancelled registration remembers its sessions (shown, and asked for again on reinstating)

Revision ID: 0013_state
Revises: 0012_access
Create Date: 2026-12-05 03:30:00

Editions that exist before this revision were public already: they become
``published``. A new one starts as a draft, seen by organisers only.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0013_state"
down_revision = "0012_access"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("status", sa.String(length=16), server_default="draft", nullable=False)
        )
        batch_op.add_column(
            sa.Column("is_demo", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("city_en", sa.String(length=120), nullable=True))
        batch_op.create_check_constraint(
            "status_known", "status IN ('draft', 'published', 'archived')"
        )
    op.execute("UPDATE editions SET status = 'published'")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "cancelled_choices",
                sa.JSON().with_variant(postgresql.JSONB(), "postgresql"),
                nullable=True,
            )
        )


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("cancelled_choices")
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_editions_status_known"), type_="check")
        batch_op.drop_column("city_en")
        batch_op.drop_column("is_demo")
        batch_op.drop_column("status")
