"""Alembic migrations shipped inside the package (no alembic.ini needed)."""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent


def alembic_config(connection=None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(HERE))
    cfg.set_main_option("version_locations", str(HERE / "versions"))
    cfg.set_main_option("path_separator", "os")
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def run_upgrade(connection, target: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(connection), target)


def script_heads() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(alembic_config()).get_heads())


# Tables the migrations make and keep with SQL of their own (the full-text
# index): not in the models, so schema comparisons leave them out.
SEARCH_TABLES = ("question_search", "question_fts")


def include_object(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's filter: everything but the full-text index's tables."""
    table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", "")
    return not any(table == t or table.startswith(t + "_") for t in SEARCH_TABLES)
