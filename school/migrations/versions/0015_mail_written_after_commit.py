"""a message written once its transaction has committed: the outbox keeps the template
it is written from until it is (a registration's confirmation)

Revision ID: 0015_mail_written_after_commit
Revises: 0014_meals
Create Date: 2026-12-06 03:20:00

Every message stored before this revision is written already: the column is empty.
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_mail_written_after_commit"
down_revision = "0014_meals"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("template", sa.String(length=60), nullable=True))


def downgrade():
    # An older sender would send an unwritten message empty: it is given up instead.
    op.execute(
        "UPDATE outbox SET failed_at = created_at, failure = 'unbuildable',"
        " last_error = 'not written before the downgrade' WHERE template IS NOT NULL"
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("template")
