"""how many wait in each session's line, kept by the database as choices change

Revision ID: 0016_waiting_lines
Revises: 0015_mail_written_after_commit
Create Date: 2026-12-06 21:00:00

A new registration put in a line is told its place. It used to count everyone ahead of
it while it held the seats' locks: with thousands in one line when registration opens,
that count was the longest part of the wait of everyone after the same seats. The
database now keeps each line's length itself, by triggers on ``choices`` (every way a
choice is written, changed or deleted, cascades included), filled here from the
choices as they are.
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_waiting_lines"
down_revision = "0015_mail_written_after_commit"
branch_labels = None
depends_on = None

POSTGRESQL = [
    """
    CREATE FUNCTION waiting_lines_follow_choices() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status = 'waitlisted' THEN
            UPDATE waiting_lines SET people = people - 1 WHERE session_id = OLD.session_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status = 'waitlisted' THEN
            INSERT INTO waiting_lines (session_id, people) VALUES (NEW.session_id, 1)
            ON CONFLICT (session_id) DO UPDATE SET people = waiting_lines.people + 1;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER choices_waiting_lines
    AFTER INSERT OR DELETE OR UPDATE OF status, session_id ON choices
    FOR EACH ROW EXECUTE FUNCTION waiting_lines_follow_choices()
    """,
]
SQLITE = [
    """
    CREATE TRIGGER choices_waiting_lines_insert AFTER INSERT ON choices
    WHEN NEW.status = 'waitlisted' BEGIN
        INSERT INTO waiting_lines (session_id, people) VALUES (NEW.session_id, 1)
        ON CONFLICT (session_id) DO UPDATE SET people = people + 1;
    END
    """,
    """
    CREATE TRIGGER choices_waiting_lines_delete AFTER DELETE ON choices
    WHEN OLD.status = 'waitlisted' BEGIN
        UPDATE waiting_lines SET people = people - 1 WHERE session_id = OLD.session_id;
    END
    """,
    """
    CREATE TRIGGER choices_waiting_lines_update AFTER UPDATE OF status, session_id ON choices
    BEGIN
        UPDATE waiting_lines SET people = people - 1
        WHERE OLD.status = 'waitlisted' AND session_id = OLD.session_id;
        INSERT INTO waiting_lines (session_id, people)
        SELECT NEW.session_id, 1 WHERE NEW.status = 'waitlisted'
        ON CONFLICT (session_id) DO UPDATE SET people = people + 1;
    END
    """,
]


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:  # no choice written between the count below and the triggers
        op.execute("LOCK TABLE choices IN SHARE ROW EXCLUSIVE MODE")
    op.create_table(
        "waiting_lines",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["sessions.id"],
            name=op.f("fk_waiting_lines_session_id_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_waiting_lines")),
    )
    op.execute(
        "INSERT INTO waiting_lines (session_id, people)"
        " SELECT session_id, count(*) FROM choices WHERE status = 'waitlisted'"
        " GROUP BY session_id"
    )
    for statement in POSTGRESQL if postgresql else SQLITE:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER choices_waiting_lines ON choices")
        op.execute("DROP FUNCTION waiting_lines_follow_choices()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER choices_waiting_lines_{name}")
    op.drop_table("waiting_lines")
