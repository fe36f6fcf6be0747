"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import importlib
import pkgutil

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import caregiver_portal
from caregiver_portal.core.db import create_db_engine
from caregiver_portal.core.models import Base
from caregiver_portal.migrate import alembic_config, upgrade_to_head

ESCALATION_TABLES = {"user_grids", "emergency_contacts", "health_thresholds", "notification_channels",
                     "notifications", "notification_sends", "escalations", "reading_rollups"}


def import_every_models_module() -> None:
    """Each feature package keeps its tables in ``<package>.models`` (a migration branch of its own)."""
    for package in pkgutil.iter_modules(caregiver_portal.__path__):
        if package.ispkg:
            name = f"caregiver_portal.{package.name}.models"
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise


def test_models_match_migrations(empty_database_url: str) -> None:
    import_every_models_module()
    engine = create_db_engine(empty_database_url)
    try:
        upgrade_to_head(engine)
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True, "render_as_batch": True})
            diff = compare_metadata(context, Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_revision_0002_downgrades_and_upgrades_again(empty_database_url: str) -> None:
    engine = create_db_engine(empty_database_url)
    try:
        upgrade_to_head(engine)
        config = alembic_config(engine)
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "0002@0001")
            connection.commit()
            assert not ESCALATION_TABLES & set(inspect(connection).get_table_names())
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert ESCALATION_TABLES <= set(inspect(connection).get_table_names())
    finally:
        engine.dispose()
