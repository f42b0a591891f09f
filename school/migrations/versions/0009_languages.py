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
    # Plain ALTERs, not batch copies: on SQLite a batch operation copies the table and drops
    # the original, and the drop would cascade to every choice and check-in.
    for lang in EXTRA:
        op.add_column("sessions", sa.Column(f"title_{lang}", sa.String(length=300), nullable=True))
    for lang in EXTRA:
        op.add_column("sessions", sa.Column(f"description_{lang}", sa.Text(), nullable=True))
    op.add_column(
        "editions",
        sa.Column("content_fallback", sa.String(length=2), server_default="en", nullable=False),
    )
    _replace_language_check(AFTER)


def downgrade():
    op.execute("UPDATE registrations SET language = 'en' WHERE language IN ('it', 'es', 'pt')")
    _replace_language_check(BEFORE)
    op.execute("ALTER TABLE editions DROP COLUMN content_fallback")
    for lang in EXTRA:
        op.execute(f"ALTER TABLE sessions DROP COLUMN description_{lang}")
        op.execute(f"ALTER TABLE sessions DROP COLUMN title_{lang}")


def _replace_language_check(condition: str) -> None:
    """SQLite cannot alter a CHECK constraint: the table is copied (with foreign keys off, see
    env.py, so that dropping the old copy keeps the registrations' choices and check-ins)."""
    with op.batch_alter_table("registrations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_registrations_language"), type_="check")
        batch_op.create_check_constraint(op.f("ck_registrations_language"), condition)
