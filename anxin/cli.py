"""Command line of Anxin: ``anxin demo|portal|cluster|bridge|kiosk|models|admin``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from anxin.models_command import add_models_parser

DEFAULT_DATA_DIR = Path("anxin-data")
# Libraries that talk a lot at INFO: one line per request, per scheduler run, per migration.
CHATTY_LOGGERS = ("uvicorn.access", "apscheduler", "alembic", "httpx", "bleak", "urllib3")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(prog="anxin", description="安心 社区养老系统")
    parser.add_argument("-v", "--verbose", action="store_true", help="more log output")
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the whole system on this machine with demo data")
    demo.add_argument("--headless", action="store_true", help="no kiosk window")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    demo.add_argument("--wristbands", type=int, default=3, help="how many simulated wristbands")
    demo.add_argument("--sos-after", type=float, default=None,
                      help="the first simulated wristband presses SOS this many seconds after connecting")
    _verbose_arg(demo)

    portal = commands.add_parser("portal", help="run the caregiver portal")
    _database_args(portal)
    portal.add_argument("--host", default="127.0.0.1")
    portal.add_argument("--port", type=int, default=8000)
    portal.add_argument("--public-url", default=None, help="address volunteers use (default http://HOST:PORT); "
                        "an https address makes the sign-in cookies Secure")
    portal.add_argument("--forwarded-allow-ips", default=None, metavar="IPS",
                        help="comma-separated addresses of the reverse proxy whose X-Forwarded-For/-Proto are "
                             "believed (default: $FORWARDED_ALLOW_IPS or 127.0.0.1); see docs/operations.md")
    portal.add_argument("--database-pool", type=_pool, default=(10, 20), metavar="SIZE+OVERFLOW",
                        help="PostgreSQL connections of this process (default 10+20); several instances share the "
                             "server's max_connections (docs/operations.md)")
    _verbose_arg(portal)
    _cluster_parser(commands)

    bridge = commands.add_parser("bridge", help="run the wristband bridge")
    bridge.add_argument("--portal", default=os.environ.get("ANXIN_PORTAL_URL", "http://127.0.0.1:8000"))
    bridge.add_argument("--token", default=None, help="device token (default: $ANXIN_DEVICE_TOKEN)")
    bridge.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    bridge.add_argument("--simulate", type=int, default=0, metavar="N", help="use N simulated wristbands")
    bridge.add_argument("--sos-after", type=float, default=None, help="simulated band 1 presses SOS after S s")
    bridge.add_argument("--script", default=None, metavar="FILE|TEXT",
                        help="with --simulate: a rehearsal script, a file or the text itself, e.g. "
                             "\"10s 1 sos; 30s 2 fall; 1m 3 heart-rate 150 for 5m\" (docs/operations.md)")
    bridge.add_argument("--proxy", action="append", default=[], metavar="NAME=HOST[:PORT][#KEY]",
                        help="an ESPHome Bluetooth proxy, e.g. 王阿姨家=10.8.0.12 (repeat for more; also "
                             "$ANXIN_PROXIES, comma-separated); KEY is its API encryption key")

    kiosk = commands.add_parser("kiosk", help="open the kiosk window")
    kiosk.add_argument("--config", type=Path, default=DEFAULT_DATA_DIR / "kiosk.toml")

    add_models_parser(commands)

    admin = commands.add_parser("admin", help="administration tasks")
    _database_args(admin)
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)
    admin_commands.add_parser("migrate", help="bring the database schema up to date")
    user = admin_commands.add_parser("create-user", help="create a portal user")
    user.add_argument("username")
    user.add_argument("--role", choices=("volunteer", "caregiver", "admin"), required=True)
    user.add_argument("--display-name", required=True)
    user.add_argument("--site", default=None, help="site name (an admin without one manages every site)")
    user.add_argument("--password", default=None, help="default: $ANXIN_NEW_PASSWORD or asked")
    user.add_argument("--phone", default="", help="mobile or landline: escalation messages @-mention it")
    user.add_argument("--grid", action="append", default=[], metavar="NAME", help="a grid they serve (repeatable)")
    user.add_argument("--on-call", default="每天 全天", metavar="ROSTER",
                      help="when a volunteer or grid worker is called, e.g. \"周一至周五 08:00-18:00；周六 全天\" "
                           "(default: around the clock)")
    device = admin_commands.add_parser("create-device", help="create a kiosk or bridge and print its token once")
    device.add_argument("--site", required=True)
    device.add_argument("--kind", choices=("kiosk", "bridge"), required=True)
    device.add_argument("--name", required=True)
    revoke = admin_commands.add_parser("revoke-device", help="revoke a device token at once (asks first)")
    revoke.add_argument("device_id", type=int)
    revoke.add_argument("--yes", action="store_true", help="do not ask")
    backup = admin_commands.add_parser("backup", help="copy the SQLite database while the portal runs")
    backup.add_argument("destination", type=Path)
    export = admin_commands.add_parser("export-resident", help="write everything held about a resident to JSON")
    export.add_argument("resident_id", type=int)
    export.add_argument("destination", type=Path)
    export.add_argument("--by", required=True, metavar="USERNAME",
                        help="the admin account carrying out the request (written to the resident's access log)")
    erase = admin_commands.add_parser("erase-resident", help="delete a resident's data on request (PIPL)")
    erase.add_argument("resident_id", type=int)
    erase.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    site = admin_commands.add_parser("create-site", help="create a community centre")
    site.add_argument("name")
    site.add_argument("--duty-phone", default="")
    band_key = admin_commands.add_parser("band-key", help="enrol a registered band's decoder and key "
                                                          "(docs/devices.md); keys are stored encrypted")
    band_key.add_argument("address", help="the band's Bluetooth address")
    band_key.add_argument("--scheme", required=True, choices=("anxin", "bthome", "mibeacon", "hrs", "itag"))
    how = band_key.add_mutually_exclusive_group()
    how.add_argument("--generate", action="store_true", help="a new key for an Anxin band, printed once")
    how.add_argument("--no-key", action="store_true", help="a device without a key (unauthenticated)")
    how.add_argument("--key", default=None, help="the bind key, 32 hex digits (default: asked without echo)")
    add_band = admin_commands.add_parser("add-band", help="register a band and pair it with a resident in one step, "
                                         "or move a band to another resident (readings stay with whoever wore it)")
    add_band.add_argument("address", help="the band's Bluetooth address")
    add_band.add_argument("--resident", required=True, help="the resident's code (居民码), or #ID")
    add_band.add_argument("--site", default=None, help="the site name (default: any site with that resident code)")
    add_band.add_argument("--scheme", default="anxin", choices=("anxin", "bthome", "mibeacon", "hrs", "itag"))
    key_choice = add_band.add_mutually_exclusive_group()
    key_choice.add_argument("--key", default=None, help="the band's key, 32 hex digits (an Anxin band without "
                                                        "--key or --no-key gets a new key, printed once)")
    key_choice.add_argument("--no-key", action="store_true", help="a device without a key (unauthenticated)")
    _people_parsers(admin_commands)
    _urgent_parser(admin_commands)
    return parser


def _cluster_parser(commands: Any) -> None:
    """``anxin cluster``: several portal instances behind nginx on this machine (docs/operations.md)."""
    cluster = commands.add_parser("cluster", help="run N portal instances behind nginx (TLS) on this machine, "
                                                  "for tests, benchmarks and rehearsals")
    _database_args(cluster)
    cluster.add_argument("--instances", type=int, default=4, help="how many portal processes (default 4)")
    cluster.add_argument("--host", default="127.0.0.1", help="address nginx listens on")
    cluster.add_argument("--port", type=int, default=8443, help="nginx's https port (default 8443)")
    cluster.add_argument("--http-port", type=int, default=None, help="a plain-http port that redirects to https")
    cluster.add_argument("--server-name", default="localhost", help="the name in the address and certificate")
    cluster.add_argument("--cert", type=Path, default=None, help="certificate (PEM); default: a self-signed one")
    cluster.add_argument("--key", type=Path, default=None, help="the certificate's private key (PEM)")
    cluster.add_argument("--nginx-workers", default="1", help="nginx worker_processes (a number or auto)")
    cluster.add_argument("--database-pool", type=_pool, default=(5, 10), metavar="SIZE+OVERFLOW",
                         help="PostgreSQL connections of each instance (default 5+10: 4 instances stay under "
                              "PostgreSQL's default max_connections of 100)")
    _verbose_arg(cluster)


def _urgent_parser(commands: Any) -> None:
    """``anxin admin add-urgent-channel``: a provider for urgent calls (docs/escalation.md)."""
    urgent = commands.add_parser(
        "add-urgent-channel", help="add a provider for urgent calls (DingTalk DING, Aliyun SMS or voice) to a site",
        description="Options by kind -- dingtalk_ding: --key-id/--key-secret are the internal app's "
                    "AppKey/AppSecret, --option robot_code=... --option remind=app|sms|phone; aliyun_sms: "
                    "AccessKey ID/secret, --option sign_name=... --option template_code=...; aliyun_voice: "
                    "AccessKey ID/secret, --option tts_code=... --option show_number=... . The secret is "
                    "never printed.")
    urgent.add_argument("--site", required=True, help="site name")
    urgent.add_argument("--kind", required=True, choices=("dingtalk_ding", "aliyun_sms", "aliyun_voice"))
    urgent.add_argument("--name", required=True, help="the channel's name, shown in the timeline")
    urgent.add_argument("--url", required=True, help="the provider's API address (https://)")
    urgent.add_argument("--key-id", required=True, help="AppKey (DING) or AccessKey ID (Aliyun)")
    urgent.add_argument("--key-secret", required=True, help="AppSecret (DING) or AccessKey secret (Aliyun)")
    urgent.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="dingtalk_ding: robot_code, remind (app/sms/phone); aliyun_sms: sign_name, "
                             "template_code; aliyun_voice: tts_code, show_number (repeatable)")
    urgent.add_argument("--position", type=int, default=0, help="place in the site's chain, tried lowest first")


def _people_parsers(commands: Any) -> None:
    """The people subcommands of ``anxin admin``."""
    for kind, label in (("residents", "residents"), ("volunteers", "volunteers and grid workers")):
        parser = commands.add_parser(f"import-{kind}", help=f"import {label} from an .xlsx or .csv (see "
                                     "docs/operations.md); shows every row's outcome, imports with --yes")
        parser.add_argument("file", type=Path)
        parser.add_argument("--site", required=True, help="site name")
        parser.add_argument("--yes", action="store_true", help="import (without it: only the preview)")
        parser = commands.add_parser(f"export-{kind}", help=f"write the site's {label} to an .xlsx in the import's "
                                     "columns")
        parser.add_argument("file", type=Path)
        parser.add_argument("--site", required=True, help="site name")
    roster = commands.add_parser("set-roster", help="set when a volunteer is on call, e.g. \"周一至周五 08:00-18:00\"")
    roster.add_argument("username")
    roster.add_argument("roster", help="每天 全天 / 工作日 08:00-18:00；周六 全天 / 不值班")
    leave = commands.add_parser("add-leave", help="record leave (请假): not called on those days")
    leave.add_argument("username")
    leave.add_argument("days", help="2026-12-24至2026-12-26, or one day")
    leave.add_argument("--reason", default="")


def _pool(text: str) -> tuple[int, int]:
    from caregiver_portal.core.settings import parse_pool

    try:
        return parse_pool(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r}: SIZE+OVERFLOW, e.g. 10+20") from exc


def _verbose_arg(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: without the flag the subcommand leaves the top-level -v/--verbose as it was.
    parser.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                        help="log every request and scheduler run (default: warnings and the start-up line only)")


def configure_logging(command: str, *, verbose: bool) -> None:
    """Quiet by default: the services log their own INFO lines but not the libraries' chatter; admin and
    models commands print only their answer. ``--verbose`` shows everything."""
    if verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        return
    quiet = command in ("admin", "models")
    logging.basicConfig(level=logging.WARNING if quiet else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for name in CHATTY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _database_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--database-url", default=None, help="default: $ANXIN_DATABASE_URL or SQLite in data dir")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``anxin`` console script."""
    args = build_parser().parse_args(argv)
    configure_logging(args.command, verbose=args.verbose)
    handlers = {"demo": _demo, "portal": _portal, "cluster": _cluster, "bridge": _bridge, "kiosk": _kiosk,
                "models": _models, "admin": _admin}
    try:
        code = handlers[args.command](args)
    except KeyboardInterrupt:
        code = 130
    sys.exit(code or 0)


def _demo(args: argparse.Namespace) -> int:
    from anxin.demo import DemoOptions, run_demo

    return run_demo(DemoOptions(data_dir=args.data_dir, port=args.port, headless=args.headless,
                                wristbands=args.wristbands, sos_after=args.sos_after, verbose=args.verbose))


def _portal(args: argparse.Namespace) -> int:
    from caregiver_portal.core.settings import settings_for_data_dir
    from caregiver_portal.server import serve

    public_url = args.public_url or f"http://{args.host}:{args.port}"
    settings = settings_for_data_dir(args.data_dir, database_url=args.database_url, public_url=public_url,
                                     database_pool=args.database_pool)
    serve(settings, host=args.host, port=args.port, verbose=args.verbose, forwarded_allow_ips=args.forwarded_allow_ips)
    return 0


def _cluster(args: argparse.Namespace) -> int:
    from anxin.cluster import ClusterOptions, run_cluster

    if (args.cert is None) != (args.key is None):
        print("--cert 和 --key 要一起给出", file=sys.stderr)
        return 2
    database_url = args.database_url or os.environ.get("ANXIN_DATABASE_URL")
    if database_url is None:
        from caregiver_portal.core.settings import sqlite_url

        database_url = sqlite_url(args.data_dir / "anxin.sqlite3")
    workers = int(args.nginx_workers) if args.nginx_workers.isdigit() else args.nginx_workers
    env = {name: value for name in ("ANXIN_ESCALATION_POLICY",) if (value := os.environ.get(name))}
    return run_cluster(ClusterOptions(database_url=database_url, data_dir=args.data_dir, instances=args.instances,
                                      port=args.port, host=args.host, server_name=args.server_name,
                                      certificate=args.cert, certificate_key=args.key, http_port=args.http_port,
                                      nginx_workers=workers, database_pool=args.database_pool, env=env))


def _bridge(args: argparse.Namespace) -> int:
    from wearable.runner import run_bridge

    token = args.token or os.environ.get("ANXIN_DEVICE_TOKEN")
    if not token:
        print("缺少设备令牌：请用 --token 或环境变量 ANXIN_DEVICE_TOKEN（anxin admin create-device 生成）",
              file=sys.stderr)
        return 2
    from wearable.proxies import ProxyConfig

    listed = [*args.proxy, *filter(None, os.environ.get("ANXIN_PROXIES", "").split(","))]
    try:
        proxies = [ProxyConfig.parse(text.strip()) for text in listed]
    except ValueError as exc:
        print(f"代理设置有误：{exc}（格式：名称=地址[:端口][#密钥]）", file=sys.stderr)
        return 2
    script = _script(args)
    if script is None:
        return 2
    run_bridge(portal_url=args.portal, token=token, data_dir=args.data_dir, simulate=args.simulate,
               sos_after=args.sos_after, proxies=proxies, script=script)
    return 0


def _script(args: argparse.Namespace) -> list[Any] | None:
    """The rehearsal script's steps (printed as a plan), [] without one; None (after saying why) when it is wrong."""
    if args.script is None:
        return []
    from wearable.script import ScriptError, describe, parse_script

    if args.simulate <= 0:
        print("演练脚本只用于模拟手环：请同时加 --simulate N", file=sys.stderr)
        return None
    path = Path(args.script)
    try:
        text = path.read_text(encoding="utf-8") if path.is_file() else args.script
        if text is args.script and not any(ch.isspace() or ch == ";" for ch in text.strip()):
            raise ScriptError(f"找不到脚本文件 {args.script}")
        steps = parse_script(text, args.simulate)
    except (ScriptError, OSError, UnicodeDecodeError) as exc:
        print(f"演练脚本有误：{exc}", file=sys.stderr)
        return None
    print(f"演练脚本：{len(steps)} 步（从网关启动算起）")
    for step in steps:
        print(f"  {describe(step)}")
    return steps


def _kiosk(args: argparse.Namespace) -> int:
    if not args.config.exists():
        print(f"找不到自助机配置文件 {args.config}（见 docs/kiosk.md）", file=sys.stderr)
        return 2
    from kiosk.errors import KioskError
    from kiosk.launch import run_kiosk

    try:
        run_kiosk(args.config)
    except KioskError as exc:
        print(f"自助机无法启动：{exc}", file=sys.stderr)
        return 2
    return 0


def _models(args: argparse.Namespace) -> int:
    from anxin.models_command import run_models_command

    return run_models_command(args)


def _admin(args: argparse.Namespace) -> int:
    from anxin.admin import run_admin_command

    return run_admin_command(args)
