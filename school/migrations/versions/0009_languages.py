"""languages: Italian, Spanish and Portuguese beside French and English

Revision ID: 0009_languages
Revises: 0008_account_security
Create Date: 2026-12-05 04:00:00

A participant may read the School in any of five languages; organisers may add Italian,
Spanish and Portuguese titles and descriptions to a session, and choose per edition whether
a reader of those languages sees the English or the French text where none was added.
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_languages"
down_revision = "0008_account_security"
branch_labels = None
depends_on = None

BEFORE = "language IN ('fr', 'en')"
AFTER = "language IN ('fr', 'en', 'it', 'es', 'pt')"
EXTRA = ("it", "es", "pt")


def upgrade():
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        for lang in EXTRA:
            batch_op.add_column(sa.Column(f"title_{lang}", sa.String(length=300), nullable=True))
        for lang in EXTRA:
            batch_op.add_column(sa.Column(f"description_{lang}", sa.Text(), nullable=True))
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("content_fallback", sa.String(length=2), server_default="en", nullable=False)
        )
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_registrations_language"), type_="check")
        batch_op.create_check_constraint(op.f("ck_registrations_language"), AFTER)


def downgrade():
    op.execute("UPDATE registrations SET language = 'en' WHERE language IN ('it', 'es', 'pt')")
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_registrations_language"), type_="check")
        batch_op.create_check_constraint(op.f("ck_registrations_language"), BEFORE)
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.drop_column("content_fallback")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        for lang in EXTRA:
            batch_op.drop_column(f"description_{lang}")
        for lang in EXTRA:
            batch_op.drop_column(f"title_{lang}")
