"""The wording of a permission refusal (which right the user lacks, whom
to ask), and the database administration the CLI reaches through here:
``backup`` (:mod:`tracker.storage.backup`), ``verify``
(:mod:`tracker.storage.verify`) and the PostgreSQL roles of a team
(:mod:`tracker.storage.roles`).
"""

from __future__ import annotations

import contextlib
import re
from typing import Optional

from ..errors import DatabaseError
# the administration the CLI reaches through here, imported when first asked for (every forecast
# imports this module for explain_refusal; none of them needs backup, verify or the role set-up)
_LAZY = {
    "backup": "backup",
    "verify": "verify",
    **{name: "roles" for name in ("GROUPS", "KINDS", "READABLE_TABLES", "check_role_name", "grant_role",
                                  "group_names", "role_kind", "tracker_location")},
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"..storage.{module}", __package__), name)


_TABLE_ACTIONS = {"resolution": "resolve", "forecast": "forecast", "analyst": "forecast",
                  "question": "question", "question_tag": "question", "scenario": "question"}


def refusal_message(store, action: str, detail: str) -> Optional[str]:
    """A permission refusal that names the right the user lacks (and whom to
    ask), not the table the database named; None to keep ``detail``."""
    lower = detail.lower()
    if "permission denied" not in lower or "append-only" in lower or "only the owner" in lower:
        return None
    table = re.search(r'(?:table|relation) "?([a-z_]+)"?', lower)
    if action == "import":
        action = _TABLE_ACTIONS.get(table.group(1), "import") if table else "import"
    from ..storage.roles import role_kind

    kind, user = role_kind(store)
    own_name = "row-level security" in lower
    who = f" ({user})" if user else ""
    if action == "resolve":
        if kind == "reviewer" and own_name:
            return f"permission denied: reviewers record resolutions under their own name only{who}"
        if kind == "analyst":
            return "permission denied: analysts may not resolve; ask a reviewer"
        return "permission denied: recording resolutions needs the reviewer role; ask the database owner (tracker db grant-reviewer)"
    if action == "forecast":
        if kind == "analyst" and own_name:
            return f"permission denied: analysts forecast under their own name only{who}"
        if kind == "reviewer":
            return "permission denied: reviewers may not forecast; ask an analyst"
        return "permission denied: forecasting needs the analyst role; ask the database owner (tracker db grant-analyst)"
    if action == "question":
        if kind == "reviewer":
            return "permission denied: reviewers may not add or change questions; ask an analyst"
        if kind == "analyst":
            if table and table.group(1) == "question_tag" and own_name:
                return "permission denied: analysts tag only the questions they add; ask the database owner"
            return "permission denied: analysts add new questions but may not change recorded ones; ask the database owner"
        return "permission denied: adding questions needs the analyst role; ask the database owner (tracker db grant-analyst)"
    return None


@contextlib.contextmanager
def explain_refusal(store, action: str):
    """Re-word a permission refusal raised inside: see :func:`refusal_message`."""
    try:
        yield
    except DatabaseError as exc:
        if not getattr(store, "has_roles", False):  # no roles: the refusal says it all
            raise
        better = refusal_message(store, action, str(exc))
        if better is None:
            raise
        raise DatabaseError(better) from None
