"""mail delivery: messages given up for good with their reason, sent as the edition,
unsubscribing from non-essential mailings, speakers as a mailing audience

Revision ID: 0007_mail_delivery
Revises: 0006_outbox_edition
Create Date: 2026-12-10 10:00:00

A message that cannot be built or that the mail server refuses for good is marked
failed (``failed_at``, ``failure``) and never claimed again; before, it held back the
batch it was claimed with. Messages already given up after their last attempt are
marked so too.
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_mail_delivery"
down_revision = "0006_outbox_edition"
branch_labels = None
depends_on = None

FAILURES = "'invalid_address', 'unbuildable', 'smtputf8', 'refused', 'gave_up'"
AUDIENCES_BEFORE = "'all', 'category', 'session', 'waitlist'"
AUDIENCES = AUDIENCES_BEFORE + ", 'speakers'"
MAX_ATTEMPTS = 12  # school.services.mail.outbox.MAX_ATTEMPTS when this was written


def upgrade():
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sender_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("reply_to", sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column("unsubscribe_url", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("failed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("failure", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_outbox_failure"), f"failure IS NULL OR failure IN ({FAILURES})"
        )
    op.execute(
        "UPDATE outbox SET failed_at = COALESCE(send_after, created_at), failure = 'gave_up'"
        f" WHERE sent_at IS NULL AND attempts >= {MAX_ATTEMPTS}"
    )

    with op.batch_alter_table("mailings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_essential", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.drop_constraint(op.f("ck_mailings_audience"), type_="check")
        batch_op.create_check_constraint(op.f("ck_mailings_audience"), f"audience IN ({AUDIENCES})")

    op.create_table(
        "mailing_opt_outs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("email_key", sa.String(length=254), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("opted_out_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_mailing_opt_outs_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mailing_opt_outs")),
        sa.UniqueConstraint(
            "edition_id", "email_key", name=op.f("uq_mailing_opt_outs_edition_id_email_key")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_mailing_opt_outs_token")),
    )


def downgrade():
    op.drop_table("mailing_opt_outs")
    op.execute("DELETE FROM mailings WHERE audience = 'speakers'")
    with op.batch_alter_table("mailings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_mailings_audience"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_mailings_audience"), f"audience IN ({AUDIENCES_BEFORE})"
        )
        batch_op.drop_column("is_essential")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_failure"), type_="check")
        batch_op.drop_column("failure")
        batch_op.drop_column("failed_at")
        batch_op.drop_column("unsubscribe_url")
        batch_op.drop_column("reply_to")
        batch_op.drop_column("sender_name")
