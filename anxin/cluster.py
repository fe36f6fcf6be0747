"""``anxin cluster``: N portal instances behind nginx on one machine, for tests, benchmarks and rehearsals.

Every instance is a plain ``anxin portal`` on a free loopback port, all sharing one database, one data
directory (uploads, the session secret) and the escalation policy; nginx terminates TLS on the public port
with a generated configuration (:mod:`anxin.nginx`) in a private directory, so no root and no system nginx
configuration are needed. A production setup writes the same configuration by hand (docs/operations.md).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import requests

from anxin.demo import wait_healthy
from anxin.nginx import NginxLayout, render_config, self_signed_certificate

NGINX = "nginx"
LOOPBACK = "127.0.0.1"
NGINX_TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


@dataclass(frozen=True)
class ClusterOptions:
    """What ``anxin cluster`` runs."""

    database_url: str
    data_dir: Path
    instances: int = 4
    port: int = 0
    """nginx's TLS port (0: a free one)."""
    host: str = LOOPBACK
    server_name: str = "localhost"
    certificate: Path | None = None
    certificate_key: Path | None = None
    """A real certificate and key; without them a self-signed one is made for ``server_name``."""
    http_port: int | None = None
    nginx_workers: int | str = 1
    database_pool: tuple[int, int] = (5, 10)
    """Each instance's PostgreSQL connections, pool size + overflow."""
    env: dict[str, str] = field(default_factory=dict)
    """Extra environment for the portal instances (e.g. ``ANXIN_ESCALATION_POLICY``)."""


@dataclass
class Instance:
    """One running ``anxin portal`` process."""

    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """The instance's own address (loopback, plain http)."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def alive(self) -> bool:
        """True while the process runs."""
        return self.process.poll() is None


def free_port() -> int:
    """A TCP port free on loopback now."""
    import socket

    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class Cluster:
    """N portal instances and nginx; a context manager that stops everything it started."""

    def __init__(self, options: ClusterOptions) -> None:
        self.options = options
        self.instances: list[Instance] = []
        self.nginx: subprocess.Popen[bytes] | None = None
        self._temp = Path(tempfile.mkdtemp(prefix="anxin-cluster-"))
        self.prefix = self._temp / "nginx"
        self.port = options.port or free_port()
        self.certificate, self.certificate_key = options.certificate, options.certificate_key

    @property
    def url(self) -> str:
        """The public address: https through nginx."""
        return f"https://{self.options.server_name}:{self.port}"

    @property
    def ca_file(self) -> str:
        """The certificate clients trust (the self-signed one, or the real one)."""
        return str(self.certificate)

    def ssl_context(self) -> ssl.SSLContext:
        """An SSL context trusting the cluster's certificate."""
        return ssl.create_default_context(cafile=self.ca_file)

    def start(self) -> Cluster:
        """Migrate the database, start the instances and nginx, and wait until all of them answer."""
        from caregiver_portal.core.settings import load_or_create_secret

        self.options.data_dir.mkdir(parents=True, exist_ok=True)
        load_or_create_secret(self.options.data_dir / "secret_key")  # once, before N processes race for it
        _migrate(self.options.database_url)
        self.instances = [self._spawn(free_port()) for _ in range(self.options.instances)]
        try:
            for instance in self.instances:
                wait_healthy(instance.url, instance.process)
            self._start_nginx()
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, port: int) -> Instance:
        log = open(self._temp / f"portal-{port}.log", "ab")  # noqa: SIM115 - owned by the process
        env = {**os.environ, "ANXIN_DATABASE_URL": self.options.database_url, **self.options.env}
        command = [sys.executable, "-m", "anxin", "portal", "--data-dir", str(self.options.data_dir),
                   "--host", LOOPBACK, "--port", str(port), "--public-url", self.url,
                   "--forwarded-allow-ips", LOOPBACK, "--database-pool", "+".join(map(str, self.options.database_pool))]
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        log.close()
        return Instance(port=port, process=process)

    def _start_nginx(self) -> None:
        if shutil.which(NGINX) is None and not Path("/usr/sbin/nginx").exists():
            raise RuntimeError("找不到 nginx：请安装 Debian 软件包 nginx（scripts/bootstrap.sh 会装）")
        self.prefix.mkdir(parents=True, exist_ok=True)
        if self.certificate is None or self.certificate_key is None:
            self.certificate, self.certificate_key = self_signed_certificate(
                self._temp / "tls", (self.options.server_name, LOOPBACK))
        user = _worker_user(self._temp, self.prefix)
        layout = NginxLayout(upstreams=tuple(f"{LOOPBACK}:{i.port}" for i in self.instances),
                             listen_host=self.options.host, listen_port=self.port,
                             server_name=self.options.server_name, certificate=self.certificate,
                             certificate_key=self.certificate_key, prefix=self.prefix,
                             http_port=self.options.http_port, workers=self.options.nginx_workers, user=user)
        config = self.prefix / "nginx.conf"
        config.write_text(render_config(layout), encoding="utf-8")
        binary = shutil.which(NGINX) or "/usr/sbin/nginx"
        log = open(self.prefix / "nginx.out", "ab")  # noqa: SIM115 - owned by the process
        self.nginx = subprocess.Popen([binary, "-p", str(self.prefix), "-c", str(config),
                                       "-e", str(self.prefix / "error.log"), "-g", "daemon off;"],
                                      stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self._wait_nginx()

    def _wait_nginx(self, timeout_s: float = 60) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.nginx is None or self.nginx.poll() is not None:
                raise RuntimeError(f"nginx 已退出：{self.nginx_errors()}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=2, verify=self.ca_file).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"nginx 在 {timeout_s:.0f} 秒内没有应答：{self.nginx_errors()}")

    def nginx_errors(self) -> str:
        """The end of nginx's error log."""
        path = self.prefix / "error.log"
        return path.read_text(errors="replace")[-2000:] if path.exists() else ""

    def kill(self, index: int) -> int:
        """SIGKILL instance ``index`` (a crash); returns its pid."""
        process = self.instances[index].process
        process.kill()
        process.wait()
        return process.pid

    def stop(self) -> None:
        """SIGTERM nginx and every instance, SIGKILL what still runs after 15 s, remove the temp files."""
        processes = [p for p in [self.nginx, *(i.process for i in self.instances)] if p is not None]
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.nginx = None
        shutil.rmtree(self._temp, ignore_errors=True)

    def __enter__(self) -> Cluster:
        return self.start()

    def __exit__(self, _type: type[BaseException] | None, _value: BaseException | None,
                 _tb: TracebackType | None) -> None:
        self.stop()


def _migrate(database_url: str) -> None:
    """Bring the schema up to date once, so that N starting instances find nothing to do."""
    from caregiver_portal.core.db import create_db_engine
    from caregiver_portal.migrate import upgrade_to_head

    engine = create_db_engine(database_url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()


def _worker_user(temp: Path, prefix: Path) -> str | None:
    """Started as root, nginx's workers run as ``nobody``: let them into the private prefix and its temp dirs."""
    if os.geteuid() != 0:
        return None
    nobody = pwd.getpwnam("nobody")
    for folder in (temp, prefix):
        folder.chmod(0o711)
    for name in NGINX_TEMP_DIRS:
        (prefix / name).mkdir(exist_ok=True)
        os.chown(prefix / name, nobody.pw_uid, nobody.pw_gid)
    return f"nobody {_group_name(nobody.pw_gid)}"


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def run_cluster(options: ClusterOptions) -> int:
    """``anxin cluster``: start, say where, and run until Ctrl-C or SIGTERM."""
    signal.signal(signal.SIGTERM, _interrupt)
    with Cluster(options) as cluster:
        print(f"安心门户集群已启动：{cluster.url}（nginx，{len(cluster.instances)} 个实例）")
        for instance in cluster.instances:
            print(f"  实例 {instance.url}  pid {instance.process.pid}")
        if options.certificate is None:
            print(f"  自签名证书（仅供测试）：{cluster.ca_file}")
        reported: set[int] = set()
        try:
            while True:
                time.sleep(1)
                for number, instance in enumerate(cluster.instances):
                    if not instance.alive and number not in reported:
                        reported.add(number)
                        print(f"  实例 {number + 1}（{instance.url}）已退出，代码 {instance.process.returncode}；"
                              "nginx 把请求转给其余实例")
        except KeyboardInterrupt:
            print("正在停止集群…")
    return 0
