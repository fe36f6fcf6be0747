"""Test databases: SQLite files, and throw-away PostgreSQL databases when configured.

Migrating a database takes about a second (more on PostgreSQL, far more on a loaded machine), and most
tests need one. So each test process migrates one *template* per backend, the first time it needs it,
and every new database is a copy: a SQLite file copied with SQLite's backup API, a PostgreSQL database
made with ``CREATE DATABASE ... TEMPLATE``. The copy is exactly what ``upgrade_to_head`` makes of an
empty database (running it again is a no-op), so tests see no difference. Tests of the migrations
themselves ask for an empty database (``schema=False``, or the ``empty_database_url`` fixture).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "ANXIN_TEST_DATABASE_URL"
DATABASE_BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_ENV) else [])

_templates: dict[str, str] = {}  # backend -> this process's migrated template (SQLite path, PostgreSQL name)


def _postgres_admin_url() -> str:
    url = make_url(os.environ[POSTGRES_ENV])
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _migrate(url: str) -> None:
    from caregiver_portal.core.db import create_db_engine
    from caregiver_portal.migrate import upgrade_to_head

    engine = create_db_engine(url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()


def _sqlite_template() -> str:
    if "sqlite" not in _templates:
        path = Path(tempfile.mkdtemp(prefix="anxin-template-")) / "template.sqlite3"
        _migrate(f"sqlite:///{path}")
        _templates["sqlite"] = str(path)
    return _templates["sqlite"]


def _postgres_template(admin_url: str) -> str:
    if "postgresql" not in _templates:
        name = f"anxin_tpl_{uuid.uuid4().hex[:12]}"
        _create_postgres(admin_url, name, template=None)
        _migrate(make_url(admin_url).set(database=name).render_as_string(hide_password=False))
        _templates["postgresql"] = name
    return _templates["postgresql"]


def _create_postgres(admin_url: str, name: str, *, template: str | None) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            clause = f' TEMPLATE "{template}"' if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    finally:
        admin.dispose()


def _drop_postgres(admin_url: str, name: str) -> None:
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def drop_templates() -> None:
    """Remove this process's templates (called once at the end of the test session)."""
    sqlite_path = _templates.pop("sqlite", None)
    if sqlite_path:
        shutil.rmtree(Path(sqlite_path).parent, ignore_errors=True)
    postgres_name = _templates.pop("postgresql", None)
    if postgres_name:
        _drop_postgres(_postgres_admin_url(), postgres_name)


@contextmanager
def fresh_database_url(backend: str, tmp_path: Path, *, schema: bool = True) -> Iterator[str]:
    """Yield the URL of a new database of ``backend`` at the newest schema, with no rows (or with no
    tables at all when ``schema`` is false); a PostgreSQL one is dropped afterwards."""
    if backend == "sqlite":
        path = tmp_path / "anxin-test.sqlite3"
        if schema:
            with closing(sqlite3.connect(_sqlite_template())) as source, closing(sqlite3.connect(path)) as target:
                source.backup(target)
        yield f"sqlite:///{path}"
        return
    admin_url = _postgres_admin_url()
    name = f"anxin_t_{uuid.uuid4().hex[:12]}"
    _create_postgres(admin_url, name, template=_postgres_template(admin_url) if schema else None)
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_postgres(admin_url, name)
