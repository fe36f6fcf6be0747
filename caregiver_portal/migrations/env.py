"""Alembic environment: runs against the connection handed over by caregiver_portal.migrate."""

from alembic import context

from caregiver_portal.bands import models as _band_models  # noqa: F401  (wristband status table)
from caregiver_portal.community import models as _community_models  # noqa: F401  (community tables)
from caregiver_portal.models import Base

target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only when someone runs the alembic CLI directly
    raise RuntimeError("run migrations with `anxin admin migrate`, which passes the connection")

context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
