"""who may sit where: the edition's member code, its privacy notice, membership proved

Revision ID: 0012_access
Revises: 0011_network
Create Date: 2026-12-05 03:40:00

Members-only seats now need the edition's member code (or an organiser's confirmation):
every existing edition is given an unguessable code; registrations already made keep
the seats they hold (the code is asked for new members-only seats only).
"""

import secrets

import sqlalchemy as sa
from alembic import op

revision = "0012_access"
down_revision = "0011_network"
branch_labels = None
depends_on = None

_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # as models.edition.new_member_code


def _code() -> str:
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def upgrade():
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("member_code", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("privacy_notice_fr", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("privacy_notice_en", sa.Text(), nullable=True))
    conn = op.get_bind()
    editions = sa.table("editions", sa.column("id", sa.Integer), sa.column("member_code"))
    for (edition_id,) in conn.execute(sa.select(editions.c.id)).all():
        conn.execute(
            editions.update().where(editions.c.id == edition_id).values(member_code=_code())
        )
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.alter_column("member_code", existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "member_verified", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade():
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_column("member_verified")
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.drop_column("privacy_notice_en")
        batch_op.drop_column("privacy_notice_fr")
        batch_op.drop_column("member_code")
