"""``anxin admin ...``: database migrations, users, sites, device tokens and band keys; people in bulk and the
on-call roster are :mod:`anxin.admin_people`."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from anxin.admin_people import PEOPLE_COMMANDS, run_people_command
from caregiver_portal.accounts.access import ROLE_LABELS
from caregiver_portal.accounts.admin import set_user_grids
from caregiver_portal.accounts.models import Device, Grid, Site, User
from caregiver_portal.accounts.service import create_device, create_user, get_or_create_site, revoke_device
from caregiver_portal.bands.enrol import pair_band, resident_by_code_or_id
from caregiver_portal.bands.keys import (
    KEYED_SCHEMES,
    SCHEME_LABELS,
    KeyVault,
    fingerprint,
    generate_band_key,
    parse_key,
    set_band_key,
)
from caregiver_portal.bands.models import Wristband
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.errors import PortalError
from caregiver_portal.core.phones import normalise_phone
from caregiver_portal.core.security import password_hasher
from caregiver_portal.core.settings import settings_for_data_dir
from caregiver_portal.escalation.setup import add_urgent_channel, parse_urgent_options
from caregiver_portal.migrate import upgrade_to_head
from caregiver_portal.notifications.providers import URGENT_LABELS
from caregiver_portal.residents.models import Resident
from caregiver_portal.residents.privacy import erase_resident, export_resident
from caregiver_portal.residents.service import log_health_access
from caregiver_portal.roster.rules import format_roster
from caregiver_portal.roster.service import ROSTERED_ROLES, set_roster


def run_admin_command(args: argparse.Namespace) -> int:
    """Carry out one admin subcommand; returns the exit code."""
    settings = settings_for_data_dir(args.data_dir, database_url=args.database_url, public_url="")
    engine = create_db_engine(settings.database_url)
    upgrade_to_head(engine)
    factory = create_session_factory(engine)
    code = 0
    try:
        with transaction(factory) as session:
            match args.admin_command:
                case "migrate":
                    print("数据库已是最新版本")
                case "create-site":
                    site = get_or_create_site(session=session, name=args.name, duty_phone=args.duty_phone)
                    print(f"站点 #{site.id} {site.name}")
                case "create-user":
                    _create_user(session, args)
                case "create-device":
                    device, token = create_device(session=session, site=_site(session, args.site), kind=args.kind,
                                                  name=args.name)
                    print(f"设备 #{device.id} {device.name} ({device.kind})")
                    print(f"令牌（只显示这一次，请妥善保存）：{token}")
                case "backup":
                    size = backup_sqlite(settings.database_url, args.destination)
                    print(f"已备份到 {args.destination}（{size} 字节，完整性检查通过）")
                case "export-resident":
                    data = export_resident(session=session, resident_id=args.resident_id)
                    _log_export(session, args.by, args.resident_id)
                    args.destination.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
                    print(f"已导出居民 #{args.resident_id} 的全部数据到 {args.destination}")
                case "erase-resident":
                    if not args.yes:
                        raise PortalError("删除无法撤销：确认后请加上 --yes 再运行")
                    touched = erase_resident(session=session, resident_id=args.resident_id)
                    summary = "，".join(f"{table} {count}" for table, count in touched.items())
                    print(f"已删除居民 #{args.resident_id} 的数据：{summary}")
                case "revoke-device":
                    found = session.get(Device, args.device_id)
                    if found is None:
                        raise PortalError(f"没有设备 #{args.device_id}")
                    _confirm(args, f"吊销 设备 #{found.id} {found.name}：它会立刻无法连接门户")
                    revoke_device(session=session, device_id=found.id, now=utcnow())
                    print(f"设备 #{found.id} {found.name} 的令牌已吊销")
                case "band-key":
                    print(_band_key(session, KeyVault(settings.secret_key), args))
                case "add-band":
                    print(_add_band(session, KeyVault(settings.secret_key), args))
                case "add-urgent-channel":
                    print(_add_urgent_channel(session, args))
                case command if command in PEOPLE_COMMANDS:
                    code = run_people_command(session, args, _site(session, args.site) if hasattr(args, "site")
                                              else None)
    except (PortalError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return code


def _create_user(session: Session, args: argparse.Namespace) -> None:
    """A portal user; volunteers and grid workers are on call (``--on-call``, default around the clock)."""
    if args.site is None and args.role != "admin":
        raise PortalError("志愿者和网格员必须属于一个站点：请加 --site 站点名称")
    site = _site(session, args.site) if args.site else None
    password = args.password or os.environ.get("ANXIN_NEW_PASSWORD") or getpass.getpass("密码：")
    user = create_user(session=session, hasher=password_hasher(), username=args.username, password=password,
                       role=args.role, display_name=args.display_name, site=site, phone=normalise_phone(args.phone))
    if args.grid:
        if site is None:
            raise PortalError("没有站点的管理员不属于任何网格")
        grids = {grid.name: grid.id for grid in session.scalars(select(Grid).where(Grid.site_id == site.id))}
        unknown = [name for name in args.grid if name not in grids]
        if unknown:
            raise PortalError(f"站点 {site.name} 没有网格：{'、'.join(unknown)}")
        set_user_grids(session=session, user=user, grid_ids=[grids[name] for name in args.grid])
    if user.role in ROSTERED_ROLES:
        shifts = set_roster(session=session, user=user, text=args.on_call)
        print(f"用户 #{user.id} {user.username}（{ROLE_LABELS[user.role]}），值班：{format_roster(shifts)}")
    else:
        print(f"用户 #{user.id} {user.username}（{ROLE_LABELS[user.role]}）")


def _confirm(args: argparse.Namespace, what: str) -> None:
    """Ask before a destructive step: ``--yes``, or "y" typed at a terminal; refused otherwise."""
    if args.yes:
        return
    if sys.stdin.isatty() and input(f"{what}。确定吗？输入 y 确认：").strip().lower() in ("y", "yes", "是"):
        return
    raise PortalError(f"没有执行：{what}。确认后加 --yes 再运行")


def backup_sqlite(database_url: str, destination: Path) -> int:
    """Copy a live SQLite database with SQLite's online backup API; returns the copy's size.

    Safe while the portal writes: the backup API copies a consistent snapshot. The copy is
    written next to ``destination`` and renamed into place only after an integrity check.
    """
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise PortalError("backup 只适用于 SQLite；PostgreSQL 请用 pg_dump（见 docs/operations.md）")
    destination.parent.mkdir(parents=True, exist_ok=True)
    partial = destination.with_name(destination.name + ".partial")
    partial.unlink(missing_ok=True)
    with closing(sqlite3.connect(url.database)) as source, closing(sqlite3.connect(partial)) as copy:
        source.backup(copy)
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise PortalError("备份的完整性检查失败")
    os.replace(partial, destination)
    return destination.stat().st_size


def _band_key(session: Session, vault: KeyVault, args: argparse.Namespace) -> str:
    """Enrol a band with its decoder and key; the answer names the key by its fingerprint only."""
    band = session.scalar(select(Wristband).where(func.upper(Wristband.address) == args.address.upper()))
    if band is None:
        raise PortalError(f"没有登记地址为 {args.address} 的手环：请先登记")
    if args.generate:
        if args.scheme != "anxin":
            raise PortalError("只有安心手环由门户生成密钥；按钮请用 --key 填写它自己的绑定密钥")
        key = generate_band_key(session=session, vault=vault, band=band, user_id=None, now=utcnow())
        return f"{band.address}：新密钥（只显示这一次，请写入手环）：{key.hex()}（指纹 {fingerprint(key)}）"
    if args.no_key or args.scheme not in KEYED_SCHEMES:
        set_band_key(session=session, vault=vault, band=band, scheme=args.scheme, key=None, user_id=None, now=utcnow())
        return f"{band.address}：{SCHEME_LABELS[args.scheme]}，没有密钥"
    key = parse_key(args.key if args.key is not None else getpass.getpass("绑定密钥（32 位十六进制）："))
    key_id = set_band_key(session=session, vault=vault, band=band, scheme=args.scheme, key=key, user_id=None,
                          now=utcnow())
    return f"{band.address}：{SCHEME_LABELS[args.scheme]}，密钥已加密保存（指纹 {key_id}）"


def _add_band(session: Session, vault: KeyVault, args: argparse.Namespace) -> str:
    """Register a band for a resident (or move it to them) with its decoder and key, as the pairing page does."""
    site_id = _site(session, args.site).id if args.site else None
    resident = resident_by_code_or_id(session, site_id=site_id, code=args.resident)
    key = parse_key(args.key) if args.key else None
    paired = pair_band(session=session, vault=vault, address=args.address, resident=resident, scheme=args.scheme,
                       key=key, generate=args.scheme == "anxin" and key is None and not args.no_key, user_id=None,
                       now=utcnow())
    room = resident.room or "未填房间"
    answer = f"手环 {paired.band.address}（{SCHEME_LABELS[paired.band.scheme]}）已配对给 {resident.name}（{room}）"
    if paired.previous_resident_id is not None:
        answer += "；之前的读数仍归原来戴它的居民"
    if paired.new_key is not None:
        answer += f"\n新密钥（只显示这一次，请写入手环）：{paired.new_key.hex()}（指纹 {fingerprint(paired.new_key)}）"
    return answer


def _log_export(session: Session, username: str, resident_id: int) -> None:
    """Audit the export under the admin who asked for it (it holds the resident's health data)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None or user.role != "admin":
        raise PortalError(f"{username} 不是管理员账号：导出须以管理员身份进行（--by 管理员用户名）")
    log_health_access(session=session, user=user, resident=session.get_one(Resident, resident_id),
                      view="export", now=utcnow(), client="anxin admin export-resident")


def _add_urgent_channel(session: Session, args: argparse.Namespace) -> str:
    """Add the urgent-call provider; the answer names it, never its secret."""
    channel = add_urgent_channel(session, site=_site(session, args.site), kind=args.kind, name=args.name,
                                 url=args.url, key_id=args.key_id, key_secret=args.key_secret,
                                 options=parse_urgent_options(args.option), position=args.position)
    return f"紧急呼叫渠道 #{channel.id} {channel.name}（{URGENT_LABELS[channel.kind]}），顺序 {channel.position}"


def _site(session: Session, name: str) -> Site:
    site = session.scalar(select(Site).where(Site.name == name))
    if site is None:
        raise PortalError(f"没有名为 {name!r} 的站点；先运行 anxin admin create-site")
    return site
