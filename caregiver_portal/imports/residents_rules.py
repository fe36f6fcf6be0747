"""Residents from a centre's spreadsheet, pure: the columns, each row checked, and the plan against the
residents already stored (new, updated by 居民码, unchanged, or refused with the reason).

Nothing here touches the database: :func:`plan_residents` takes a snapshot of what is stored
(:class:`StoredResident`) and answers one :class:`Outcome` per row. A column the sheet does not have
leaves that field of stored residents as it is; a column it has is the truth, blanks included.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace

from caregiver_portal.core.sheets import Column, Row, Table
from caregiver_portal.imports.fields import (
    CONSENT_TEXT,
    CellError,
    ContactSpec,
    cell_problem,
    read_code,
    read_consent,
    read_contacts,
    read_phone,
)
from caregiver_portal.imports.outcomes import Outcome, Plan, count, read_rows, repeats

NAME, ROOM, PHONE, CONTACTS = "姓名", "楼栋/房间", "电话", "紧急联系人及电话"
GRID, CONSENT, CODE = "网格", "健康数据授权", "居民码"
COLUMNS = (
    Column(NAME, ("居民姓名", "老人姓名"), required=True),
    Column(ROOM, ("楼栋房间", "房间", "房间号", "住址", "楼号房号", "门牌", "地址"), required=True),
    Column(PHONE, ("联系电话", "手机", "手机号", "本人电话")),
    Column(CONTACTS, ("紧急联系人", "紧急联系人电话", "家属及电话", "家属联系方式")),
    Column(GRID, ("所属网格", "网格名称")),
    Column(CONSENT, ("健康授权", "健康数据授权书", "授权")),
    Column(CODE, ("居民编号", "编号", "居民号")),
)
TITLES = tuple(column.title for column in COLUMNS)
CONSENT_LABELS = {"yes": "已同意", "no": "不同意", "unknown": "未询问"}


@dataclass(frozen=True)
class ResidentRow:
    """One resident as the sheet gives them; None means the sheet has no such column."""

    number: int
    name: str
    room: str
    code: str = ""
    phone: str | None = None
    contacts: tuple[ContactSpec, ...] | None = None
    grid: str | None = None
    consent: str | None = None


@dataclass(frozen=True)
class StoredResident:
    """What is stored about a resident of the site, in the sheet's terms."""

    id: int
    code: str
    name: str
    room: str
    phone: str = ""
    contacts: tuple[ContactSpec, ...] = ()
    grid: str = ""
    consent: str = "unknown"


def read_row(row: Row, columns: Collection[str]) -> ResidentRow:
    """One sheet row as a :class:`ResidentRow`, or :class:`CellError` listing each bad cell."""
    problems = [problem for column in columns if (problem := cell_problem(row, column))]
    values: dict[str, object] = {}
    readers = ((PHONE, "phone", lambda text: read_phone(text, PHONE)), (CONTACTS, "contacts", read_contacts),
               (CONSENT, "consent", read_consent), (CODE, "code", lambda text: read_code(text, CODE)),
               (GRID, "grid", lambda text: text.strip()[:100]))
    for column, key, reader in readers:
        if column in columns and not cell_problem(row, column):
            try:
                values[key] = reader(row.text(column))
            except CellError as exc:
                problems.append(str(exc))
    name = row.text(NAME)
    if not name and not cell_problem(row, NAME):
        problems.append("「姓名」是空的")
    elif len(name) > 100:
        problems.append("「姓名」太长（最多 100 个字）")
    if len(row.text(ROOM)) > 50:
        problems.append("「楼栋/房间」太长（最多 50 个字）")
    if problems:
        raise CellError("；".join(problems))
    return ResidentRow(number=row.number, name=name, room=row.text(ROOM), **values)  # type: ignore[arg-type]


def plan_residents(table: Table, *, stored: Sequence[StoredResident], grids: Collection[str],
                   codes_elsewhere: Collection[str]) -> Plan[ResidentRow]:
    """What importing ``table`` into a site holding ``stored`` residents and ``grids`` would do.

    ``codes_elsewhere`` are 居民码 already used at other sites (codes are unique across sites).
    """
    repeated = repeats(table, (("居民码 ", lambda row: row.text(CODE)), ("", _person_without_code)))
    rows, outcomes = read_rows(table, lambda row: read_row(row, table.columns), name_column=NAME, repeated=repeated)
    by_code = {resident.code: resident for resident in stored if resident.code}
    by_place = {(resident.name, resident.room): resident for resident in stored}
    for row in rows:
        outcomes.append(_outcome(row, by_code, by_place, codes_elsewhere))
    outcomes.sort(key=lambda outcome: outcome.number)
    new_grids = sorted({row.grid for row in rows if row.grid and row.grid not in grids})
    missing = tuple(title for title in TITLES if title not in table.columns)
    return Plan(tuple(outcomes), tuple(new_grids), table.ignored, missing, count(outcomes))


def _person_without_code(row: Row) -> str:
    """How a row without 居民码 is told apart: name and room."""
    return "" if row.text(CODE) else f"{row.text(NAME)}（{row.text(ROOM)}）"


def _outcome(row: ResidentRow, by_code: Mapping[str, StoredResident],
             by_place: Mapping[tuple[str, str], StoredResident],
             codes_elsewhere: Collection[str]) -> Outcome[ResidentRow]:
    if row.code and row.code in codes_elsewhere:
        return Outcome(row.number, "error", name=row.name, row=row,
                       messages=(f"居民码 {row.code} 已被其他站点的居民使用",))
    current = by_code.get(row.code) if row.code else by_place.get((row.name, row.room))
    if current is None:
        return Outcome(row.number, "create", name=row.name, row=row)
    changes = changed_columns(current, row)
    notes = ("撤回健康数据授权：将删除已保存的健康数据",) if current.consent == "yes" and row.consent in (
        "no", "unknown") else ()
    if not row.code:
        row = replace(row, code=current.code)
    return Outcome(row.number, "update" if changes else "unchanged", name=row.name, messages=notes, changes=changes,
                   row=row, target_id=current.id)


def changed_columns(current: StoredResident, row: ResidentRow) -> tuple[str, ...]:
    """The columns whose value in ``row`` differs from what is stored."""
    pairs = ((NAME, current.name, row.name), (ROOM, current.room, row.room), (PHONE, current.phone, row.phone),
             (CONTACTS, current.contacts, row.contacts), (GRID, current.grid, row.grid),
             (CONSENT, current.consent, row.consent))
    return tuple(title for title, old, new in pairs if new is not None and new != old)


def export_row(resident: StoredResident) -> tuple[str, ...]:
    """A stored resident as a row of the import sheet (in :data:`TITLES` order): export reads back unchanged."""
    return (resident.name, resident.room, resident.phone, "；".join(c.display() for c in resident.contacts),
            resident.grid, CONSENT_TEXT[resident.consent], resident.code)
