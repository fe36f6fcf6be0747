"""Volunteers and grid workers from a spreadsheet, pure: the columns, each row checked (phone, grids,
weekly on-call hours, leave), and the plan against the accounts already stored. Same shape and rules
as :mod:`.residents_rules`: a new account is on call at once (``值班时间`` blank means around the
clock), an existing one is found by 用户名 or else by 电话.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from caregiver_portal.core.sheets import Column, Row, Table
from caregiver_portal.imports.fields import CellError, cell_problem, read_code, read_phone
from caregiver_portal.imports.outcomes import Outcome, Plan, count, read_rows, repeats
from caregiver_portal.roster.rules import ALWAYS, RosterError, Shift, format_roster, parse_leave, parse_roster

NAME, PHONE, ROLE, GRIDS, ROSTER, LEAVE, USERNAME, PASSWORD = (
    "姓名", "电话", "角色", "网格", "值班时间", "请假", "用户名", "初始密码")
COLUMNS = (
    Column(NAME, ("志愿者姓名", "显示名"), required=True),
    Column(PHONE, ("联系电话", "手机", "手机号"), required=True),
    Column(ROLE, ("身份", "类别")),
    Column(GRIDS, ("负责网格", "所属网格")),
    Column(ROSTER, ("值班", "值班安排", "排班")),
    Column(LEAVE, ("请假日期", "请假时间")),
    Column(USERNAME, ("账号", "登录名")),
    Column(PASSWORD, ("密码",)),
)
TITLES = tuple(column.title for column in COLUMNS)
ROLE_NAMES = {"志愿者": "volunteer", "网格员": "caregiver", "护理员": "caregiver", "": "volunteer"}
ROLE_TITLES = {"volunteer": "志愿者", "caregiver": "网格员"}
LeaveDays = tuple[date, date]


@dataclass(frozen=True)
class VolunteerRow:
    """One volunteer or grid worker as the sheet gives them; None means the sheet has no such column."""

    number: int
    name: str
    phone: str
    role: str | None = None
    username: str = ""
    password: str = ""
    grids: tuple[str, ...] | None = None
    shifts: tuple[Shift, ...] | None = None
    leaves: tuple[LeaveDays, ...] | None = None


@dataclass(frozen=True)
class StoredUser:
    """What is stored about an account of the site, in the sheet's terms."""

    id: int
    username: str
    name: str
    phone: str
    role: str
    grids: tuple[str, ...] = ()
    shifts: tuple[Shift, ...] = ()
    leaves: tuple[LeaveDays, ...] = ()


def read_row(row: Row, columns: Collection[str], *, today: date) -> VolunteerRow:
    """One sheet row as a :class:`VolunteerRow`, or :class:`CellError` listing each bad cell."""
    problems = [problem for column in columns if (problem := cell_problem(row, column, dates_allowed=column == LEAVE))]
    values: dict[str, object] = {}
    readers = ((PHONE, "phone", lambda text: read_phone(text, PHONE)), (ROLE, "role", _role),
               (GRIDS, "grids", _grids), (ROSTER, "shifts", _shifts),
               (LEAVE, "leaves", lambda text: _leaves(text, today)),
               (USERNAME, "username", lambda text: read_code(text, USERNAME)), (PASSWORD, "password", _password))
    for column, key, reader in readers:
        if column in columns and not cell_problem(row, column, dates_allowed=column == LEAVE):
            try:
                values[key] = reader(row.text(column))
            except CellError as exc:
                problems.append(str(exc))
    if not row.text(NAME) and not cell_problem(row, NAME):
        problems.append("「姓名」是空的")
    if values.get("phone") == "":
        problems.append("「电话」是空的：值班的人必须能打通电话")
    if problems:
        raise CellError("；".join(problems))
    return VolunteerRow(number=row.number, name=row.text(NAME)[:100], **values)  # type: ignore[arg-type]


def _digits(text: str) -> str:
    """A cell compared for repeats: phones written 138 0000 0001 and 13800000001 are the same."""
    return re.sub(r"[\s\-－]", "", text)


def _role(text: str) -> str:
    role = ROLE_NAMES.get(text.strip())
    if role is None:
        raise CellError(f"「角色」“{text}”看不懂：请填 志愿者 或 网格员")
    return role


def _grids(text: str) -> tuple[str, ...]:
    return tuple(sorted({part.strip()[:100] for part in re.split(r"[、,，/；;\s]+", text) if part.strip()}))


def _shifts(text: str) -> tuple[Shift, ...]:
    try:
        return parse_roster(text) if text.strip() else ALWAYS
    except RosterError as exc:
        raise CellError(f"「值班时间」{exc}") from exc


def _leaves(text: str, today: date) -> tuple[LeaveDays, ...]:
    try:
        return tuple(sorted(parse_leave(part, today=today) for part in re.split(r"[；;\n]+", text) if part.strip()))
    except RosterError as exc:
        raise CellError(f"「请假」{exc}") from exc


def _password(text: str) -> str:
    if text and len(text) < 8:
        raise CellError("「初始密码」至少 8 个字符（留空则自动生成）")
    return text


def plan_volunteers(table: Table, *, stored: Sequence[StoredUser], grids: Collection[str],
                    usernames_elsewhere: Collection[str], today: date) -> Plan[VolunteerRow]:
    """What importing ``table`` into a site with these accounts and grids would do.

    ``usernames_elsewhere`` are user names taken at other sites (user names are unique across sites).
    """
    repeated = repeats(table, (("用户名 ", lambda row: row.text(USERNAME)),
                               ("电话 ", lambda row: _digits(row.text(PHONE)))))
    rows, outcomes = read_rows(table, lambda row: read_row(row, table.columns, today=today), name_column=NAME,
                               repeated=repeated)
    by_username = {user.username: user for user in stored}
    by_phone = {user.phone: user for user in stored if user.phone}
    for row in rows:
        outcomes.append(_outcome(row, by_username, by_phone, usernames_elsewhere))
    outcomes.sort(key=lambda outcome: outcome.number)
    new_grids = sorted({grid for row in rows for grid in row.grids or () if grid not in grids})
    missing = tuple(title for title in TITLES if title not in table.columns)
    return Plan(tuple(outcomes), tuple(new_grids), table.ignored, missing, count(outcomes))


def _outcome(row: VolunteerRow, by_username: Mapping[str, StoredUser],
             by_phone: Mapping[str, StoredUser], usernames_elsewhere: Collection[str]) -> Outcome[VolunteerRow]:
    username = row.username or row.phone
    if username in usernames_elsewhere:
        return Outcome(row.number, "error", name=row.name, row=row, messages=(f"用户名 {username} 已被其他站点使用",))
    current = by_username.get(row.username) if row.username else by_phone.get(row.phone) or by_username.get(username)
    if current is None:
        return Outcome(row.number, "create", name=row.name, row=replace(row, username=username))
    if current.role not in ROLE_TITLES:
        return Outcome(row.number, "error", name=row.name, row=row,
                       messages=(f"{current.username} 是管理员账号，不能用名单修改",))
    changes = changed_columns(current, row)
    return Outcome(row.number, "update" if changes else "unchanged", name=row.name, changes=changes,
                   row=replace(row, username=current.username), target_id=current.id)


def changed_columns(current: StoredUser, row: VolunteerRow) -> tuple[str, ...]:
    """The columns whose value in ``row`` differs from what is stored (a password is never compared)."""
    pairs = ((NAME, current.name, row.name), (PHONE, current.phone, row.phone), (ROLE, current.role, row.role),
             (GRIDS, current.grids, row.grids), (ROSTER, current.shifts, row.shifts),
             (LEAVE, current.leaves, row.leaves))
    return tuple(title for title, old, new in pairs if new is not None and new != old)


def export_row(user: StoredUser) -> tuple[str, ...]:
    """A stored account as a row of the import sheet (in :data:`TITLES` order, without a password)."""
    leaves = "；".join(first.isoformat() if first == last else f"{first.isoformat()}至{last.isoformat()}"
                      for first, last in user.leaves)
    return (user.name, user.phone, ROLE_TITLES.get(user.role, user.role), "、".join(user.grids),
            format_roster(user.shifts), leaves, user.username, "")
