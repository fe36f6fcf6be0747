"""``anxin admin`` commands for people: import residents or volunteers from a spreadsheet (the same checks as
the import page: every row's outcome first, all rows or none), export them in the same columns, and set a
volunteer's weekly on-call hours or leave."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.models import Site, User
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.errors import PortalError
from caregiver_portal.core.security import password_hasher
from caregiver_portal.imports import service, snapshot
from caregiver_portal.imports.outcomes import ACTION_LABELS, Plan
from caregiver_portal.roster.rules import RosterError, format_roster, parse_leave
from caregiver_portal.roster.service import add_leave, set_roster, site_zone

# Their arguments are in anxin.cli._people_parsers (the parser must not import the portal).
PEOPLE_COMMANDS = ("import-residents", "import-volunteers", "export-residents", "export-volunteers", "set-roster",
                   "add-leave")


def run_people_command(session: Session, args: argparse.Namespace, site: Site | None) -> int:
    """Carry out one people subcommand inside ``session``'s transaction; returns the exit code."""
    now = utcnow()
    command: str = args.admin_command
    if command.startswith("export-"):
        assert site is not None
        kind = command.removeprefix("export-")
        data = snapshot.export_residents(session, site) if kind == "residents" else snapshot.export_volunteers(
            session, site, now=now)
        args.file.write_bytes(data)
        print(f"已导出到 {args.file}")
        return 0
    if command.startswith("import-"):
        assert site is not None
        return _import(session, args, site, command.removeprefix("import-"))
    user = session.scalar(select(User).where(User.username == args.username))
    if user is None:
        raise PortalError(f"没有用户 {args.username}")
    if command == "set-roster":
        print(f"{user.display_name} 值班：{format_roster(set_roster(session=session, user=user, text=args.roster))}")
        return 0
    zone = site_zone(session.get(Site, user.site_id) if user.site_id else None)
    try:
        first, last = parse_leave(args.days, today=now.astimezone(zone).date())
    except RosterError as exc:
        raise PortalError(str(exc)) from exc
    add_leave(session=session, user=user, first=first, last=last, reason=args.reason, now=now)
    print(f"{user.display_name} 请假 {first.isoformat()} 至 {last.isoformat()}，这几天不会被呼叫")
    return 0


def _import(session: Session, args: argparse.Namespace, site: Site, kind: str) -> int:
    data = _read(args.file)
    now = utcnow()
    plan = service.plan_import(session=session, site=site, kind=kind, data=data, filename=args.file.name, now=now)
    for line in describe(plan, title=f"{service.KIND_LABELS[kind]}名单 {args.file.name}"):
        print(line)
    if not plan.ok:
        print(f"有 {plan.counts['error']} 行有错误，没有导入任何数据：改好后再运行一次。")
        return 1
    if not args.yes:
        print("这是预览，没有导入任何数据。确认无误后加 --yes 再运行一次。")
        return 0
    done = service.carry_out(session=session, site=site, kind=kind, plan=plan, hasher=password_hasher(), now=now)
    print(f"已导入：新建 {done.created}，更新 {done.updated}，不变 {done.unchanged}")
    for username, password in done.passwords.items():
        print(f"  新账号 {username} 的初始密码：{password}（只显示这一次）")
    return 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PortalError(f"无法读取 {path}：{exc.strerror}") from exc


def describe(plan: Plan[Any], *, title: str) -> list[str]:
    """The preview as lines: a summary, the sheet-wide notes, then every row that is not unchanged."""
    counts = plan.counts
    lines = [f"{title}：共 {len(plan.outcomes)} 行：新建 {counts['create']}，更新 {counts['update']}，"
             f"不变 {counts['unchanged']}，有错误 {counts['error']}"]
    if plan.new_grids:
        lines.append("将新建网格：" + "、".join(plan.new_grids))
    if plan.ignored_columns:
        lines.append("这些列不认识，已忽略：" + "、".join(plan.ignored_columns))
    for outcome in plan.outcomes:
        if outcome.action == "unchanged":
            continue
        detail = "；".join(outcome.messages) or ("改动：" + "、".join(outcome.changes) if outcome.changes else "")
        lines.append(f"  第 {outcome.number} 行 {outcome.name or '—'}：{ACTION_LABELS[outcome.action]}"
                     + (f"：{detail}" if detail else ""))
    return lines
