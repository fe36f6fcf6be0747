"""Moving hours between banks: the ledger exported as JSON or CSV (docs/timebank-format.md) and imported.

Every line carries its stable id (``PointsEntry.uid``); a site stores each id once, so importing
the same file twice, or a file that overlaps an earlier one, adds nothing twice. People are matched
at the receiving site by kind and phone number; hours (not points) travel, converted with each site's
points per hour.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from caregiver_portal.accounts.models import Site, User
from caregiver_portal.core.errors import InvalidTransition, NotFound
from caregiver_portal.core.uow import transactional
from caregiver_portal.residents.models import Resident, ResidentProfile
from caregiver_portal.timebank import rules
from caregiver_portal.timebank.ledger import Holder, credit, scheme_for
from caregiver_portal.timebank.models import PointsEntry

FORMAT = "anxin-timebank/1"
COLUMNS = ("id", "holder_kind", "holder_name", "holder_phone", "hours", "points", "service", "occurred_at", "note",
           "entered_by", "origin")


class ExportLine(BaseModel):
    """One ledger line in an export file (the columns of docs/timebank-format.md)."""

    model_config = ConfigDict(extra="ignore")
    id: str = Field(min_length=1, max_length=80)
    holder_kind: str = Field(pattern="^(volunteer|resident)$")
    holder_name: str = Field(max_length=100)
    holder_phone: str = Field(default="", max_length=40)
    hours: float = Field(ge=-100000, le=100000)
    points: int = 0
    service: str = Field(max_length=30)
    occurred_at: datetime
    note: str = Field(default="", max_length=200)
    entered_by: str = Field(default="", max_length=100)
    origin: str = Field(default="", max_length=100)


def export_lines(session: Session, *, site_id: int) -> list[ExportLine]:
    """Every ledger line of a site, oldest first, with its holder's name and phone."""
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound("找不到站点")
    scheme = scheme_for(session, site_id=site_id)
    entered = aliased(User)
    query = (select(PointsEntry, User, Resident, ResidentProfile.phone, entered.display_name)
             .outerjoin(User, User.id == PointsEntry.user_id)
             .outerjoin(Resident, Resident.id == PointsEntry.resident_id)
             .outerjoin(ResidentProfile, ResidentProfile.resident_id == PointsEntry.resident_id)
             .outerjoin(entered, entered.id == PointsEntry.created_by_id)
             .where(PointsEntry.site_id == site_id).order_by(PointsEntry.created_at, PointsEntry.id))
    lines = []
    for entry, user, resident, resident_phone, entered_by in session.execute(query):
        volunteer = user is not None
        lines.append(ExportLine(
            id=entry.uid, holder_kind="volunteer" if volunteer else "resident",
            holder_name=user.display_name if volunteer else resident.name,
            holder_phone=(user.phone if volunteer else resident_phone) or "",
            hours=rules.hours_of(entry.points, scheme),
            points=entry.points, service=entry.service, occurred_at=entry.created_at, note=entry.note,
            entered_by=entered_by or "", origin=entry.origin or site.name))
    return lines


def export_json(session: Session, *, site_id: int, now: datetime) -> str:
    """The site's ledger as the JSON export file."""
    site = session.get(Site, site_id)
    assert site is not None
    scheme = scheme_for(session, site_id=site_id)
    document = {"format": FORMAT, "exported_at": now.isoformat(),
                "source": {"name": site.name, "points_per_hour": scheme.points_per_hour},
                "entries": [line.model_dump(mode="json") for line in export_lines(session, site_id=site_id)]}
    return json.dumps(document, ensure_ascii=False, indent=1)


def export_csv(session: Session, *, site_id: int) -> str:
    """The site's ledger as the CSV export file (UTF-8, a header row, the same columns as JSON)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for line in export_lines(session, site_id=site_id):
        writer.writerow(line.model_dump(mode="json"))
    return out.getvalue()


def parse_file(raw: bytes) -> tuple[str, list[ExportLine]]:
    """An export file (JSON or CSV, told apart by its first character) as its source name and lines."""
    text = raw.decode("utf-8-sig", errors="strict").strip()
    try:
        if text.startswith("{"):
            document = json.loads(text)
            if document.get("format") != FORMAT:
                raise InvalidTransition(f"不是 {FORMAT} 格式的文件")
            rows: list[dict[str, Any]] = list(document.get("entries") or [])
            source = str((document.get("source") or {}).get("name") or "")
        else:
            rows = list(csv.DictReader(io.StringIO(text)))
            source = ""
        return source, [ExportLine.model_validate(row) for row in rows]
    except (ValueError, ValidationError) as exc:  # JSONDecodeError is a ValueError
        raise InvalidTransition(f"文件格式不对：{str(exc).splitlines()[0][:120]}") from exc


@dataclass
class ImportResult:
    """What an import stored and what it refused (row number from 1, reason)."""

    stored: int = 0
    refused: list[tuple[int, str]] = field(default_factory=list)


def _holder_here(session: Session, site_id: int, line: ExportLine) -> Holder | None:
    """The person of this line at the receiving site, by phone number."""
    phone = line.holder_phone.strip()
    if not phone:
        return None
    if line.holder_kind == "volunteer":
        user_id = session.scalar(select(User.id).where(User.site_id == site_id, User.phone == phone))
        return Holder("user", user_id) if user_id is not None else None
    resident_id = session.scalar(select(Resident.id).join(ResidentProfile, ResidentProfile.resident_id == Resident.id)
                                 .where(Resident.site_id == site_id, ResidentProfile.phone == phone))
    return Holder("resident", resident_id) if resident_id is not None else None


@transactional
def import_file(*, session: Session, site_id: int, raw: bytes, by: User) -> ImportResult:
    """Store the lines of an export file at ``site_id``; ids stored before, repeated ids and unknown people refused."""
    source, lines = parse_file(raw)
    holders = [_holder_here(session, site_id, line) for line in lines]
    ids = [line.id for line in lines]
    stored = set(session.scalars(select(PointsEntry.uid).where(PointsEntry.site_id == site_id,
                                                               PointsEntry.uid.in_(ids)))) if ids else set()
    plan = rules.plan_import(ids, stored=stored, holders_found=[holder is not None for holder in holders])
    result = ImportResult(refused=[(index + 1, reason) for index, reason in plan.refused])
    scheme = scheme_for(session, site_id=site_id)
    for index in plan.accepted:
        line, holder = lines[index], holders[index]
        assert holder is not None
        points = round(line.hours * scheme.points_per_hour)
        origin = line.origin or source or "外部"
        note = f"转入（{origin} · {line.service}）{line.note}"
        if points >= 0:
            # The line keeps when it was earned (expiry counts from it).
            entry = credit(session=session, holder=holder, site_id=site_id, points=points, service="import",
                           now=line.occurred_at, note=note, created_by_id=by.id, uid=line.id, origin=origin)
            if entry is None:  # stored a moment ago by a concurrent import
                result.refused.append((index + 1, "已导入过（记录编号重复）"))
                continue
        else:
            session.add(PointsEntry(uid=line.id, site_id=site_id, points=points, service="import", note=note[:200],
                                    created_at=line.occurred_at, created_by_id=by.id, origin=origin[:100],
                                    **holder.columns()))
        result.stored += 1
    session.flush()
    return result
