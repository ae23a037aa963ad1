"""Alembic environment: runs on the connection the tool hands over."""

from alembic import context

from tracker.models import SQLModel
from tracker.storage.migrations import include_object

target_metadata = SQLModel.metadata
config = context.config
connection = config.attributes.get("connection")
if connection is None:  # pragma: no cover - the tool always passes one
    raise RuntimeError("tracker migrations run through tracker.storage.migrate()")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
