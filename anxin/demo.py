"""``anxin demo``: the whole system on one machine — portal, bridge with simulated bands, kiosk."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from caregiver_portal.accounts.access import ROLE_LABELS
from caregiver_portal.core.clock import utcnow
from caregiver_portal.core.db import create_db_engine, create_session_factory, transaction
from caregiver_portal.core.security import password_hasher
from caregiver_portal.core.settings import settings_for_data_dir
from caregiver_portal.demo.community import seed_demo_community
from caregiver_portal.demo.seed import (
    DEMO_ACCOUNTS,
    DEMO_DUTY_PHONE,
    DEMO_SITE,
    create_demo_devices,
    seed_demo,
    seed_demo_duties,
)
from caregiver_portal.migrate import upgrade_to_head

STARTUP_TIMEOUT_S = 180.0  # bounds a start that never comes; a loaded machine took over 60 s to restart one


@dataclass(frozen=True)
class DemoOptions:
    """What ``anxin demo`` was asked to run."""

    data_dir: Path
    port: int
    headless: bool
    wristbands: int
    sos_after: float | None = None
    verbose: bool = False


def simulated_addresses(count: int) -> list[str]:
    """Addresses of the simulated wristbands the demo bridge will run."""
    from wearable.simulator import simulated_address

    return [simulated_address(i) for i in range(1, count + 1)]


def seed_band_keys(session: Session, secret_key: str, addresses: list[str]) -> None:
    """Give the demo's simulated bands their keys, as an admin would at enrolment: the demo bridge then
    fetches them from the portal and opens every frame the simulated bands seal."""
    from caregiver_portal.bands.keys import KeyVault, set_band_key
    from caregiver_portal.bands.models import Wristband
    from wearable.simulator import simulated_key

    vault = KeyVault(secret_key)
    for band in session.scalars(select(Wristband).where(Wristband.address.in_(addresses))):
        set_band_key(session=session, vault=vault, band=band, scheme="anxin", key=simulated_key(band.address),
                     user_id=None, now=utcnow())


def prepare_demo(options: DemoOptions) -> tuple[str, str]:
    """Migrate and seed the demo database (bands with their keys); returns fresh (kiosk token, bridge token)."""
    url = f"http://127.0.0.1:{options.port}"
    settings = settings_for_data_dir(options.data_dir, public_url=url)
    engine = create_db_engine(settings.database_url)
    try:
        upgrade_to_head(engine)
        with transaction(create_session_factory(engine)) as session:
            addresses = simulated_addresses(options.wristbands)
            seed_demo(session=session, hasher=password_hasher(), wristband_addresses=addresses)
            seed_band_keys(session, settings.secret_key, addresses)
            seed_demo_community(session=session, now=utcnow())
            seed_demo_duties(session=session)
            devices = create_demo_devices(session=session, now=utcnow())
    finally:
        engine.dispose()
    return devices.kiosk_token, devices.bridge_token


def write_kiosk_config(options: DemoOptions, token: str) -> Path:
    """The demo kiosk's configuration file (readable by its owner only: it holds a token)."""
    path = options.data_dir / "kiosk.toml"
    content = "\n".join([
        f"portal_url = {json.dumps(f'http://127.0.0.1:{options.port}')}",
        f"token = {json.dumps(token)}",
        f"site_name = {json.dumps(DEMO_SITE, ensure_ascii=False)}",
        'place = "社区中心大厅自助机"',
        f"duty_phone = {json.dumps(DEMO_DUTY_PHONE)}",
        f"outbox_path = {json.dumps(str((options.data_dir / 'kiosk-outbox.sqlite3').resolve()))}",
        "fullscreen = false",
        'orientation = "landscape"',
        "width = 1280",
        "height = 720",
        "",
    ])
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content)
    return path


def _anxin(*args: str, token: str | None = None, verbose: bool = False) -> subprocess.Popen[bytes]:
    env = dict(os.environ)
    if token:
        env["ANXIN_DEVICE_TOKEN"] = token
    flags = ["--verbose"] if verbose else []
    return subprocess.Popen([sys.executable, "-m", "anxin", *flags, *args], env=env, start_new_session=True)


def wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float = STARTUP_TIMEOUT_S) -> None:
    """Wait for ``GET /healthz`` to answer 200; raise if the portal process died or took too long."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"门户进程已退出（代码 {process.returncode}）")
        try:
            if requests.get(f"{url}/healthz", timeout=10).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"门户在 {timeout_s:.0f} 秒内没有启动")


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM every child (their process groups), then SIGKILL what is still running after 10 s."""
    for process in reversed(processes):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def run_demo(options: DemoOptions) -> int:
    """Start everything, print where to look, and stop everything cleanly on Ctrl-C / SIGTERM."""
    options.data_dir.mkdir(parents=True, exist_ok=True)
    kiosk_token, bridge_token = prepare_demo(options)
    url = f"http://127.0.0.1:{options.port}"
    processes: list[subprocess.Popen[bytes]] = []
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    # Ctrl-C stops the demo even when it was started from a shell that ignores SIGINT (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        processes.append(_anxin("portal", "--data-dir", str(options.data_dir), "--port", str(options.port),
                                verbose=options.verbose))
        wait_healthy(url, processes[0])
        bridge_args = ["bridge", "--portal", url, "--data-dir", str(options.data_dir),
                       "--simulate", str(options.wristbands)]
        if options.sos_after is not None:
            bridge_args += ["--sos-after", str(options.sos_after)]
        processes.append(_anxin(*bridge_args, token=bridge_token, verbose=options.verbose))
        if not options.headless:
            processes.append(_anxin("kiosk", "--config", str(write_kiosk_config(options, kiosk_token)),
                                    verbose=options.verbose))
        _print_banner(url, options)
        while all(process.poll() is None for process in processes):
            time.sleep(0.5)
        print("有组件意外退出，正在停止演示…", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n正在停止…")
        return 0
    finally:
        stop_all(processes)


def _print_banner(url: str, options: DemoOptions) -> None:
    accounts = "\n".join(f"    {name} / {password}  （{ROLE_LABELS[role]}）"
                         for name, password, role, *_ in DEMO_ACCOUNTS)
    print(f"""
安心 Anxin 演示已启动
  志愿者平台（报警看板）: {url}/board
  设备接口文档:           {url}/docs
  健康检查:               {url}/healthz
  模拟手环:               {options.wristbands} 个
  自助机窗口:             {"未启动 (--headless)" if options.headless else "已打开"}
  数据目录:               {options.data_dir.resolve()}
  登录账号:
{accounts}
  日志:                   只显示警告和错误（加 --verbose 显示每个请求）
按 Ctrl-C 停止。
""", flush=True)
