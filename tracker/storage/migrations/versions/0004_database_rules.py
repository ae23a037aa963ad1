"""the database's own rules: no REPLACE of history (SQLite), well-formed questions, resolved questions frozen, times set by the server for roles other than the owner (PostgreSQL)

Revision ID: 0004
Revises: 0003

The SQL lives in tracker.storage.guards, which `tracker db verify` compares
a database against.
"""
from alembic import op

from tracker.storage import guards

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("forecast_no_replace", "resolution_no_replace"):
            op.execute(guards.SQLITE_HISTORY_TRIGGERS[name][1])
        for _table, create in guards.SQLITE_QUESTION_TRIGGERS_0004.values():
            op.execute(create)
    elif dialect == "postgresql":
        op.execute(guards.pg_function_sql("tracker_record_times", guards.RECORD_TIMES_FUNCTION_0004))
        op.execute(guards.pg_function_sql("tracker_question_frozen"))
        for name in ("forecast_record_times", "resolution_record_times"):
            op.execute(guards.pg_trigger_sql(name, guards.PG_HISTORY_TRIGGERS[name]))
        op.execute(guards.pg_trigger_sql("question_frozen", guards.PG_QUESTION_TRIGGERS["question_frozen"]))
        for table in ("forecast", "resolution"):
            op.execute(f"ALTER TABLE {table} ALTER COLUMN recorded_at SET DEFAULT now()")
        for name, expr in guards.PG_QUESTION_CHECKS_0004.items():
            # NOT VALID, then validated where the existing rows allow: an old
            # database holding a row the tool would refuse still upgrades
            # (and `tracker db verify` names the constraint it breaks)
            op.execute(f"ALTER TABLE question ADD CONSTRAINT {name} CHECK ({expr}) NOT VALID")
            op.execute(
                f"DO $$ BEGIN ALTER TABLE question VALIDATE CONSTRAINT {name}; "
                "EXCEPTION WHEN check_violation THEN NULL; END $$"
            )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("forecast_no_replace", "resolution_no_replace", *guards.SQLITE_QUESTION_TRIGGERS_0004):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif dialect == "postgresql":
        for name in guards.PG_QUESTION_CHECKS_0004:
            op.execute(f"ALTER TABLE question DROP CONSTRAINT IF EXISTS {name}")
        for table in ("forecast", "resolution"):
            op.execute(f"ALTER TABLE {table} ALTER COLUMN recorded_at DROP DEFAULT")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_record_times ON {table}")
        op.execute("DROP TRIGGER IF EXISTS question_frozen ON question")
        op.execute("DROP FUNCTION IF EXISTS tracker_record_times()")
        op.execute("DROP FUNCTION IF EXISTS tracker_question_frozen()")
