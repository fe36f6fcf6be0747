"""Alembic environment: runs against the connection handed over by caregiver_portal.migrate."""

from alembic import context

from caregiver_portal.tables import metadata

target_metadata = metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI directly
    raise RuntimeError("run migrations with `anxin admin migrate`, which passes the connection")

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
