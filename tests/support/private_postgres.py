"""A private PostgreSQL cluster for tests that restart the database (the shared one stays up)."""

from __future__ import annotations

import glob
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def _bin(name: str) -> str:
    matches = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not matches:
        raise RuntimeError(f"PostgreSQL server binary {name} not found (Debian package postgresql)")
    return matches[-1]


@dataclass
class PrivatePostgres:
    """A cluster run as the ``postgres`` user in a temporary directory."""

    data_dir: Path
    port: int

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the cluster's ``postgres`` database."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        options = f"-p {self.port} -k {self.data_dir} -c listen_addresses=127.0.0.1 -c fsync=on"
        subprocess.run(["runuser", "-u", "postgres", "--", _bin("pg_ctl"), "-D", str(self.data_dir / "db"),
                        "-o", options, "-l", str(self.data_dir / "server.log"), "-w", *args],
                       check=True, capture_output=True, timeout=60)

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        self._ctl("start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast``: disconnect clients; ``immediate``: like a crash)."""
        self._ctl("-m", mode, "stop")


@contextmanager
def private_postgres(port: int) -> Iterator[PrivatePostgres]:
    """Create, start and finally remove a private cluster listening on 127.0.0.1:``port``."""
    root = Path(tempfile.mkdtemp(prefix="anxin-pg-"))
    root.chmod(0o755)
    shutil.chown(root, "postgres", "postgres")
    subprocess.run(["runuser", "-u", "postgres", "--", _bin("initdb"), "-D", str(root / "db"), "-A", "trust",
                    "-U", "postgres", "--no-sync"], check=True, capture_output=True, timeout=120)
    cluster = PrivatePostgres(root, port)
    cluster.start()
    try:
        yield cluster
    finally:
        try:
            cluster.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(root, ignore_errors=True)
