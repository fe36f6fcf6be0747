"""A resident's right to their data (PIPL): export everything held about them, or erase it.

Both work from the table metadata, so tables added later are covered without changes here:
every table with a ``resident_id`` column holds the resident's data; readings belong to them
through their wristbands. Alerts are operational records other people acted on: on erasure
they are kept but anonymised (no resident, no place, no details), so response-time reports
stay true.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from caregiver_portal.alerts.models import Alert
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.db import rows_changed
from caregiver_portal.core.errors import NotFound
from caregiver_portal.health.models import Reading, ReadingRollup
from caregiver_portal.health.readings import HEALTH_KINDS
from caregiver_portal.notifications.models import Notification
from caregiver_portal.residents.models import Resident
from caregiver_portal.tables import metadata

ERASED_PLACE = "（居民已申请删除）"
ERASED_NAME = "（已删除）"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _resident_tables() -> list[Table]:
    return [table for table in metadata.sorted_tables
            if "resident_id" in table.c and table.name not in ("residents",)]


def export_resident(*, session: Session, resident_id: int) -> dict[str, Any]:
    """Everything the portal holds about one resident, as JSON-ready data."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(f"resident {resident_id} not found")
    residents = metadata.tables["residents"]
    export: dict[str, Any] = {"residents": _rows(session, residents, residents.c.id == resident_id)}
    for table in _resident_tables():  # readings too: each keeps the resident who wore the band then
        export[table.name] = _rows(session, table, table.c.resident_id == resident_id)
    return export


def _rows(session: Session, table: Table, condition: ColumnElement[bool]) -> list[dict[str, Any]]:
    return [{key: _jsonable(value) for key, value in row._mapping.items()}
            for row in session.execute(select(table).where(condition))]


def erase_resident(*, session: Session, resident_id: int) -> dict[str, int]:
    """Delete the resident and their data; anonymise their alerts and remove their name from
    notices (activity reminders may name residents when a site turns on personal details);
    returns rows touched per table."""
    resident = session.get(Resident, resident_id)
    if resident is None:
        raise NotFound(f"resident {resident_id} not found")
    touched: dict[str, int] = {"notices (name removed)": _scrub_notices(session, resident.name)}
    touched["alerts (anonymised)"] = rows_changed(session,
        update(Alert).where(Alert.resident_id == resident_id)
        .values(resident_id=None, place=ERASED_PLACE, details={}))
    touched["wristbands (unpaired)"] = rows_changed(session,
        update(Wristband).where(Wristband.resident_id == resident_id).values(resident_id=None, label=""))
    for table in reversed(_resident_tables()):
        if table.name in ("alerts", "wristbands"):
            continue
        touched[table.name] = _delete_with_children(session, table, table.c.resident_id == resident_id)
    residents = metadata.tables["residents"]
    touched["residents"] = _delete_with_children(session, residents, residents.c.id == resident_id)
    return {name: count for name, count in touched.items() if count}


def forget_health_readings(*, session: Session, resident_id: int) -> int:
    """Delete the resident's health readings (raw and hourly, taken while they wore a band), e.g. when they
    withdraw consent; battery readings stay. Returns the rows deleted."""
    deleted = 0
    for model in (Reading, ReadingRollup):
        deleted += rows_changed(session, delete(model).where(model.resident_id == resident_id,
                                                             model.kind.in_(HEALTH_KINDS)))
    return deleted


def _scrub_notices(session: Session, name: str) -> int:
    """Replace ``name`` in the text of notices (outbox rows without an alert); returns rows changed."""
    changed = 0
    if not name.strip():
        return changed
    for notice in session.scalars(select(Notification).where(Notification.alert_id.is_(None))):
        payload = dict(notice.payload or {})
        text = str(payload.get("text", ""))
        if name in text:
            payload["text"] = text.replace(name, ERASED_NAME)
            notice.payload = payload  # reassign: JSON columns do not track in-place changes
            changed += 1
    return changed


def _delete_with_children(session: Session, table: Table, condition: ColumnElement[bool]) -> int:
    """Delete rows of ``table`` matching ``condition``; rows referring to them are deleted first
    (or, where the reference may be empty, keep existing without it)."""
    keys = [column for column in table.primary_key.columns]
    if len(keys) == 1:
        doomed = select(keys[0]).where(condition).scalar_subquery()
        for child in metadata.sorted_tables:
            for foreign_key in child.foreign_keys:
                if foreign_key.column is keys[0] and child is not table:
                    if child.name in ("alerts", "wristbands"):
                        continue  # anonymised above, never deleted
                    column = foreign_key.parent
                    if column.nullable:
                        session.execute(update(child).where(column.in_(doomed)).values({column.name: None}))
                    else:
                        _delete_with_children(session, child, column.in_(doomed))
    return rows_changed(session, delete(table).where(condition))

