"""the analyst's week: resolution criteria, clarifications (append-only),
analyst e-mail, team settings, and a full-text index of questions

Revision ID: 0005
Revises: 0004

The full-text index is kept in step with the questions and their tags by
triggers, so that every road in (a command, an import, a restore) keeps it
current: on SQLite an FTS5 table over ``question_search`` (one row per
question: id, text, criteria, tags); on PostgreSQL a ``tsvector`` per
question in ``question_search`` with a GIN index.
"""
import sqlalchemy as sa
from alembic import op

from tracker.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    """CREATE TABLE question_search (
        doc_id INTEGER PRIMARY KEY,
        question_id VARCHAR(120) NOT NULL UNIQUE,
        text TEXT, criteria TEXT, tags TEXT)""",
    """CREATE VIRTUAL TABLE question_fts USING fts5(
        question_id, text, criteria, tags,
        content='question_search', content_rowid='doc_id',
        tokenize='unicode61 remove_diacritics 2', prefix='2 3')""",
    """CREATE TRIGGER question_search_ai AFTER INSERT ON question_search BEGIN
        INSERT INTO question_fts(rowid, question_id, text, criteria, tags)
        VALUES (new.doc_id, new.question_id, new.text, new.criteria, new.tags); END""",
    """CREATE TRIGGER question_search_ad AFTER DELETE ON question_search BEGIN
        INSERT INTO question_fts(question_fts, rowid, question_id, text, criteria, tags)
        VALUES ('delete', old.doc_id, old.question_id, old.text, old.criteria, old.tags); END""",
    """CREATE TRIGGER question_search_au AFTER UPDATE ON question_search BEGIN
        INSERT INTO question_fts(question_fts, rowid, question_id, text, criteria, tags)
        VALUES ('delete', old.doc_id, old.question_id, old.text, old.criteria, old.tags);
        INSERT INTO question_fts(rowid, question_id, text, criteria, tags)
        VALUES (new.doc_id, new.question_id, new.text, new.criteria, new.tags); END""",
    """CREATE TRIGGER question_fts_ai AFTER INSERT ON question BEGIN
        INSERT INTO question_search(question_id, text, criteria, tags)
        VALUES (new.id, new.text, new.criteria,
                (SELECT group_concat(tag, ' ') FROM question_tag WHERE question_id = new.id)); END""",
    """CREATE TRIGGER question_fts_au AFTER UPDATE OF id, text, criteria ON question BEGIN
        UPDATE question_search SET question_id = new.id, text = new.text, criteria = new.criteria
        WHERE question_id = old.id; END""",
    """CREATE TRIGGER question_fts_ad AFTER DELETE ON question BEGIN
        DELETE FROM question_search WHERE question_id = old.id; END""",
    """CREATE TRIGGER question_tag_fts_ai AFTER INSERT ON question_tag BEGIN
        UPDATE question_search SET tags =
            (SELECT group_concat(tag, ' ') FROM question_tag WHERE question_id = new.question_id)
        WHERE question_id = new.question_id; END""",
    """CREATE TRIGGER question_tag_fts_ad AFTER DELETE ON question_tag BEGIN
        UPDATE question_search SET tags =
            (SELECT group_concat(tag, ' ') FROM question_tag WHERE question_id = old.question_id)
        WHERE question_id = old.question_id; END""",
    """INSERT INTO question_search(question_id, text, criteria, tags)
        SELECT id, text, criteria, (SELECT group_concat(tag, ' ') FROM question_tag t WHERE t.question_id = question.id)
        FROM question""",
]

PG_FTS = [
    """CREATE TABLE question_search (
        question_id VARCHAR(120) PRIMARY KEY REFERENCES question(id) ON DELETE CASCADE,
        document tsvector NOT NULL)""",
    "CREATE INDEX ix_question_search_document ON question_search USING GIN (document)",
    """CREATE FUNCTION tracker_question_document(qid varchar) RETURNS tsvector AS $$
        SELECT setweight(to_tsvector('simple', q.id), 'A')
            || setweight(to_tsvector('simple', q.text), 'A')
            || setweight(to_tsvector('simple', coalesce(q.criteria, '')), 'B')
            || setweight(to_tsvector('simple', coalesce(
                   (SELECT string_agg(t.tag, ' ') FROM question_tag t WHERE t.question_id = q.id), '')), 'A')
        FROM question q WHERE q.id = qid
    $$ LANGUAGE sql STABLE""",
    """CREATE FUNCTION tracker_question_search() RETURNS trigger AS $$
    DECLARE qid varchar;
    BEGIN
        IF TG_TABLE_NAME = 'question' THEN qid := NEW.id;
        ELSIF TG_OP = 'DELETE' THEN qid := OLD.question_id;
        ELSE qid := NEW.question_id;
        END IF;
        IF EXISTS (SELECT 1 FROM question WHERE id = qid) THEN
            INSERT INTO question_search (question_id, document)
            VALUES (qid, tracker_question_document(qid))
            ON CONFLICT (question_id) DO UPDATE SET document = EXCLUDED.document;
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql SECURITY DEFINER""",
    """CREATE TRIGGER question_search_sync AFTER INSERT OR UPDATE OF id, text, criteria ON question
        FOR EACH ROW EXECUTE FUNCTION tracker_question_search()""",
    """CREATE TRIGGER question_tag_search_sync AFTER INSERT OR DELETE ON question_tag
        FOR EACH ROW EXECUTE FUNCTION tracker_question_search()""",
    """INSERT INTO question_search (question_id, document)
        SELECT id, tracker_question_document(id) FROM question""",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column("question", sa.Column("criteria", sa.String(), nullable=True))
    op.add_column("analyst", sa.Column("email", sa.String(length=320), nullable=True))
    op.create_table(
        "clarification",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question_id", sa.String(length=120), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("text", sa.String(), nullable=False),
        sa.Column("made_at", UTCDateTime(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), sa.ForeignKey("analyst.name"), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=True),
    )
    op.create_index("ix_clarification_question_id", "clarification", ["question_id"])
    op.create_table(
        "team_setting",
        sa.Column("key", sa.String(length=64), primary_key=True),
        sa.Column("value", sa.String(), nullable=False),
    )
    if dialect == "sqlite":
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER clarification_no_{action.lower()} BEFORE {action} ON clarification "
                "BEGIN SELECT RAISE(ABORT, 'clarification rows are append-only'); END"
            )
        for sql in SQLITE_FTS:
            op.execute(sql)
    elif dialect == "postgresql":
        op.execute(
            "CREATE TRIGGER clarification_append_only BEFORE UPDATE OR DELETE ON clarification "
            "FOR EACH ROW EXECUTE FUNCTION tracker_append_only()"
        )
        op.execute(
            "CREATE TRIGGER clarification_no_truncate BEFORE TRUNCATE ON clarification "
            "FOR EACH STATEMENT EXECUTE FUNCTION tracker_append_only()"
        )
        for sql in PG_FTS:
            op.execute(sql)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for name in ("question_fts_ai", "question_fts_au", "question_fts_ad", "question_tag_fts_ai",
                     "question_tag_fts_ad", "question_search_ai", "question_search_ad", "question_search_au",
                     "clarification_no_update", "clarification_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS question_fts")
        op.execute("DROP TABLE IF EXISTS question_search")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS question_search_sync ON question")
        op.execute("DROP TRIGGER IF EXISTS question_tag_search_sync ON question_tag")
        op.execute("DROP TABLE IF EXISTS question_search")
        op.execute("DROP FUNCTION IF EXISTS tracker_question_search()")
        op.execute("DROP FUNCTION IF EXISTS tracker_question_document(varchar)")
    op.drop_table("team_setting")
    op.drop_index("ix_clarification_question_id", table_name="clarification")
    op.drop_table("clarification")
    with op.batch_alter_table("analyst") as batch:
        batch.drop_column("email")
    with op.batch_alter_table("question") as batch:
        batch.drop_column("criteria")
