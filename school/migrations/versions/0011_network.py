"""the network's exchange: the directory of Cités, the call for initiatives

Revision ID: 0011_network
Revises: 0010_aftercare
Create Date: 2026-12-05 04:00:00

Creates ``cites``, left empty: until it holds a row the site reads the shipped
``data/cites.yaml`` (``cites load``, ``demo load`` or a first edit in the back office
copy it in). Registrations' free-text Cité becomes a directory key where the text names a known Cité (its name or a
known spelling, ignoring case and accents). Text that names none is not lost: it moves to
the registration's organisation, the "other organisation" of the form. Adds the
``initiatives`` table and the call's dates on ``editions``.
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_network"
down_revision = "0010_aftercare"
branch_labels = None
depends_on = None

CITE_STATUS = "status IN ('member', 'in_preparation', 'associated', 'former')"
KIND = "kind IN ('practice', 'tool', 'innovation', 'partnership')"
DECISION = "decision IN ('submitted', 'changes_requested', 'accepted', 'declined')"


def upgrade():
    op.create_table(
        "cites",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("city", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(CITE_STATUS, name=op.f("ck_cites_status")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_cites")),
    )
    op.create_table(
        "initiatives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("title_fr", sa.String(length=200), nullable=True),
        sa.Column("title_en", sa.String(length=200), nullable=True),
        sa.Column("summary_fr", sa.Text(), nullable=True),
        sa.Column("summary_en", sa.Text(), nullable=True),
        sa.Column("cite", sa.String(length=60), nullable=True),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("themes", sa.JSON(), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("consent_publish", sa.Boolean(), nullable=False),
        sa.Column("picture", sa.LargeBinary(), nullable=True),
        sa.Column("picture_type", sa.String(length=40), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("decision_message", sa.Text(), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("edit_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(DECISION, name=op.f("ck_initiatives_decision")),
        sa.CheckConstraint(KIND, name=op.f("ck_initiatives_kind")),
        sa.CheckConstraint("language IN ('fr', 'en')", name=op.f("ck_initiatives_language")),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["editions.id"],
            name=op.f("fk_initiatives_edition_id_editions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initiatives")),
        sa.UniqueConstraint("edit_token", name=op.f("uq_initiatives_edit_token")),
    )
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_initiatives_edition_id_decision"), ["edition_id", "decision"]
        )
    with op.batch_alter_table("editions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("initiatives_open_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("initiatives_close_at", sa.DateTime(), nullable=True))

    _cites_as_keys()


def _cites_as_keys() -> None:
    from school.services.network.cites import key_for_name

    conn = op.get_bind()
    registrations = sa.table(
        "registrations",
        sa.column("id", sa.Integer),
        sa.column("cite", sa.String),
        sa.column("organisation", sa.String),
    )
    rows = conn.execute(
        sa.select(registrations.c.id, registrations.c.cite, registrations.c.organisation).where(
            registrations.c.cite.is_not(None)
        )
    ).all()
    for id_, text, organisation in rows:
        key = key_for_name(text)
        if key is not None:
            values = {"cite": key}
        elif not text.strip():
            values = {"cite": None}
        else:
            joined = " — ".join(p for p in (organisation, text.strip()) if p)
            values = {"cite": None, "organisation": joined[:200]}
        conn.execute(registrations.update().where(registrations.c.id == id_).values(**values))


def downgrade():
    # Not a batch operation: on SQLite it would copy ``editions`` and drop the original,
    # and the drop would cascade to every registration. SQLite 3.35+ drops a column as is.
    op.execute("ALTER TABLE editions DROP COLUMN initiatives_close_at")
    op.execute("ALTER TABLE editions DROP COLUMN initiatives_open_at")
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_initiatives_edition_id_decision"))
    op.drop_table("initiatives")
    op.drop_table("cites")
    # Keys stay in registrations.cite: the old free text there shows them as they are.
