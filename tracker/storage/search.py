"""Full-text search of questions: one query, answered by the database's own
index (SQLite FTS5, PostgreSQL ``tsvector`` with a GIN index), never a scan
of every row in Python. The index is kept by triggers (migration 0005)."""

from __future__ import annotations

import re

MAX_TERMS = 16


def terms(words: str) -> list[str]:
    """The words of a query, lowercased, as the index splits them (letters
    and digits; '-', '_' and '.' separate words, so ids are searchable)."""
    return re.findall(r"[^\W_]+", str(words).lower())[:MAX_TERMS]


def search_ids(conn, words: str, *, limit: int = 50, any_word: bool = False) -> list[tuple[str, float]]:
    """(question id, score) of the questions whose id, text, criteria or tags
    hold every word of ``words`` (as a prefix: 'sanct' finds 'sanctions'),
    best first; ``any_word``: those holding any of them (for suggestions)."""
    found = terms(words)
    if not found:
        return []
    mode = "or" if any_word else "and"
    if conn.dialect.name == "sqlite":
        return _sqlite(conn, found, mode, limit)
    return _postgres(conn, found, mode, limit)


def _sqlite(conn, found: list[str], mode: str, limit: int) -> list[tuple[str, float]]:
    query = f" {mode.upper()} ".join(f'"{t}"*' for t in found)
    # weights: id, text, criteria, tags
    rank = "bm25(question_fts, 4.0, 10.0, 2.0, 5.0)"
    rows = conn.exec_driver_sql(
        f"SELECT s.question_id, {rank} AS r FROM question_fts JOIN question_search s ON s.doc_id = question_fts.rowid "
        f"WHERE question_fts MATCH ? ORDER BY r, s.question_id LIMIT ?",
        (query, int(limit)),
    ).fetchall()
    return [(qid, -float(r)) for qid, r in rows]


def _postgres(conn, found: list[str], mode: str, limit: int) -> list[tuple[str, float]]:
    from sqlalchemy import text

    query = (" & " if mode == "and" else " | ").join(f"{t}:*" for t in found)
    rows = conn.execute(
        text(
            "SELECT s.question_id, ts_rank_cd(s.document, q) AS r FROM question_search s, "
            "to_tsquery('simple', :q) q WHERE s.document @@ q ORDER BY r DESC, s.question_id LIMIT :n"
        ),
        {"q": query, "n": int(limit)},
    ).fetchall()
    return [(qid, float(r)) for qid, r in rows]
