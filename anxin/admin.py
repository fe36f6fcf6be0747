"""``anxin admin ...``: database migrations, users, sites and device tokens."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.db import create_db_engine, create_session_factory, transaction, utcnow
from caregiver_portal.errors import PortalError
from caregiver_portal.migrate import upgrade_to_head
from caregiver_portal.models import Site
from caregiver_portal.security import password_hasher
from caregiver_portal.services.accounts import create_device, create_user, get_or_create_site, revoke_device
from caregiver_portal.settings import settings_for_data_dir


def run_admin_command(args: argparse.Namespace) -> int:
    """Carry out one admin subcommand; returns the exit code."""
    settings = settings_for_data_dir(args.data_dir, database_url=args.database_url, public_url="")
    engine = create_db_engine(settings.database_url)
    upgrade_to_head(engine)
    factory = create_session_factory(engine)
    try:
        with transaction(factory) as session:
            match args.admin_command:
                case "migrate":
                    print("数据库已是最新版本")
                case "create-site":
                    site = get_or_create_site(session=session, name=args.name, duty_phone=args.duty_phone)
                    print(f"站点 #{site.id} {site.name}")
                case "create-user":
                    site = _site(session, args.site)
                    password = args.password or os.environ.get("ANXIN_NEW_PASSWORD") or getpass.getpass("密码：")
                    user = create_user(session=session, hasher=password_hasher(), username=args.username,
                                       password=password, role=args.role, display_name=args.display_name, site=site)
                    print(f"用户 #{user.id} {user.username} ({user.role})")
                case "create-device":
                    device, token = create_device(session=session, site=_site(session, args.site), kind=args.kind,
                                                  name=args.name)
                    print(f"设备 #{device.id} {device.name} ({device.kind})")
                    print(f"令牌（只显示这一次，请妥善保存）：{token}")
                case "revoke-device":
                    device = revoke_device(session=session, device_id=args.device_id, now=utcnow())
                    print(f"设备 #{device.id} {device.name} 的令牌已吊销")
    except (PortalError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0


def _site(session: Session, name: str) -> Site:
    site = session.scalar(select(Site).where(Site.name == name))
    if site is None:
        raise PortalError(f"没有名为 {name!r} 的站点；先运行 anxin admin create-site")
    return site
