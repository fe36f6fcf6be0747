"""Schema migrations (Alembic), run programmatically at start and by `anxin admin migrate`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    """An Alembic config pointing at the packaged migrations."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


@contextmanager
def migrating(engine: Engine) -> Iterator[Config]:
    """An Alembic config whose commands run on one connection, committed when the block ends.

    On SQLite, foreign keys are off while migrating (SQLite's own procedure for schema changes,
    https://www.sqlite.org/lang_altertable.html): a batch migration copies a table, drops the old one and
    renames the copy, and with foreign keys on, dropping a table other rows point to (``alerts``) fails.
    Every reference is checked before the commit, and the connection goes back with foreign keys on.
    """
    config = alembic_config(engine)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # on the driver connection: a PRAGMA inside the BEGIN IMMEDIATE would do nothing
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            config.attributes["connection"] = connection
            yield config
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left rows pointing nowhere: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def upgrade_to_head(engine: Engine) -> None:
    """Bring the database schema to the newest revision of every branch (idempotent)."""
    with migrating(engine) as config:
        command.upgrade(config, "heads")


def make_revision(engine: Engine, message: str) -> None:
    """Autogenerate a new revision from the models (developer tool)."""
    config = alembic_config(engine)
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.revision(config, message=message, autogenerate=True)
