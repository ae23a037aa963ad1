"""corrections as linked questions; the team's time zone in the database's
deadline rule; clarifications guarded like the other history tables

A resolved question's definition is frozen (0004); a correction of it is a new
question that names the one it corrects (``corrects_question_id``), a link set
when the question is made and never changed. On PostgreSQL the rule that
refuses a forecast after the deadline ends the deadline day at midnight in the
team's zone (the ``timezone`` team setting), as the command line does, and a
clarification written by an analyst or reviewer role is dated by the database.
On SQLite ``REPLACE INTO clarification`` is refused as it is for forecasts.

Early versions granted the cluster-wide group roles ``tracker_analyst`` and
``tracker_reviewer``; a member of one reached every database of the server
that had granted it. The groups are now per database (``tracker db
grant-analyst``); this revision takes the old groups' privileges on this
database away (its tables, sequences, schema and CONNECT). Their members
are granted again with ``tracker db grant-analyst`` / ``grant-reviewer``.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

from tracker.storage import guards

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        # a plain ADD COLUMN (no table rebuild: the triggers on question stay as they are)
        op.execute("ALTER TABLE question ADD COLUMN corrects_question_id VARCHAR(120) REFERENCES question(id)")
    else:
        op.add_column("question", sa.Column("corrects_question_id", sa.String(length=120),
                                            sa.ForeignKey("question.id", name="fk_question_corrects"), nullable=True))
    op.create_index("ix_question_corrects_question_id", "question", ["corrects_question_id"])
    if dialect == "sqlite":
        for _table, create in {**guards.SQLITE_QUESTION_TRIGGERS_0007, **guards.SQLITE_CLARIFICATION_TRIGGERS_0007}.values():
            op.execute(create)
    elif dialect == "postgresql":
        op.execute(guards.pg_function_sql("tracker_record_times"))
        op.execute(guards.pg_function_sql("tracker_corrects_fixed"))
        op.execute(guards.pg_trigger_sql("clarification_record_times", guards.PG_HISTORY_TRIGGERS["clarification_record_times"]))
        op.execute(guards.pg_trigger_sql("question_corrects_fixed", guards.PG_QUESTION_TRIGGERS["question_corrects_fixed"]))
        for name, expr in guards.PG_QUESTION_CHECKS_0007.items():
            op.execute(f"ALTER TABLE question ADD CONSTRAINT {name} CHECK ({expr})")
        op.execute(REVOKE_LEGACY_GROUPS)


# what the cluster-wide groups of early versions were given here, taken away
REVOKE_LEGACY_GROUPS = """
DO $$
DECLARE
    legacy text;
BEGIN
    FOREACH legacy IN ARRAY ARRAY['tracker_analyst', 'tracker_reviewer'] LOOP
        IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = legacy) THEN
            EXECUTE format('REVOKE ALL PRIVILEGES ON ALL TABLES IN SCHEMA %I FROM %I', current_schema(), legacy);
            EXECUTE format('REVOKE ALL PRIVILEGES ON ALL SEQUENCES IN SCHEMA %I FROM %I', current_schema(), legacy);
            EXECUTE format('REVOKE ALL PRIVILEGES ON SCHEMA %I FROM %I', current_schema(), legacy);
            EXECUTE format('REVOKE ALL PRIVILEGES ON DATABASE %I FROM %I', current_database(), legacy);
        END IF;
    END LOOP;
END $$
"""


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in (*guards.SQLITE_QUESTION_TRIGGERS_0007, *guards.SQLITE_CLARIFICATION_TRIGGERS_0007):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        for name in guards.PG_QUESTION_CHECKS_0007:
            op.execute(f"ALTER TABLE question DROP CONSTRAINT IF EXISTS {name}")
        op.execute("DROP TRIGGER IF EXISTS question_corrects_fixed ON question")
        op.execute("DROP TRIGGER IF EXISTS clarification_record_times ON clarification")
        op.execute("DROP FUNCTION IF EXISTS tracker_corrects_fixed()")
        op.execute(guards.pg_function_sql("tracker_record_times", guards.RECORD_TIMES_FUNCTION_0004))
    op.drop_index("ix_question_corrects_question_id", table_name="question")
    if dialect == "sqlite":
        op.execute("ALTER TABLE question DROP COLUMN corrects_question_id")
    else:
        op.drop_column("question", "corrects_question_id")
