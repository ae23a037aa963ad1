"""The database's own guards, as the migrations create them.

One place holds the SQL of every trigger, trigger function and CHECK
constraint that keeps history append-only and questions well formed, so that
the migrations create exactly this and ``tracker db verify`` compares what a
database holds against it (a trigger switched to ``ENABLE REPLICA``, a
function whose body no longer raises, a SQLite trigger recreated with
``WHEN 0``: each differs from the text here).

What the guards enforce, on both backends:

- forecasts and resolutions are never updated or deleted (0002), and on SQLite
  never replaced: ``REPLACE INTO`` deletes the old row without firing delete
  triggers, so an insert whose id exists is refused (0004);
- a question is not conditional on itself, nor implies itself; a condition
  names both a question and an outcome; it has at least two outcomes; its
  deadline is not before the day it opened (0004);
- a resolved question's definition (text, kind, outcomes, deadline, opening,
  links, phrase, source sentence and extraction data) is frozen (0004).

On PostgreSQL only (where roles other than the owner write), 0004 adds: the
database, not the client, sets ``recorded_at`` of a forecast or resolution
written by any role but the tables' owner; such a role's live forecast is
made when it is recorded; only the owner records imported history; and no
such role forecasts on a resolved question or after the deadline.
"""

from __future__ import annotations


def normalize(sql: str | None) -> str:
    """SQL text with runs of whitespace made one space (for comparisons)."""
    return " ".join((sql or "").split())


# ------------------------------------------------------------------ SQLite

_APPEND_ONLY_0002 = {
    f"{table}_no_{action.lower()}": (
        table,
        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only'); END",
    )
    for table in ("forecast", "resolution")
    for action in ("UPDATE", "DELETE")
}

_NO_REPLACE = {
    f"{table}_no_replace": (
        table,
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
        f"WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id) "
        f"BEGIN SELECT RAISE(ABORT, '{table} rows are append-only: a row with this id exists'); END",
    )
    for table in ("forecast", "resolution")
}

# the rules a question row obeys, as statements of a trigger body
_SQLITE_QUESTION_RULES = (
    "SELECT RAISE(ABORT, 'a question cannot be conditional on itself') WHERE NEW.condition_question_id = NEW.id; "
    "SELECT RAISE(ABORT, 'a question cannot imply itself') WHERE NEW.implies_question_id = NEW.id; "
    "SELECT RAISE(ABORT, 'a condition needs both a question and an outcome') "
    "WHERE (NEW.condition_question_id IS NULL) <> (NEW.condition_outcome IS NULL); "
    "SELECT RAISE(ABORT, 'a question is binary or categorical') WHERE NEW.kind NOT IN ('binary', 'categorical'); "
    "SELECT RAISE(ABORT, 'a question needs at least two outcomes') "
    "WHERE NOT json_valid(NEW.outcomes) OR json_type(NEW.outcomes) <> 'array' OR json_array_length(NEW.outcomes) < 2; "
    "SELECT RAISE(ABORT, 'a question''s deadline is before the day it opened') WHERE NEW.deadline < date(NEW.opened_at);"
)

# what may not change once a question is resolved
FROZEN_COLUMNS = (
    "text", "kind", "outcomes", "ordered", "deadline", "opened_at", "condition_question_id", "condition_outcome",
    "implies_question_id", "source_sentence", "phrase", "source_document", "extra",
)

_QUESTION_SQLITE = {
    "question_rules_insert": (
        "question",
        f"CREATE TRIGGER question_rules_insert BEFORE INSERT ON question BEGIN {_SQLITE_QUESTION_RULES} END",
    ),
    "question_rules_update": (
        "question",
        f"CREATE TRIGGER question_rules_update BEFORE UPDATE ON question BEGIN {_SQLITE_QUESTION_RULES} END",
    ),
    "question_frozen": (
        "question",
        "CREATE TRIGGER question_frozen BEFORE UPDATE ON question "
        "WHEN EXISTS (SELECT 1 FROM resolution WHERE question_id = OLD.id) AND ("
        + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FROZEN_COLUMNS)
        + ") BEGIN SELECT RAISE(ABORT, 'the question is resolved: its definition is frozen'); END",
    ),
}

# clarifications of a question's criteria are append-only like forecasts (0005)
_CLARIFICATION_0005 = {
    f"clarification_no_{action.lower()}": (
        "clarification",
        f"CREATE TRIGGER clarification_no_{action.lower()} BEFORE {action} ON clarification "
        "BEGIN SELECT RAISE(ABORT, 'clarification rows are append-only'); END",
    )
    for action in ("UPDATE", "DELETE")
}

# 0007: no REPLACE INTO clarification either; a correction link is set when a
# question is made (or by a restore, from nothing) and never changed or removed
_CLARIFICATION_NO_REPLACE_0007 = {
    "clarification_no_replace": (
        "clarification",
        "CREATE TRIGGER clarification_no_replace BEFORE INSERT ON clarification "
        "WHEN EXISTS (SELECT 1 FROM clarification WHERE id = NEW.id) "
        "BEGIN SELECT RAISE(ABORT, 'clarification rows are append-only: a row with this id exists'); END",
    )
}
_CORRECTS_SQLITE_0007 = {
    "question_corrects_rules": (
        "question",
        "CREATE TRIGGER question_corrects_rules BEFORE INSERT ON question "
        "WHEN NEW.corrects_question_id = NEW.id "
        "BEGIN SELECT RAISE(ABORT, 'a question cannot correct itself'); END",
    ),
    "question_corrects_fixed": (
        "question",
        "CREATE TRIGGER question_corrects_fixed BEFORE UPDATE OF corrects_question_id ON question "
        "WHEN OLD.corrects_question_id IS NOT NULL AND NEW.corrects_question_id IS NOT OLD.corrects_question_id "
        "OR NEW.corrects_question_id = NEW.id "
        "BEGIN SELECT RAISE(ABORT, 'a correction link is fixed once recorded'); END",
    ),
}

# name -> (table, CREATE statement), per revision that creates them
SQLITE_HISTORY_TRIGGERS = {**_APPEND_ONLY_0002, **_NO_REPLACE, **_CLARIFICATION_0005, **_CLARIFICATION_NO_REPLACE_0007}
SQLITE_QUESTION_TRIGGERS_0004 = dict(_QUESTION_SQLITE)
SQLITE_QUESTION_TRIGGERS_0007 = dict(_CORRECTS_SQLITE_0007)
SQLITE_CLARIFICATION_TRIGGERS_0007 = dict(_CLARIFICATION_NO_REPLACE_0007)
SQLITE_QUESTION_TRIGGERS = {**SQLITE_QUESTION_TRIGGERS_0004, **SQLITE_QUESTION_TRIGGERS_0007}


# -------------------------------------------------------------- PostgreSQL

APPEND_ONLY_FUNCTION_0002 = """
            BEGIN
                RAISE EXCEPTION '% rows are append-only', TG_TABLE_NAME
                    USING ERRCODE = 'insufficient_privilege';
            END;
            """

RECORD_TIMES_FUNCTION_0004 = """
DECLARE
    owner boolean := pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER');
    question_deadline date;
BEGIN
    IF owner THEN
        RETURN NEW;
    END IF;
    NEW.recorded_at := now();
    IF TG_TABLE_NAME = 'forecast' THEN
        IF NEW.imported THEN
            RAISE EXCEPTION 'only the owner of the database records imported history'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.made_at := NEW.recorded_at;
        IF EXISTS (SELECT 1 FROM resolution r WHERE r.question_id = NEW.question_id) THEN
            RAISE EXCEPTION 'question % is already resolved: no more forecasts', NEW.question_id
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT q.deadline INTO question_deadline FROM question q WHERE q.id = NEW.question_id;
        IF question_deadline IS NOT NULL AND (NEW.made_at AT TIME ZONE 'UTC')::date > question_deadline THEN
            RAISE EXCEPTION 'the deadline of question % has passed: no more forecasts', NEW.question_id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
"""

# 0007: a clarification is made when it is recorded, and a deadline day ends at
# midnight in the team's time zone (the `timezone` team setting, UTC unless set)
RECORD_TIMES_FUNCTION = """
DECLARE
    owner boolean := pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER');
    question_deadline date;
    team_zone text;
BEGIN
    IF owner THEN
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'clarification' THEN
        NEW.made_at := now();
        RETURN NEW;
    END IF;
    NEW.recorded_at := now();
    IF TG_TABLE_NAME = 'forecast' THEN
        IF NEW.imported THEN
            RAISE EXCEPTION 'only the owner of the database records imported history'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        NEW.made_at := NEW.recorded_at;
        IF EXISTS (SELECT 1 FROM resolution r WHERE r.question_id = NEW.question_id) THEN
            RAISE EXCEPTION 'question % is already resolved: no more forecasts', NEW.question_id
                USING ERRCODE = 'check_violation';
        END IF;
        SELECT q.deadline INTO question_deadline FROM question q WHERE q.id = NEW.question_id;
        SELECT s.value INTO team_zone FROM team_setting s WHERE s.key = 'timezone';
        IF team_zone IS NULL OR NOT EXISTS (SELECT 1 FROM pg_timezone_names z WHERE z.name = team_zone) THEN
            team_zone := 'UTC';
        END IF;
        IF question_deadline IS NOT NULL AND (NEW.made_at AT TIME ZONE team_zone)::date > question_deadline THEN
            RAISE EXCEPTION 'the deadline of question % has passed: no more forecasts', NEW.question_id
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
"""

CORRECTS_FIXED_FUNCTION = """
BEGIN
    IF OLD.corrects_question_id IS NOT NULL AND NEW.corrects_question_id IS DISTINCT FROM OLD.corrects_question_id THEN
        RAISE EXCEPTION 'question %: a correction link is fixed once recorded', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
"""

QUESTION_FROZEN_FUNCTION = (
    """
BEGIN
    IF EXISTS (SELECT 1 FROM resolution r WHERE r.question_id = OLD.id) AND ("""
    + " OR ".join(
        f"NEW.{c}::jsonb IS DISTINCT FROM OLD.{c}::jsonb" if c in ("outcomes", "extra") else f"NEW.{c} IS DISTINCT FROM OLD.{c}"
        for c in FROZEN_COLUMNS
    )
    + """) THEN
        RAISE EXCEPTION 'question % is resolved: its definition is frozen', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
"""
)

# function name -> body (the text between the dollar quotes)
PG_FUNCTIONS = {
    "tracker_append_only": APPEND_ONLY_FUNCTION_0002,
    "tracker_record_times": RECORD_TIMES_FUNCTION,
    "tracker_question_frozen": QUESTION_FROZEN_FUNCTION,
    "tracker_corrects_fixed": CORRECTS_FIXED_FUNCTION,
}

# pg_trigger.tgtype bits
_ROW, _BEFORE, _INSERT, _DELETE, _UPDATE, _TRUNCATE = 1, 2, 4, 8, 16, 32

# name -> (table, tgtype, function)
PG_HISTORY_TRIGGERS = {
    "forecast_append_only": ("forecast", _ROW | _BEFORE | _UPDATE | _DELETE, "tracker_append_only"),
    "forecast_no_truncate": ("forecast", _BEFORE | _TRUNCATE, "tracker_append_only"),
    "resolution_append_only": ("resolution", _ROW | _BEFORE | _UPDATE | _DELETE, "tracker_append_only"),
    "resolution_no_truncate": ("resolution", _BEFORE | _TRUNCATE, "tracker_append_only"),
    "forecast_record_times": ("forecast", _ROW | _BEFORE | _INSERT, "tracker_record_times"),
    "resolution_record_times": ("resolution", _ROW | _BEFORE | _INSERT, "tracker_record_times"),
    # 0005
    "clarification_append_only": ("clarification", _ROW | _BEFORE | _UPDATE | _DELETE, "tracker_append_only"),
    "clarification_no_truncate": ("clarification", _BEFORE | _TRUNCATE, "tracker_append_only"),
    # 0007
    "clarification_record_times": ("clarification", _ROW | _BEFORE | _INSERT, "tracker_record_times"),
}
PG_QUESTION_TRIGGERS = {
    "question_frozen": ("question", _ROW | _BEFORE | _UPDATE, "tracker_question_frozen"),
    # 0007
    "question_corrects_fixed": ("question", _ROW | _BEFORE | _UPDATE, "tracker_corrects_fixed"),
}

# name -> the CHECK expression on question
PG_QUESTION_CHECKS_0004 = {
    "ck_question_not_self_conditional": "condition_question_id IS NULL OR condition_question_id <> id",
    "ck_question_not_self_implied": "implies_question_id IS NULL OR implies_question_id <> id",
    "ck_question_condition_pair": "(condition_question_id IS NULL) = (condition_outcome IS NULL)",
    "ck_question_kind": "kind IN ('binary', 'categorical')",
    "ck_question_outcomes": "json_typeof(outcomes) = 'array' AND json_array_length(outcomes) >= 2",
    "ck_question_opened_by_deadline": "deadline >= (opened_at AT TIME ZONE 'UTC')::date",
}
PG_QUESTION_CHECKS_0007 = {
    "ck_question_not_self_corrected": "corrects_question_id IS NULL OR corrects_question_id <> id",
}
PG_QUESTION_CHECKS = {**PG_QUESTION_CHECKS_0004, **PG_QUESTION_CHECKS_0007}


def pg_function_sql(name: str, body: str | None = None) -> str:
    """CREATE OR REPLACE of a trigger function: its current body, or ``body``
    (a migration creating the version of its own revision)."""
    return f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$\n{body or PG_FUNCTIONS[name]}$$ LANGUAGE plpgsql"


def pg_trigger_sql(name: str, spec: tuple) -> str:
    table, tgtype, function = spec
    events = [e for bit, e in ((_INSERT, "INSERT"), (_UPDATE, "UPDATE"), (_DELETE, "DELETE"), (_TRUNCATE, "TRUNCATE")) if tgtype & bit]
    level = "ROW" if tgtype & _ROW else "STATEMENT"
    return f"CREATE TRIGGER {name} BEFORE {' OR '.join(events)} ON {table} FOR EACH {level} EXECUTE FUNCTION {function}()"
