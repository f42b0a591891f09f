"""login sessions kept on the server; API tokens scoped to an edition and expiring

Revision ID: 0008_account_security
Revises: 0007_mail_delivery
Create Date: 2026-12-09 10:00:00

A session cookie now names a row of ``login_sessions``: logging out, a new password or
"sign out everywhere" ends the row, and with it every copy of the cookie. Cookies made
before this revision name no row: organisers log in once more after the upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_account_security"
down_revision = "0007_mail_delivery"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organiser_id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["organiser_id"],
            ["organisers.id"],
            name=op.f("fk_login_sessions_organiser_id_organisers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_login_sessions_key_hash")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_sessions_organiser_id"), ["organiser_id"], unique=False
        )

    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("edition_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f("ix_api_tokens_edition_id"), ["edition_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_api_tokens_edition_id_editions"),
            "editions",
            ["edition_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade():
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_api_tokens_edition_id_editions"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_api_tokens_edition_id"))
        batch_op.drop_column("expires_at")
        batch_op.drop_column("edition_id")

    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_organiser_id"))
    op.drop_table("login_sessions")
