"""Migration 0004 (branch "bands"): the band_status table comes and goes on its own branch."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect

from caregiver_portal.core.db import create_db_engine
from caregiver_portal.migrate import alembic_config, upgrade_to_head


def test_bands_branch_downgrades_alone_and_upgrades_again(empty_database_url: str) -> None:
    engine = create_db_engine(empty_database_url)
    try:
        upgrade_to_head(engine)
        config = alembic_config(engine)
        with engine.connect() as connection:
            config.attributes["connection"] = connection
            command.downgrade(config, "bands@0001")
            connection.commit()
            tables = set(inspect(connection).get_table_names())
        assert "band_status" not in tables and {"wristbands", "alerts"} <= tables
        upgrade_to_head(engine)
        with engine.connect() as connection:
            assert "band_status" in inspect(connection).get_table_names()
    finally:
        engine.dispose()
